"""Every page a visitor, a resident, a councillor, department staff and an admin can reach, checked by
axe-core in real Chromium: in Chinese and in English, 360 px and 1280 px wide, and in the large-text
mode (长辈模式).

The crawl starts at the home page (and a few pages that need a particular record, such as an agenda
item whose vote is open), follows every same-origin link and the address of every GET form as it
stands, and checks the first page it finds of each route of the app's URL map, so /issues/<id> is
checked for the issues it starts from and one more, not for thousands. Each page is loaded once and
checked at both widths by resizing the window. The forms people fill in most are also sent empty, and
the page that refuses them (status 422, with its messages) is checked too. A link to no page, or to a
page that answers an error, fails as well.

To stay within a few minutes of CI time, the crawl is trimmed where it would check the same thing again
(see PASSES, SAME_FOR_EVERYONE, VENUE_WORK and LAYOUT_RULES).

Any axe violation fails, whatever its impact; the message lists every violation of every page with its
rule, the elements concerned and the page's address.
"""
import os
import time
from urllib.parse import parse_qsl, urlsplit

import pytest
from test_accessibility import (
    AXE,
    AXE_OPTIONS,
    AXE_PATH,
    discussed_issue,
    open_vote,
    published_report,
)
from werkzeug.exceptions import HTTPException
from werkzeug.routing import RequestRedirect
from world import browser_login

from domain import demo as demo_module

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 800}
# On the phone every rule runs; on the wide screen, the rules whose verdict depends on the layout (what
# lies over what, how big and how far apart the controls are, what scrolls): the others read the
# document, which is the same at both widths. That halves the crawl's time.
LAYOUT_RULES = ["color-contrast", "target-size", "scrollable-region-focusable"]
DESKTOP_OPTIONS = {"runOnly": {"type": "rule", "values": LAYOUT_RULES}, "resultTypes": ["violations"]}
ROLES = ("visitor", "resident", "councillor", "staff", "admin")
# The large-text mode: the cookie that switches it on, the class it puts on <html>.
ELDER_COOKIE, ELDER_CLASS = "large_text", "large-text"  # views.LARGE_TEXT_COOKIE

# Not pages: files, feeds, data for programs, polls and fragments.
SKIPPED_ENDPOINTS = {
    "static", "discussion.permalink", "auth.my_data", "ledger.export_csv", "ledger.export_xlsx", "reports.docx",
    "agenda.meetings_ics", "agenda.venue_meetings_ics", "agenda.outcomes_atom", "agenda.venue_outcomes_atom",
    "discussion.notification_count", "issues.status",
}
# (discussion.permalink only leads to the comment on its issue's page.)
SKIPPED_PREFIXES = ("open311.",)
# Query parameters that switch something rather than show a page.
SKIPPED_QUERY = {"lang"}
# Pages that read the same whoever is signed in (bar the header, checked on every other page): checked
# in the visitor's crawl only. Statistics and service records are also the slowest pages to check.
SAME_FOR_EVERYONE = {
    "stats.index", "people.record", "people.groups", "people.group", "people.list_awards",
    "reports.index", "reports.print_view", "agenda.outcomes", "agenda.venue_outcomes",
    "agenda.venue_meetings", "auth.privacy_notice",
}
# The pages of running a venue (its queue, members, codes, meetings), checked in the councillor's crawl;
# an admin sees them the same way.
VENUE_WORK = {
    "triage.queue", "triage.show", "verification.requests", "verification.invite", "verification.codes",
    "members.index", "members.my_venues", "agenda.new_meeting", "agenda.edit_meeting", "agenda.minutes",
    "agenda.new_item", "agenda.edit_item", "agenda.outcome", "issues.record", "discussion.moderation",
    "discussion.moderate", "discussion.moderation_index",
}
SKIPPED_FOR = {role: SAME_FOR_EVERYONE for role in ROLES if role != "visitor"}
SKIPPED_FOR["admin"] = SAME_FOR_EVERYONE | VENUE_WORK
MAX_PAGES = 150  # per crawl: a guard

# Forms sent empty, by endpoint: the page refusing them (422) is checked as well.
EMPTY_FORMS = {
    "auth.login", "auth.register", "auth.password", "issues.new", "issues.record", "reports.new",
    "verification.join_with_code", "agenda.new_meeting", "agenda.new_item",
    "admin.category_new", "admin.department_new", "admin.region_new", "admin.group_new",
    "admin.user_new", "admin.venue_new",
}


