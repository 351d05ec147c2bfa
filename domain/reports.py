"""The special report (民情专报): city-level matters compiled into a numbered periodical for the city
leadership, which forwards them to the government.

A deputy or an admin starts a draft, chooses matters among the candidates (city-level matters no
published report holds yet), writes a note for each and a summary, previews and publishes. Publishing
gives the report the next number of its year (第N期), freezes it, writes "reported in 民情专报 第N期"
on each matter's timeline and assigns each matter still waiting for a department to its city-level
department through the closed loop's own `handling.assign`. A published report never changes; a
correction is a new report that `corrects` it and may carry the same matters again.

Numbers: the unique (year, number) index is what keeps two reports from sharing a number. Publishing
takes the year's highest number plus one as its first write; a concurrent publisher that took the
same number fails on the index when the first commits, and tries again with the next one.
"""
import datetime
import io
from dataclasses import dataclass, fields

from flask_babel import format_date, get_locale
from flask_babel import gettext as _
from peewee import JOIN, IntegrityError, fn

from domain import audit, handling, labels, mail, permissions, timefmt, workflow
from models import (
    MAX_ID,
    Category,
    Department,
    Feedback,
    Issue,
    Region,
    Report,
    ReportItem,
    User,
    Venue,
    db,
    utcnow,
)

# The matters a report may carry: taken up and not yet answered. (An answered matter needs no
# leadership's attention; a new one has not been looked at.)
REPORTABLE = ("accepted", "deliberating", "assigned", "in_progress")
# The statuses in which publishing assigns the matter to its city-level department.
UNASSIGNED = ("accepted", "deliberating")
PUBLISH_ATTEMPTS = 5
TITLE_LENGTH = 120
SUMMARY_LENGTH = 5000
NOTE_LENGTH = 2000
MAX_SUPPORT_FILTER = 1_000_000


class ReportError(Exception):
    """An act the report's rules refuse now; `code` says which rule (the page explains it), `issue`
    the matter concerned, when there is one."""

    def __init__(self, code, issue=None):
        super().__init__(code)
        self.code = code
        self.issue = issue


# Candidates ------------------------------------------------------------------------------------

def _id(value):
    value = (value or "").strip()
    if not value.isdigit() or len(value) > 10 or int(value) > MAX_ID:
        return None
    return int(value) or None


def _date(value):
    """A date of the address (2026-11-01), or None; years far off are refused rather than let
    overflow when moved to UTC or to the next day."""
    try:
        day = datetime.date.fromisoformat((value or "").strip())
    except ValueError:
        return None
    return day if 1900 <= day.year <= 9000 else None


@dataclass
class Filters:
    """How the candidates are narrowed: raised since / until (local dates), category, town, at least
    so many supports, level (city by default; other levels are shown for reference, not to add)."""

    since: datetime.date | None = None
    until: datetime.date | None = None
    category: int | None = None
    town: int | None = None
    supports: int | None = None
    level: str = "city"

    @classmethod
    def from_args(cls, args):
        """The filters of a query string; malformed values are ignored, never an error."""
        supports = (args.get("supports") or "").strip()
        level = args.get("level", "")
        return cls(
            since=_date(args.get("since")),
            until=_date(args.get("until")),
            category=_id(args.get("category")),
            town=_id(args.get("town")),
            supports=min(int(supports), MAX_SUPPORT_FILTER) if supports.isdigit() and len(supports) < 9 else None,
            level=level if level in workflow.LEVELS else "city",
        )

    def args(self):
        """These filters as query-string arguments, the empty ones and the default level left out."""
        values = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value in (None, "") or (f.name == "level" and value == "city"):
                continue
            values[f.name] = value.isoformat() if isinstance(value, datetime.date) else value
        return values


def _in_published(report=None):
    """The issue ids some published report holds (but `report`'s own, and the one it corrects)."""
    query = (ReportItem.select(ReportItem.issue).join(Report)
             .where(Report.state == "published"))
    if report is not None:
        query = query.where(Report.id != report.id)
    if report is not None and report.corrects_id:
        query = query.where(Report.id != report.corrects_id)
    return query


