"""A venue's page: what it is, where, who serves there, and the issues raised there."""
from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from domain import deliberation, permissions, posters, search, stats, workflow
from models import ISSUE_STATES, Category
from views import Page, agenda, cached_page, get_venue, public_url, render, wants_fragment

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
def show(slug):
    venue = get_venue(slug)
    return cached_page(lambda: _show(venue), "venue", venue.id, venue.revision)


def _show(venue):
    slug = venue.slug
    categories = list(Category.choices())
    filters = issue_filters(categories)
    source = search.venue_issues(venue, **filters)
    page = Page(source)
    fragment = wants_fragment()

    def page_url(number):
        args = {k: v for k, v in filters.items() if v and not (k == "sort" and v == "new")}
        return url_for("venues.show", slug=slug, page=number if number > 1 else None, **args)

    return render(
        "venues/show.html",
        "venues/_issues.html",
        venue=venue,
        councillors=[] if fragment else list(venue.people("councillor")),
        deputies=[] if fragment else list(venue.people("deputy")),
        page_url=page_url,
        categories=categories,
        statuses=ISSUE_STATES,
        levels=workflow.LEVELS,
        filters=filters,
        filtered=any(filters[k] for k in ("status", "category", "level", "q")),
        listing=page,
        results=source if isinstance(source, search.Results) else None,
        agenda_badges=deliberation.badges_for([issue.id for issue in page.items]),
        can_record=permissions.can_record_issue(current_user, venue),
        headline=None if fragment else stats.headline(venue),
        **({} if fragment else agenda.venue_context(venue)),
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
