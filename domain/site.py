"""The site's identity: its name (in Chinese, and in English for English pages), the office that
runs it (主办单位), a contact phone, the ICP filing number and a short text about it, shown in the
header and footer of every page.

The admins set them (one `SiteSettings` row); an empty value falls back to the server's default
from the environment (YISHI_SITE_NAME, YISHI_SITE_NAME_EN, YISHI_SPONSOR, YISHI_PHONE, YISHI_ICP,
YISHI_ABOUT). Each process keeps one copy with the site revision (`page_version.site`) it was read
at: a saved change moves that revision (a trigger, migration 0022), so every process reads the row
again on its next request, and a page that already knows the revision reads nothing more.
"""
import threading
from dataclasses import dataclass

from domain import audit
from models import SiteSettings, db

FIELDS = ("name", "name_en", "sponsor", "contact_phone", "icp", "about")
# Where each default comes from: the app's config, filled from the environment.
CONFIG = {
    "name": "SITE_NAME", "name_en": "SITE_NAME_EN", "sponsor": "SITE_SPONSOR", "contact_phone": "SITE_PHONE",
    "icp": "SITE_ICP", "about": "SITE_ABOUT",
}
ICP_REGISTRY = "https://beian.miit.gov.cn/"


@dataclass(frozen=True)
class Identity:
    name: str = ""
    name_en: str = ""
    sponsor: str = ""
    contact_phone: str = ""
    icp: str = ""
    about: str = ""

    def name_in(self, locale):
        """The site's name for readers of `locale`: on English pages the English name when there is
        one, else (and in Chinese) the Chinese name; "" when neither is set."""
        english = str(locale or "").split("_")[0] == "en"
        return self.name_en if english and self.name_en else self.name

    def description(self, limit=150):
        """The about text's first paragraph on one line, cut to `limit` characters: the pages'
        meta description."""
        first = self.about.strip().split("\n\n", 1)[0]
        line = " ".join(first.split())
        return line if len(line) <= limit else line[: limit - 1] + "…"


class IdentityCache:
    """One process's copy of the identity, and the site revision it was read at."""

    def __init__(self, defaults):
        self.defaults = {field: (defaults.get(CONFIG[field]) or "").strip() for field in FIELDS}
        self.version, self.saved, self.lock = None, None, threading.Lock()

    def _merge(self, saved):
        return Identity(**{field: (saved or {}).get(field) or self.defaults[field] for field in FIELDS})

    def get(self, version):
        """The identity at site revision `version`: the row is read only when the revision moved."""
        with self.lock:
            if self.saved is not None and version == self.version:
                return self.identity
        row = SiteSettings.load()
        saved = {field: getattr(row, field) for field in FIELDS} if row else {}
        with self.lock:
            self.version, self.saved, self.identity = version, saved, self._merge(saved)
            return self.identity

    def loaded(self):
        """Whether this process has read the settings yet."""
        return self.saved is not None

    def last(self):
        """What was read last (the defaults if nothing was): for a page made without the database."""
        with self.lock:
            return self.identity if self.saved is not None else self._merge({})

    def saved_values(self):
        """What the admins saved, field by field ("" where the default applies)."""
        row = SiteSettings.load()
        return {field: getattr(row, field) if row else "" for field in FIELDS}


def save_settings(actor, values):
    """Save the site's identity (`values`: field → text, "" for the server's default) with its audit
    entry, in one transaction."""
    values = {field: (values.get(field) or "").strip() for field in FIELDS}
    with db.atomic():
        row = SiteSettings.load()
        before = audit.snapshot(row) if row else None
        (SiteSettings.insert(id=1, **values)
         .on_conflict(conflict_target=[SiteSettings.id], update=values)
         .execute())
        row = SiteSettings.load()
        audit.record(actor, "site_settings.update", row, before, audit.snapshot(row))
    return row