def _utc_start(day):
    return timefmt.local_to_utc(datetime.datetime.combine(day, datetime.time()))


def candidates(report, filters):
    """The matters `report` may take under `filters`: of that level, taken up and not answered,
    not hidden, in no published report yet (the corrected report's aside), not in `report` already;
    the most supported first. A query over Issue with its venue and category; the caller pages it."""
    query = (
        Issue.select(Issue, Venue, Category)
        .join(Venue).switch(Issue)
        .join(Category, JOIN.LEFT_OUTER, on=(Issue.category == Category.id))
        .where(
            (Issue.level == filters.level) & Issue.status.in_(REPORTABLE) & ~Issue.hidden
            & Issue.id.not_in(_in_published(report))
            & Issue.id.not_in(ReportItem.select(ReportItem.issue).where(ReportItem.report == report.id))
        )
    )
    if filters.since:
        query = query.where(Issue.created_at >= _utc_start(filters.since))
    if filters.until:
        query = query.where(Issue.created_at < _utc_start(filters.until + datetime.timedelta(days=1)))
    if filters.category:
        query = query.where(Issue.category == filters.category)
    if filters.town:
        town = Region.alias("town_region")
        query = query.where(Issue.venue.in_(
            Venue.select(Venue.id).join(town, on=(Venue.region == town.id))
            .where((town.id == filters.town) | (town.parent == filters.town))
        ))
    if filters.supports:
        query = query.where(Issue.support_count >= filters.supports)
    return query.order_by(Issue.support_count.desc(), Issue.created_at.desc(), Issue.id.desc())


def filter_choices():
    """The options of the candidates' filter form: categories, towns and levels."""
    return {
        "categories": list(Category.choices()),
        "towns": list(Region.select().where((Region.level == "town") & ~Region.archived)
                      .order_by(Region.position, Region.name)),
        "levels": workflow.LEVELS,
    }


# Drafts ----------------------------------------------------------------------------------------

def _clean(text, length, code):
    text = (text or "").strip()
    if len(text) > length:
        raise ReportError(code)
    return text


def create_draft(actor, title, summary="", corrects=None, now=None):
    """Start a draft compiled by `actor`. A correction (`corrects` a published report) starts with
    that report's matters and notes, for the compiler to put right."""
    if not permissions.can_compile_reports(actor):
        raise permissions.NotAllowed("can_compile_reports")
    title = _clean(title, TITLE_LENGTH, "title")
    if not title:
        raise ReportError("title")
    summary = _clean(summary, SUMMARY_LENGTH, "summary")
    if corrects is not None and corrects.state != "published":
        raise ReportError("corrects")
    now = now or utcnow()
    with db.atomic():
        report = Report.create(title=title, summary=summary, created_by=actor, corrects=corrects,
                               created_at=now, updated_at=now)
        if corrects is not None:
            rows = [{"report": report.id, "issue": item.issue_id, "position": item.position, "note": item.note}
                    for item in ReportItem.select().where(ReportItem.report == corrects.id)]
            if rows:
                ReportItem.insert_many(rows).execute()
            report.item_count = len(rows)
            report.save(only=[Report.item_count])
    return report


def start_correction(report, actor, now=None):
    """A new draft correcting the published `report`, titled after it, with its summary and items."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    if report.state != "published":
        raise ReportError("not_published")
    title = _("Correction to %(title)s", title=report.title)[:TITLE_LENGTH]
    return create_draft(actor, title, report.summary, corrects=report, now=now)


def _lock_draft(report, now=None):
    """Inside a transaction: mark the draft changed, which also holds its row until the end (so a
    publish cannot slip in between), or refuse when it is published already."""
    changed = (Report.update(updated_at=now or utcnow())
               .where((Report.id == report.id) & (Report.state == "draft")).execute())
    if not changed:
        raise ReportError("published")


def update_draft(report, actor, title, summary):
    """Change a draft's title and summary."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    title = _clean(title, TITLE_LENGTH, "title")
    if not title:
        raise ReportError("title")
    summary = _clean(summary, SUMMARY_LENGTH, "summary")
    with db.atomic():
        _lock_draft(report)
        Report.update(title=title, summary=summary).where(Report.id == report.id).execute()
    report.title, report.summary = title, summary
    return report


