"""The public statistics page (统计) with its hot topics, read from the summary rows."""
from babel.dates import format_skeleton
from flask import Blueprint, request
from flask_babel import format_percent, get_locale
from flask_babel import lazy_gettext as _l

from domain import labels, stats
from models import CHANNELS, Category
from views import render

bp = Blueprint("stats", __name__)

PERIOD_LABELS = {
    "12m": _l("Last 12 months"),
    "month": _l("This month"),
    "year": _l("This year"),
    "last_year": _l("Last year"),
    "all": _l("All time"),
}
LEVELS = ("village", "town", "city")
TRENDS = {"rising": _l("rising"), "falling": _l("falling"), "steady": _l("steady")}


@bp.app_template_filter("chart_rows")
def chart_rows_filter(items, attribute):
    """[(name, value of `attribute`)] of the Tallies a bar chart draws."""
    return [(item.name, getattr(item, attribute)) for item in items]


@bp.app_template_filter("month_short")
def month_short_filter(month):
    """A yyyymm month's short name, under a column: 12月, Dec."""
    return format_skeleton("MMM", stats.as_date(month), locale=get_locale())


@bp.app_template_filter("percent")
def percent_filter(fraction):
    """A fraction as a whole percentage in the reader's language, or a dash when there is none."""
    return "—" if fraction is None else format_percent(fraction, "#,##0%")


@bp.app_template_filter("month_name")
def month_name_filter(month):
    """A yyyymm month as the reader says it: 2026年12月, Dec 2026."""
    return format_skeleton("yMMM", stats.as_date(month), locale=get_locale())


def filters(towns, categories):
    """The page's filters from the query string; values that name nothing are ignored."""
    args = request.args
    period = args.get("period", "")
    town = args.get("town", "")
    category = args.get("category", "")
    return {
        "period": period if period in stats.PERIODS else "12m",
        "town": town if town in {str(t.id) for t in towns} else "",
        "category": category if category in {c.code for c in categories} else "",
    }


@bp.get("/stats")
def index():
    towns = stats.towns()
    categories = list(Category.select().order_by(Category.archived, Category.position, Category.id))
    chosen = filters(towns, categories)
    town_id = int(chosen["town"] or 0)
    category = next((c for c in categories if c.code == chosen["category"]), None)
    category_id = category.id if category else 0
    figures = stats.figures(chosen["period"], town_id, category_id)
    month, hot_categories, hot_words, cooling = stats.topics(town_id, category_id, figures.today)
    names = stats.label_names(figures, labels.localized, _l("No category"))
    for topic in hot_categories:
        topic.name = names["category"].get(topic.key) or stats.names(Category, [topic.key], labels.localized).get(
            topic.key, topic.key)
    levels = {level: labels.label("level", level) for level in LEVELS}
    channels = {channel: labels.label("channel", channel) for channel in CHANNELS}
    area = "venue" if town_id else "town"
    return render(
        "stats/index.html",
        figures=figures,
        total=figures.total,
        filters=chosen,
        towns=towns,
        categories=categories,
        town=next((t for t in towns if t.id == town_id), None),
        category=category,
        periods=PERIOD_LABELS,
        by_category=figures.breakdown("category", names["category"]) if not category_id else [],
        area=area,
        by_area=figures.breakdown(area, names[area]),
        by_level=figures.breakdown("level", levels, order=LEVELS),
        by_channel=figures.breakdown("channel", channels, order=CHANNELS),
        by_department=figures.breakdown("department", names["department"]),
        hot_month=month,
        hot_categories=hot_categories,
        hot_words=hot_words,
        cooling=cooling,
        trends=TRENDS,
        month_chart=[(month_short_filter(m), t.raised, t.resolved) for m, t in figures.months],
    )