def seeds(role):
    """Pages to start from besides the home page: records a link may not lead to within the crawl."""
    slug = demo_module.DEMO_PAVILION_SLUG
    pages = ["/", f"/issues/{discussed_issue().id}", f"/items/{open_vote().id}",
             f"/reports/{published_report().id}", "/privacy"]
    if role == "visitor":
        pages += ["/login", "/register"]
    if role != "visitor":
        pages += ["/notifications", "/profile", "/profile/password", "/profile/delete"]
    if role == "resident":
        pages += [f"/v/{slug}/issues/new"]
    if role == "councillor":
        pages += [f"/v/{slug}/triage", f"/v/{slug}/requests", f"/v/{slug}/members", f"/v/{slug}/codes",
                  f"/v/{slug}/invite", f"/v/{slug}/moderation", "/join", "/my/venues"]
    if role == "staff":
        pages += ["/handling"]
    if role == "admin":
        pages += ["/admin/", "/ledger", "/admin/audit"]
    return pages


class Crawl:
    """One role's walk through the site in one language and mode, collecting what axe finds."""

    def __init__(self, page, site, url_map, role, label, passes):
        self.page = page
        self.role = role
        self.passes = passes  # (window size, axe's options) in turn, on each page
        self.site = site
        self.adapter = url_map.bind("127.0.0.1")
        self.label = label
        self.queue = []
        self.queued = set()
        self.endpoints = set()  # those with a page queued
        self.visited = []
        self.found = {}  # page address -> lines
        self.forms_sent = set()

    def endpoint(self, url):
        """The endpoint `url` leads to, or None for what is not a page to check."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or parts.netloc != urlsplit(self.site).netloc:
            return None
        query = parse_qsl(parts.query, keep_blank_values=True)
        if any(key in SKIPPED_QUERY for key, _value in query):
            return None
        try:
            endpoint, args = self.adapter.match(parts.path, method="GET")
        except RequestRedirect as redirect:
            return self.endpoint(redirect.new_url)
        except HTTPException:
            self.problem(url, "a link leads to no page (no GET route matches)")
            return None
        if endpoint in SKIPPED_ENDPOINTS or endpoint.startswith(SKIPPED_PREFIXES):
            return None
        if endpoint in SKIPPED_FOR.get(self.role, ()):
            return None
        return endpoint

    def add(self, url, seed=False):
        """Queue `url` if it is the first page of its endpoint (or a seed, chosen for its record)."""
        url = url.split("#", 1)[0]
        if url.startswith("/"):
            url = self.site + url
        if url in self.queued:
            return
        endpoint = self.endpoint(url)
        if endpoint is None or (endpoint in self.endpoints and not seed):
            return
        self.endpoints.add(endpoint)
        self.queued.add(url)
        self.queue.append(url)

    def problem(self, url, line):
        self.found.setdefault(url, []).append(line)

    def run(self, start):
        for url in start:
            self.add(url, seed=True)
        while self.queue and len(self.visited) < MAX_PAGES:
            url = self.queue.pop(0)
            response = self.page.goto(url)
            if response is None or not response.ok:
                self.problem(url, f"answered {response.status if response else 'nothing'}")
                continue
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            # A link that led elsewhere (to the login page) counts for where it led.
            landed = self.page.url.split("#", 1)[0]
            endpoint = self.adapter.match(urlsplit(landed).path, method="GET")[0]
            if landed != url and (landed in self.queued or endpoint in self.endpoints - {self.endpoint(url)}):
                continue
            self.queued.add(landed)
            self.endpoints.add(endpoint)
            self.visited.append(url)
            self.check(url)
            for link in self.links():
                self.add(link)
            if endpoint in EMPTY_FORMS and endpoint not in self.forms_sent:
                self.forms_sent.add(endpoint)
                self.send_empty(url)

    def links(self):
        """Every link of the page, and the address every GET form of it would go to as it stands."""
        return self.page.evaluate(
            """() => [
                ...[...document.querySelectorAll('a[href]')].map(a => a.href),
                ...[...document.querySelectorAll('form')]
                    .filter(f => (f.getAttribute('method') || 'get').toLowerCase() === 'get')
                    .map(f => {
                        // getAttribute: a field named "action" would stand in for f.action
                        const url = new URL(f.getAttribute('action') || '', location.href);
                        url.search = new URLSearchParams(new FormData(f)).toString();
                        return url.href;
                    }),
            ]"""
        )

    def check(self, url):
        """axe at each width on the page now open, ending on the phone's (with every <details> opened, as a reader would)."""
        page = self.page
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        origin = urlsplit(page.url)
        page.add_script_tag(url=f"{origin.scheme}://{origin.netloc}{AXE_PATH}")
        for size, options in self.passes:
            page.set_viewport_size(size)
            # On a wide screen the header's menus drop over the page: a reader opens one at a time.
            page.evaluate("wide => document.querySelectorAll('header details')"
                          ".forEach(d => { d.open = !wide; })", size["width"] > PHONE["width"])
            violations = page.evaluate(
                "async options => (await axe.run(document, options)).violations", options
            )
            for violation in violations:
                targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:6])
                more = len(violation["nodes"]) - 6
                self.problem(
                    url,
                    f"{size['width']}px: {violation['id']} ({violation['impact']}) — {violation['help']} — "
                    f"{targets}{f' (and {more} more)' if more > 0 else ''}",
                )

    def send_empty(self, url):
        """Send the page's main form with its text fields emptied; the refusal (422) is checked."""
        page = self.page
        form = page.locator("main form[method=post]").filter(
            has=page.locator("button[type=submit], input[type=submit]")).first
        if not form.count():
            return
        form.evaluate(
            """f => {
                f.noValidate = true;
                f.querySelectorAll('input, textarea').forEach(e => {
                    if (!['hidden', 'checkbox', 'radio', 'submit', 'button', 'file'].includes(e.type)) e.value = '';
                });
            }"""
        )
        with page.expect_response(lambda r: r.request.method == "POST") as posted:
            form.locator("button[type=submit], input[type=submit]").last.click()
        page.wait_for_load_state()
        status = posted.value.status
        name = f"{url} (sent empty)"
        self.visited.append(name)
        if status != 422:
            self.problem(name, f"answered {status}, not 422 with the form's messages")
            return
        self.check(name)

    def report(self):
        lines = []
        for url, problems in self.found.items():
            lines.append(f"{url.removeprefix(self.site)} [{self.label}]")
            lines += [f"    {line}" for line in problems]
        return "\n".join(lines)