def _check_matter(report, issue):
    """Why `issue` may not be in `report`, as a ReportError, or nothing."""
    if issue.level != "city":
        raise ReportError("not_city", issue)
    if issue.hidden:
        raise ReportError("hidden", issue)
    if _in_published(report).where(ReportItem.issue == issue.id).exists():
        raise ReportError("reported", issue)


def add_item(report, actor, issue, note=""):
    """Put a city-level matter in the draft, last, with an optional note."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    note = _clean(note, NOTE_LENGTH, "note")
    if issue.status not in REPORTABLE:
        raise ReportError("status", issue)
    _check_matter(report, issue)
    with db.atomic():
        _lock_draft(report)
        last = (ReportItem.select(fn.MAX(ReportItem.position)).where(ReportItem.report == report.id).scalar())
        try:
            with db.atomic():
                item = ReportItem.create(report=report, issue=issue, note=note,
                                         position=(last or 0) + 1)
        except IntegrityError as error:  # a form sent twice: the matter is there already
            raise ReportError("duplicate", issue) from error
        Report.update(item_count=Report.item_count + 1).where(Report.id == report.id).execute()
    return item


def _item(report, issue_id):
    item = ReportItem.get_or_none((ReportItem.report == report.id) & (ReportItem.issue == issue_id))
    if item is None:
        raise ReportError("no_item")
    return item


def remove_item(report, actor, issue_id):
    """Take a matter out of the draft."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    with db.atomic():
        _lock_draft(report)
        item = _item(report, issue_id)
        item.delete_instance()
        Report.update(item_count=Report.item_count - 1).where(Report.id == report.id).execute()


def set_note(report, actor, issue_id, note):
    """The compiler's note on one matter of the draft (what the leadership should know of it)."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    note = _clean(note, NOTE_LENGTH, "note")
    with db.atomic():
        _lock_draft(report)
        item = _item(report, issue_id)
        item.note = note
        item.save(only=[ReportItem.note])
    return item


def move_item(report, actor, issue_id, direction):
    """Move a matter one place up or down in the draft (the first stays first when moved up)."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    if direction not in ("up", "down"):
        raise ReportError("direction")
    with db.atomic():
        _lock_draft(report)
        items = list(ReportItem.select().where(ReportItem.report == report.id)
                     .order_by(ReportItem.position, ReportItem.id))
        index = next((i for i, item in enumerate(items) if item.issue_id == issue_id), None)
        if index is None:
            raise ReportError("no_item")
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(items):
            items[index], items[other] = items[other], items[index]
        for position, item in enumerate(items, 1):  # renumbered: old gaps and ties go away
            if item.position != position:
                item.position = position
                item.save(only=[ReportItem.position])
    return items


