"""A venue's page: what it is, where, who serves there, and the issues raised there."""
import functools

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import deliberation, permissions, posters, search, stats, workflow
from models import ISSUE_STATES, Category
from views import (
    Page,
    agenda,
    cached_page,
    for_everyone,
    get_venue,
    kept_for_readers,
    kept_for_visitors,
    own_at_venue,
    page_versions,
    public_url,
    render,
    shared,
    venue_versions,
    wants_fragment,
)

bp = Blueprint("venues", __name__, url_prefix="/v")

SORTS = ("new", "supported", "relevant")


def issue_filters(categories):
    """The list's filters from the query string; values that mean nothing are ignored."""
    args = request.args
    status = args.get("status", "")
    category = args.get("category", "")
    level = args.get("level", "")
    q = args.get("q", "").strip()[:search.MAX_QUERY_LENGTH]
    sort = args.get("sort", "")
    if sort not in SORTS or (sort == "relevant" and not q):
        sort = "relevant" if q else "new"
    return {
        "status": status if status in ISSUE_STATES else "",
        "category": category if category in {c.code for c in categories} else "",
        "level": level if level in workflow.LEVELS else "",
        "q": q,
        "sort": sort,
    }


@bp.get("/<slug>")
@kept_for_visitors(venue_versions)
@kept_for_readers(own_at_venue)
def show(slug):
    if for_everyone() or not request.args:  # a page that may come from the cache: what it is built from, first
        versions, site = page_versions(venue_versions, slug=slug)
        load = functools.partial(get_venue, slug, path=True)
    else:  # built for this reader: the venue row says the site's revision (one statement fewer)
        venue = get_venue(slug, path=True)
        versions, site, load = (), venue.site_revision, lambda: venue
    categories = shared(lambda: list(Category.choices()), "categories", site)
    filters = issue_filters(categories)
    return cached_page(lambda: _show(load(), categories, filters), *versions, args=filters, site=site,
                       own=own_at_venue)


def _show(venue, categories, filters):
    slug = venue.slug
    source = search.venue_issues(venue, **filters)
    page = Page(source)
    fragment = wants_fragment()

    def page_url(number):
        args = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "new")}
        return url_for("venues.show", slug=slug, page=number if number > 1 else None, **args)

    context = {}
    if not fragment:
        officials, mine = [], []
        for membership in venue.officials_and(current_user):
            is_official = membership.role != "resident" and membership.status == "verified"
            (officials if is_official else mine).append(membership)
            if is_official and current_user.is_authenticated and membership.user_id == current_user.id:
                mine.append(membership)
        permissions.remember_memberships(current_user, venue, mine)
        context = {
            "officials": officials,
            # Moved by every change of the venue's issues, as their figures are (see domain/stats.py).
            "headline": shared(lambda: stats.headline(venue), "headline", venue.id, venue.revision),
            **agenda.venue_context(venue),
        }
    return render(
        "venues/show.html",
        "venues/_issues.html",
        venue=venue,
        page_url=page_url,
        categories=categories,
        statuses=ISSUE_STATES,
        levels=workflow.LEVELS,
        filters=filters,
        filtered=any(filters[k] for k in ("status", "category", "level", "q")),
        listing=page,
        results=source if isinstance(source, search.Results) else None,
        agenda_badges=deliberation.badges_of(page.items),
        can_record=permissions.can_record_issue(current_user, venue),
        **context,
    )


@bp.get("/<slug>/poster")
def poster(slug):
    """The venue's A4 poster: its name, what it is for, how to take part, and a QR code of its
    page at the configured public address."""
    venue = get_venue(slug)
    if not permissions.can_print_poster(current_user, venue):
        abort(404)
    url = public_url("venues.show", slug=venue.slug)
    return render(
        "venues/poster.html", venue=venue, url=url,
        qr=posters.qr_svg(url, _("QR code of the page of %(venue)s: %(url)s", venue=venue.name, url=url)),
        councillors=list(venue.people("councillor")),
    )