@pytest.fixture
def site(live_server, demo):
    return live_server.url


@pytest.fixture
def axe_script():
    """axe-core's script, installed by `make axe`; as with Chromium, CI fails without it."""
    if not AXE.exists():
        message = "axe-core is not installed: run `make axe` (needs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


# (language, mode, what is checked): each page at both widths in each pass. Within the few minutes of
# CI time the crawl may take, English is checked without the colour contrast (its colours are those of
# the Chinese pages; longer words change the sizes and layout, which the other rules see).
NO_CONTRAST = {"rules": {"color-contrast": {"enabled": False}}}
PASSES = [
    ("zh_Hans", "normal", [(DESKTOP, DESKTOP_OPTIONS), (PHONE, AXE_OPTIONS)]),
    ("en", "normal", [(DESKTOP, {**DESKTOP_OPTIONS, "runOnly": {"type": "rule", "values": LAYOUT_RULES[1:]}}),
                      (PHONE, {**AXE_OPTIONS, **NO_CONTRAST})]),
    ("zh_Hans", "elder", [(DESKTOP, DESKTOP_OPTIONS), (PHONE, AXE_OPTIONS)]),
]


@pytest.mark.parametrize(("lang", "mode", "passes"), PASSES, ids=[f"{lang}-{mode}" for lang, mode, _w in PASSES])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_passes_axe(browser, axe_script, site, app, role, lang, mode, passes):
    context = browser.new_context(locale="zh-CN", viewport=PHONE)
    try:
        context.route(site + AXE_PATH, lambda route: route.fulfill(path=axe_script, content_type="text/javascript"))
        cookies = [{"name": "lang", "value": lang, "url": site}]
        if mode == "elder":
            cookies.append({"name": ELDER_COOKIE, "value": "1", "url": site})
        context.add_cookies(cookies)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if role != "visitor":
            browser_login(page, site, role, demo_module.DEMO_PASSWORD)
        else:
            page.goto(site + "/")
        if mode == "elder":  # signed in, the account keeps what the browser chose before
            assert page.evaluate(f"() => document.documentElement.classList.contains('{ELDER_CLASS}')")
        label = f"{role}, {lang}, {mode}"
        crawl = Crawl(page, site, app.url_map, role, label, passes)
        started = time.monotonic()
        crawl.run(seeds(role))
        print(f"{label}: {len(crawl.visited)} pages in {time.monotonic() - started:.1f}s")
        print("\n".join(crawl.visited))
        assert crawl.visited, "the crawl reached no page"
        assert not crawl.found, f"axe found violations ({label}):\n" + crawl.report()
    finally:
        context.close()