def discard(report, actor):
    """Throw a draft away, with its matters and notes (a published report is never deleted)."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    with db.atomic():
        _lock_draft(report)
        ReportItem.delete().where(ReportItem.report == report.id).execute()
        Report.delete().where((Report.id == report.id) & (Report.state == "draft")).execute()


# Publishing ------------------------------------------------------------------------------------

def city_department(issue):
    """The city-level department a reported matter goes to: its category's, when that one serves
    the city, else the first city department; None when the city has none."""
    chosen = handling.default_department(issue)
    return chosen or handling.departments_for(issue, "city").first()


def _next_number(year):
    return (Report.select(fn.MAX(Report.number)).where(Report.year == year).scalar() or 0) + 1


def _number(report, actor, now, year):
    """The first write of publishing: the next number of the year, the state, who and when."""
    number = _next_number(year)
    changed = (
        Report.update(state="published", year=year, number=number, published_at=now, published_by=actor,
                      updated_at=now)
        .where((Report.id == report.id) & (Report.state == "draft"))
        .execute()
    )
    if not changed:
        raise ReportError("published")
    return number


def publish(report, actor, now=None):
    """Publish the draft: its number (第N期 of the local year), every matter's timeline, the
    assignment of those still waiting to their city-level department, and the audit entry, in one
    transaction. Refused when it is empty, published already, or holds a matter that is no longer
    city-level, was hidden, or went into another published report meanwhile."""
    permissions.ensure(permissions.can_edit_report, actor, report)
    now = now or utcnow()
    year = timefmt.local_date(now).year
    for attempt in range(PUBLISH_ATTEMPTS):
        try:
            with db.atomic():
                number = _number(report, actor, now, year)
                assigned = _publish_items(report, actor, now, year, number)
                audit.record(actor, "report.publish", report, {"state": "draft"},
                             {"state": "published", "year": year, "number": number, "items": report.item_count})
            break
        except IntegrityError:
            # Another report took this number first: the next one is free once it has committed.
            if attempt == PUBLISH_ATTEMPTS - 1:
                raise
    # An outer transaction (the demo) has not committed yet; a request's own sends once committed.
    if not db.in_transaction() or mail.deferring():
        for issue, department in assigned:
            mail.notify(handling.staff_of([department.id]), "assigned", issue)
    report.state, report.year, report.number, report.published_at = "published", year, number, now
    report.published_by = actor
    return report


def _publish_items(report, actor, now, year, number):
    items = list(ReportItem.select(ReportItem, Issue).join(Issue).where(ReportItem.report == report.id)
                 .order_by(ReportItem.position, ReportItem.id))
    if not items:
        raise ReportError("empty")
    report.item_count = len(items)
    plan = []
    for item in items:
        issue = item.issue
        _check_matter(report, issue)
        department = None
        if issue.status in UNASSIGNED:
            department = city_department(issue)
            if department is None:
                raise ReportError("no_department", issue)
        plan.append((issue, department))
    assigned = []
    for issue, department in plan:
        workflow.record(issue, "reported", actor, at=now, report=report.id, year=year, number=number)
        if department is not None:
            # The publisher was checked by the report's rules; the assignment is the loop's own.
            handling.assign(Issue.get_by_id(issue.id), actor, department, now=now, check=False)
            assigned.append((issue, department))
    return assigned


# Reading ---------------------------------------------------------------------------------------

def load(report_id):
    """The report `report_id`, or None."""
    return Report.get_or_none(Report.id == report_id)


def items_of(report):
    """The report's items in order, with their issues, venues and categories."""
    return list(ReportItem.of(report))


def corrections_of(report):
    """The published reports that correct `report`, the first first."""
    return list(Report.select().where((Report.corrects == report.id) & (Report.state == "published"))
                .order_by(Report.published_at, Report.id))


def handled_since(items, today=None):
    """{issue id: handling.Summary}: how each matter was handled since (lead department, answers
    and their grades, ratings), built by the loop's own Summary from two queries for all of them."""
    from models import Assignment

    ids = [item.issue_id for item in items]
    if not ids:
        return {}
    assignments, ratings = {}, {}
    for a in (Assignment.select(Assignment, Department).join(Department)
              .where(Assignment.issue.in_(ids)).order_by(Assignment.id)):
        assignments.setdefault(a.issue_id, []).append(a)
    for f in Feedback.select().where(Feedback.issue.in_(ids)).order_by(Feedback.round, Feedback.id):
        ratings.setdefault(f.issue_id, []).append(f)
    today = today or timefmt.local_date()
    return {i: handling.Summary(assignments.get(i, []), ratings.get(i, []), today) for i in ids}


