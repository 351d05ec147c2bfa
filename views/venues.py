"""A venue's page: what it is, where, who serves there, and the issues raised there."""
from flask import Blueprint, request, url_for
from flask_login import current_user

from domain import deliberation, permissions, search, workflow
from models import ISSUE_STATES, Category
from views import Page, agenda, cached_page, get_venue, render, wants_fragment

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
    page = Page(search.venue_issues(venue, **filters))
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
        agenda_badges=deliberation.badges_for([issue.id for issue in page.items]),
        can_record=permissions.can_record_issue(current_user, venue),
        **({} if fragment else agenda.venue_context(venue)),
    )