def towns_of(items):
    """{venue id: the name of its town or subdistrict} for the items' venues (one query)."""
    venue_ids = {item.issue.venue_id for item in items}
    if not venue_ids:
        return {}
    region, parent = Region.alias("venue_region"), Region.alias("parent_region")
    rows = (Venue.select(Venue.id, region.name, region.level, parent.name.alias("parent_name"))
            .join(region, on=(Venue.region == region.id))
            .join(parent, JOIN.LEFT_OUTER, on=(region.parent == parent.id))
            .where(Venue.id.in_(list(venue_ids))).dicts())
    towns = {}
    for row in rows:
        if row["level"] == "town":
            towns[row["id"]] = row["name"]
        elif row["level"] == "village":
            towns[row["id"]] = row["parent_name"] or ""
        else:
            towns[row["id"]] = ""
    return towns


def overview(items, towns):
    """What the report holds in figures: matters, towns, supports, and matters per category."""
    categories = {}
    for item in items:
        name = labels.localized(item.issue.category) if item.issue.category_id else _("No category")
        categories[name] = categories.get(name, 0) + 1
    chinese = str(get_locale()) != "en"
    breakdown = ("、" if chinese else ", ").join(
        _("%(category)s: %(count)s", category=name, count=count)
        for name, count in sorted(categories.items(), key=lambda pair: (-pair[1], pair[0]))
    )
    return {
        "breakdown": breakdown,
        "matters": len(items),
        "towns": len({towns.get(item.issue.venue_id) for item in items} - {"", None}),
        "supports": sum(item.issue.support_count for item in items),
        "categories": sorted(categories.items(), key=lambda pair: (-pair[1], pair[0])),
    }


def compiler_name(report):
    if report.created_by_id is None:
        return ""
    user = User.get_or_none(User.id == report.created_by_id)
    return user.display_name if user else ""


def issue_label(report):
    """第N期 of its year, in the reader's language ("draft" while it has no number)."""
    if report.number is None:
        return _("Draft")
    return _("%(year)s, No. %(number)s", year=report.year, number=report.number)


def report_date(report):
    """The date a report carries: its publication's local date (today's for a draft), written out."""
    day = timefmt.local_date(report.published_at) if report.published_at else timefmt.local_date()
    return format_date(day, "long")


CHINESE_DIGITS = "零一二三四五六七八九"


def heading_number(n, chinese):
    """一、二、… 十一、 in Chinese (as a 专报 numbers its matters), 1. 2. … otherwise."""
    if not chinese:
        return f"{n}. "
    if n < 10:
        text = CHINESE_DIGITS[n]
    elif n < 100:
        tens, ones = divmod(n, 10)
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十" + (CHINESE_DIGITS[ones] if ones else "")
    else:
        text = str(n)
    return text + "、"


class Sheet:
    """Everything one rendering of a report needs (its page, print view and DOCX share it)."""

    def __init__(self, report, today=None):
        self.report = report
        self.items = items_of(report)
        self.towns = towns_of(self.items)
        self.overview = overview(self.items, self.towns)
        self.handled = handled_since(self.items, today) if report.state == "published" else {}
        self.corrections = corrections_of(report)
        self.corrects = Report.get_or_none(Report.id == report.corrects_id) if report.corrects_id else None
        self.compiler = compiler_name(report)
        self.label = issue_label(report)
        self.date = report_date(report)


def to_docx(sheet, chinese=True):
    """The report as a Word document (bytes), laid out as a 专报: masthead, number and date, a rule,
    title, summary, the matters with their notes, and how each was handled since publication."""
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK, WD_TAB_ALIGNMENT
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt, RGBColor

    red = RGBColor(0xC0, 0x00, 0x00)
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)

    def font(run, size, bold=False, color=None, face="FangSong"):
        run.font.size = Pt(size)
        run.font.bold = bold
        run.font.name = face
        run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), face)
        if color is not None:
            run.font.color.rgb = color
        return run

    def paragraph(text, size=16, bold=False, align=None, color=None, face="FangSong", indent=True):
        p = document.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent and align is None:
            p.paragraph_format.first_line_indent = Pt(size * 2)
        font(p.add_run(text), size, bold, color, face)
        return p

    report = sheet.report
    paragraph(_("Special report"), 42, True, WD_ALIGN_PARAGRAPH.CENTER, red, "SimSun")
    paragraph(sheet.label, 16, False, WD_ALIGN_PARAGRAPH.CENTER)
    byline = document.add_paragraph()
    font(byline.add_run(_("Compiled by %(name)s", name=sheet.compiler) if sheet.compiler else ""), 14)
    font(byline.add_run("\t" + sheet.date), 14)
    byline.paragraph_format.tab_stops.add_tab_stop(Mm(156), alignment=WD_TAB_ALIGNMENT.RIGHT)
    # The red rule under the number and date (版头分隔线): the byline's bottom border.
    border, bottom = OxmlElement("w:pBdr"), OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "12"), ("w:space", "4"), ("w:color", "C00000")):
        bottom.set(qn(key), value)
    border.append(bottom)
    # Word wants pPr's children in the schema's order: the border goes before these.
    byline._p.get_or_add_pPr().insert_element_before(
        border, "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
        "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd", "w:snapToGrid",
        "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
        "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
        "w:rPr", "w:sectPr", "w:pPrChange",
    )
    paragraph(report.title, 22, True, WD_ALIGN_PARAGRAPH.CENTER, face="SimHei")
    if sheet.corrects is not None:
        paragraph(_("This report corrects %(label)s: %(title)s", label=issue_label(sheet.corrects),
                    title=sheet.corrects.title), 14, False, WD_ALIGN_PARAGRAPH.CENTER)
    for line in (report.summary or "").split("\n"):
        if line.strip():
            paragraph(line.strip())
    figures = sheet.overview
    paragraph(_("This report holds %(matters)s matters from %(towns)s towns and subdistricts, "
                "supported %(supports)s times by residents.", **{k: figures[k] for k in ("matters", "towns", "supports")}))
    if figures["breakdown"]:
        paragraph(_("By category: %(list)s.", list=figures["breakdown"]))
    for n, item in enumerate(sheet.items, 1):
        issue = item.issue
        paragraph(f"{heading_number(n, chinese)}{issue.title}", 16, True, face="SimHei", indent=False)
        where = " · ".join(x for x in (sheet.towns.get(issue.venue_id, ""), issue.venue.name,
                                        labels.localized(issue.category) if issue.category_id else "") if x)
        paragraph(_("%(where)s · raised %(date)s · %(count)s supports", where=where,
                    date=format_date(timefmt.local_date(issue.created_at), "long"), count=issue.support_count), 12)
        paragraph(issue.body)
        if item.note:
            paragraph(_("Note: %(note)s", note=item.note), 16, True)
    if sheet.handled:
        document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        paragraph(_("How each matter was handled since"), 18, True, WD_ALIGN_PARAGRAPH.CENTER, face="SimHei")
        for n, item in enumerate(sheet.items, 1):
            paragraph(f"{heading_number(n, chinese)}{item.issue.title}: {handling_line(item, sheet.handled)}", 14)
    closing = document.add_paragraph()
    closing.paragraph_format.space_before = Pt(24)
    font(closing.add_run(_("To: the city leadership. Forwarded to the city government, whose departments "
                           "handle each matter and answer the residents.")), 12)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def handling_line(item, handled):
    """One line on how a reported matter was handled: status, department, grade, rating."""
    summary = handled.get(item.issue_id)
    parts = [str(labels.label("issue_status", item.issue.status))]
    if summary is not None and summary.lead is not None:
        parts.append(labels.localized(summary.lead.department))
    if summary is not None and summary.answers:
        parts.append(_("Grade %(grade)s", grade=labels.label("grade", summary.answers[-1].grade)))
    if summary is not None and summary.ratings:
        parts.append(str(labels.label("rating", summary.ratings[-1].rating)))
    return " · ".join(parts)
