"""The special report (民情专报): numbering per year, publishing under concurrency on both engines,
what publishing does to each matter, immutability, corrections, the pages, the print view, the DOCX,
and every unhappy path (empty report, a matter that is not city-level, publishing twice, a replayed
form)."""
import contextlib
import io
import re
import threading
from datetime import datetime, timedelta

import pytest
from docx import Document
from world import LOOP_NOW, LoopWorld, text

import models
from domain import handling, permissions, reports, site
from models import AuditLog, Event, Issue, Report, ReportItem


@pytest.fixture
def loop(make):
    return LoopWorld(make)


def city_issue(loop, title="城区主干道积水", status="accepted", supports=0, **fields):
    issue = loop.issue(status=status, level="city", **fields)
    issue.title = title
    issue.support_count = supports
    issue.save()
    return Issue.get_by_id(issue.id)


def draft_with(loop, *issues, actor=None, title="民情专报（城区积水）", notes=None):
    actor = actor or loop.deputy
    report = reports.create_draft(actor, title, "本期汇总城区积水问题。")
    for n, issue in enumerate(issues):
        reports.add_item(report, actor, issue, (notes or {}).get(n, f"建议市里统筹解决第{n + 1}件"))
    return Report.get_by_id(report.id)


def publish_at(report, actor, when):
    return reports.publish(Report.get_by_id(report.id), actor, now=when)


# Numbering -------------------------------------------------------------------------------------

def test_numbers_run_per_year_and_a_new_year_starts_at_one(loop):
    late_2026 = datetime(2026, 12, 30, 2, 0)
    first = publish_at(draft_with(loop, city_issue(loop, "一号")), loop.deputy, late_2026 - timedelta(days=20))
    second = publish_at(draft_with(loop, city_issue(loop, "二号")), loop.admin, late_2026)
    # 2026-12-31 17:00 UTC is already 1 January 2027 in Zhijiang: the local year counts.
    third = publish_at(draft_with(loop, city_issue(loop, "三号")), loop.deputy, datetime(2026, 12, 31, 17, 0))
    fourth = publish_at(draft_with(loop, city_issue(loop, "四号")), loop.deputy, datetime(2027, 1, 5, 2, 0))
    assert [(r.year, r.number) for r in (first, second, third, fourth)] == [(2026, 1), (2026, 2), (2027, 1), (2027, 2)]
    # Drafts have no number and do not count.
    draft = draft_with(loop, city_issue(loop, "五号"))
    assert draft.number is None and draft.state == "draft"


def test_a_number_is_never_reused_even_when_a_later_draft_is_dropped(loop):
    first = publish_at(draft_with(loop, city_issue(loop, "一号")), loop.deputy, LOOP_NOW)
    dropped = draft_with(loop, city_issue(loop, "二号"))
    dropped.delete_instance(recursive=True)
    second = publish_at(draft_with(loop, city_issue(loop, "三号")), loop.deputy, LOOP_NOW)
    assert (first.number, second.number) == (1, 2)


def test_two_reports_published_at_once_get_distinct_numbers(loop, monkeypatch):
    """Two threads, each with its own connection, publish at the same moment. Both read the year's
    highest number before either writes (a barrier holds them there where the engine lets both in:
    PostgreSQL; SQLite's write lock at BEGIN lets only one in at a time), so on PostgreSQL one of
    them must fail on the unique (year, number) index and try again."""
    drafts = [draft_with(loop, city_issue(loop, f"并发{n}")) for n in range(2)]
    barrier = threading.Barrier(2)
    original = reports._next_number
    calls = []

    def both_read_first(year):
        number = original(year)
        calls.append(number)
        if len(calls) <= 2:
            # SQLite: the other thread waits for the write lock, not here, and the barrier breaks.
            with contextlib.suppress(threading.BrokenBarrierError):
                barrier.wait(timeout=2)
        return number

    monkeypatch.setattr(reports, "_next_number", both_read_first)
    results, errors = [], []

    def publish(report):
        try:
            with models.db.connection_context():
                results.append(reports.publish(Report.get_by_id(report.id), loop.deputy, now=LOOP_NOW).number)
        except Exception as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=publish, args=(d,)) for d in drafts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sorted(results) == [1, 2]
    assert sorted(r.number for r in Report.select().where(Report.state == "published")) == [1, 2]
    if models.db.obj.__class__.__name__.startswith("Postgres"):
        assert calls[:2] == [1, 1] and len(calls) == 3  # both read 1; the loser retried and got 2


# What publishing does --------------------------------------------------------------------------

def test_publishing_writes_the_timeline_assigns_to_the_city_department_and_audits(loop):
    waiting = city_issue(loop, "等待交办")
    handled = handling.assign(city_issue(loop, "已在办理"), loop.admin, loop.water, now=LOOP_NOW).issue
    report = publish_at(draft_with(loop, waiting, Issue.get_by_id(handled.id)), loop.deputy, LOOP_NOW)
    assert (report.state, report.published_by.id) == ("published", loop.deputy.id)

    reported = Event.get((Event.issue == waiting.id) & (Event.kind == "reported"))
    assert reported.data == {"report": report.id, "year": 2026, "number": 1}
    assert Issue.get_by_id(waiting.id).status == "assigned"
    lead = handling.lead_of(waiting)
    assert (lead.department_id, lead.assigned_by_id) == (loop.water.id, loop.deputy.id)
    # The one already assigned keeps its assignment; it is reported all the same.
    assert models.Assignment.select().where(models.Assignment.issue == handled.id).count() == 1
    assert Event.select().where((Event.issue == handled.id) & (Event.kind == "reported")).exists()
    entry = AuditLog.get(AuditLog.action == "report.publish")
    assert (entry.object_id, entry.actor_id, entry.after["number"]) == (report.id, loop.deputy.id, 1)


def test_candidates_are_city_matters_no_published_report_holds(loop):
    first = city_issue(loop, "已上报", supports=3)
    popular = city_issue(loop, "附议多", supports=9)
    town = loop.issue(status="accepted", level="town")
    answered = city_issue(loop, "已办结", status="resolved")
    draft = reports.create_draft(loop.deputy, "第二期")
    publish_at(draft_with(loop, first), loop.deputy, LOOP_NOW)
    found = [i.id for i in reports.candidates(draft, reports.Filters())]
    assert found == [popular.id]
    assert town.id not in found and answered.id not in found
    assert [i.id for i in reports.candidates(draft, reports.Filters(supports=10))] == []
    assert [i.id for i in reports.candidates(draft, reports.Filters(level="town"))] == [town.id]
    assert [i.id for i in reports.candidates(draft, reports.Filters(town=loop.other_town.id))] == []
    assert [i.id for i in reports.candidates(draft, reports.Filters(town=loop.town.id))] == [popular.id]
    assert [i.id for i in reports.candidates(draft, reports.Filters(category=loop.category.id))] == [popular.id]
    created = popular.created_at.date()
    assert [i.id for i in reports.candidates(draft, reports.Filters(since=created + timedelta(days=3)))] == []
    assert [i.id for i in reports.candidates(draft, reports.Filters(until=created + timedelta(days=1)))] == [popular.id]


def test_filters_come_from_the_address_and_bad_values_are_ignored():
    filters = reports.Filters.from_args({"since": "2026-11-01", "until": "yesterday", "category": "x",
                                         "town": "99999999999", "supports": "5", "level": "moon"})
    assert filters == reports.Filters(since=datetime(2026, 11, 1).date(), supports=5)
    assert filters.args() == {"since": "2026-11-01", "supports": 5}
    # Dates at the end of the calendar name nothing (a day after 9999-12-31 does not exist).
    assert reports.Filters.from_args({"since": "0001-01-01", "until": "9999-12-31"}) == reports.Filters()


def test_odd_addresses_and_forms_are_answered_without_errors(loop, client):
    report = reports.create_draft(loop.deputy, "草稿")
    login(client, loop.deputy)
    assert client.get(f"/reports/{report.id}/edit?since=0001-01-01&until=9999-12-31&supports=99999999999"
                      "&town=x&level=moon").status_code == 200
    for sent in ({"issue": "99999999999"}, {"issue": "abc"}, {}, {"issue": "0"}, {"issue": "424242"}):
        response = client.post(f"/reports/{report.id}/items", data=sent)
        assert response.status_code == 422, sent
    assert client.post(f"/reports/{report.id}/items/1/move", data={"direction": "sideways"}).status_code == 422
    assert client.post(f"/reports/{report.id}/items/1/remove").status_code == 422  # not in the report
    assert client.get("/reports/424242").status_code == 404


def test_items_are_ordered_noted_and_removed(loop):
    a, b, c = (city_issue(loop, t) for t in ("甲", "乙", "丙"))
    report = draft_with(loop, a, b, c)
    reports.move_item(report, loop.deputy, c.id, "up")
    reports.move_item(report, loop.deputy, a.id, "up")  # the first stays first
    assert [i.issue_id for i in reports.items_of(report)] == [a.id, c.id, b.id]
    reports.set_note(report, loop.deputy, c.id, "群众反映强烈")
    reports.remove_item(report, loop.deputy, a.id)
    assert [(i.issue_id, i.note) for i in reports.items_of(report)][0] == (c.id, "群众反映强烈")
    assert Report.get_by_id(report.id).item_count == 2


# Unhappy paths ---------------------------------------------------------------------------------

def test_an_empty_report_is_not_published(loop):
    report = reports.create_draft(loop.deputy, "空的")
    with pytest.raises(reports.ReportError) as refused:
        reports.publish(report, loop.deputy, now=LOOP_NOW)
    assert refused.value.code == "empty"
    assert Report.get_by_id(report.id).state == "draft" and Report.get_by_id(report.id).number is None


def test_a_matter_that_is_not_city_level_is_refused(loop):
    report = reports.create_draft(loop.deputy, "第一期")
    town = loop.issue(status="accepted", level="town")
    with pytest.raises(reports.ReportError) as refused:
        reports.add_item(report, loop.deputy, town)
    assert refused.value.code == "not_city"
    # Nor one that went down a level after it was added: publishing checks again.
    moved = city_issue(loop)
    reports.add_item(report, loop.deputy, moved)
    Issue.update(level="town").where(Issue.id == moved.id).execute()
    with pytest.raises(reports.ReportError) as refused:
        reports.publish(Report.get_by_id(report.id), loop.deputy, now=LOOP_NOW)
    assert (refused.value.code, refused.value.issue.id) == ("not_city", moved.id)
    assert not Event.select().where(Event.kind == "reported").exists()


def test_publishing_twice_is_refused_and_numbers_nothing_more(loop):
    report = publish_at(draft_with(loop, city_issue(loop)), loop.deputy, LOOP_NOW)
    with pytest.raises(reports.ReportError) as refused:
        reports.publish(Report.get_by_id(report.id), loop.deputy, now=LOOP_NOW)
    assert refused.value.code == "published"
    assert Report.get_by_id(report.id).number == 1
    assert Event.select().where(Event.kind == "reported").count() == 1


def test_the_same_matter_added_twice_is_refused(loop):
    issue = city_issue(loop)
    report = draft_with(loop, issue)
    with pytest.raises(reports.ReportError) as refused:
        reports.add_item(report, loop.deputy, issue)
    assert refused.value.code == "duplicate"
    assert Report.get_by_id(report.id).item_count == 1


def test_a_matter_in_two_drafts_goes_out_once(loop):
    issue = city_issue(loop)
    first, second = draft_with(loop, issue), draft_with(loop, issue)
    publish_at(first, loop.deputy, LOOP_NOW)
    with pytest.raises(reports.ReportError) as refused:
        publish_at(second, loop.deputy, LOOP_NOW)
    assert refused.value.code == "reported"


def test_a_draft_can_be_thrown_away_but_a_published_report_cannot(loop, client):
    issue = city_issue(loop)
    draft = draft_with(loop, issue)
    login(client, loop.deputy)
    response = client.post(f"/reports/{draft.id}/discard")
    assert response.status_code == 303 and response.headers["Location"] == "/reports"
    assert Report.get_or_none(Report.id == draft.id) is None
    assert Issue.get_by_id(issue.id).status == "accepted"  # the matter itself stays
    report = publish_at(draft_with(loop, issue), loop.deputy, LOOP_NOW)
    refused = client.post(f"/reports/{report.id}/discard")
    assert refused.status_code == 409
    assert Report.get_by_id(report.id).state == "published"
    assert ReportItem.select().where(ReportItem.report == report.id).count() == 1


def test_a_published_report_cannot_be_changed(loop):
    issue, other = city_issue(loop), city_issue(loop, "另一件")
    report = publish_at(draft_with(loop, issue), loop.deputy, LOOP_NOW)
    for act in (
        lambda r: reports.add_item(r, loop.deputy, other),
        lambda r: reports.remove_item(r, loop.deputy, issue.id),
        lambda r: reports.set_note(r, loop.deputy, issue.id, "改一改"),
        lambda r: reports.move_item(r, loop.deputy, issue.id, "down"),
        lambda r: reports.update_draft(r, loop.deputy, "新标题", ""),
        lambda r: reports.discard(r, loop.deputy),
    ):
        with pytest.raises(reports.ReportError) as refused:
            act(Report.get_by_id(report.id))
        assert refused.value.code == "published"
    assert [(i.issue_id, i.note) for i in reports.items_of(report)] == [(issue.id, "建议市里统筹解决第1件")]
    assert Report.get_by_id(report.id).title == "民情专报（城区积水）"


def test_a_correction_is_a_new_report_that_refers_to_the_old_one(loop, app):
    issue = city_issue(loop)
    original = publish_at(draft_with(loop, issue), loop.deputy, LOOP_NOW)
    with app.test_request_context():
        correction = reports.start_correction(Report.get_by_id(original.id), loop.admin)
    assert correction.corrects_id == original.id and correction.state == "draft"
    assert [(i.issue_id, i.note) for i in reports.items_of(correction)] == [(issue.id, "建议市里统筹解决第1件")]
    reports.set_note(correction, loop.admin, issue.id, "更正：应由市住建局牵头")
    published = publish_at(correction, loop.admin, LOOP_NOW + timedelta(days=1))
    assert published.number == 2
    assert [r.id for r in reports.corrections_of(original)] == [correction.id]
    # The matter was assigned when first reported; it is reported again, not assigned again.
    assert models.Assignment.select().where(models.Assignment.issue == issue.id).count() == 1
    draft = reports.create_draft(loop.admin, "草稿")
    with app.test_request_context(), pytest.raises(reports.ReportError) as refused:
        reports.start_correction(draft, loop.admin)
    assert refused.value.code == "not_published"


def test_who_may_compile_read_and_edit(loop, make):
    from flask_login import AnonymousUserMixin

    report = reports.create_draft(loop.deputy, "草稿")
    nobody = AnonymousUserMixin()
    for user, compiles in ((nobody, False), (loop.author, False), (loop.councillor, False),
                           (loop.water_staff, False), (loop.deputy, True), (loop.admin, True)):
        assert permissions.can_compile_reports(user) is compiles
        assert permissions.can_see_report(user, report) is compiles  # a draft: compilers only
        assert permissions.can_edit_report(user, report) is compiles
    with pytest.raises(permissions.NotAllowed):
        reports.create_draft(loop.councillor, "不行")
    with pytest.raises(permissions.NotAllowed):
        reports.add_item(report, loop.author, city_issue(loop))
    reports.add_item(report, loop.deputy, city_issue(loop, "可以"))
    publish_at(report, loop.deputy, LOOP_NOW)
    assert permissions.can_see_report(nobody, Report.get_by_id(report.id))
    # A deputy whose membership is only pending compiles nothing.
    pending = make.user("pendingdeputy")
    make.member(pending, loop.venue, role="deputy", status="pending")
    assert not permissions.can_compile_reports(pending)


# Pages -----------------------------------------------------------------------------------------

def login(client, user):
    assert client.post("/login", data={"username": user.username, "password": "password123"}).status_code == 303


def published_report(loop):
    first, second = city_issue(loop, "城区主干道积水", supports=12), city_issue(loop, "老城区供水管网老化", supports=4)
    report = draft_with(loop, first, second, notes={0: "涉及全市排水规划", 1: "建议纳入明年预算"})
    return publish_at(report, loop.deputy, LOOP_NOW), (first, second)


def test_the_public_pages_show_a_published_report_and_how_it_was_handled(loop, client):
    report, (first, second) = published_report(loop)
    lead = handling.lead_of(first)
    handling.answer(lead, loop.water_staff, "resolved", "已疏通排水管网。", "A", now=LOOP_NOW + timedelta(days=2))
    handling.rate(Issue.get_by_id(first.id), loop.author, "satisfied", now=LOOP_NOW + timedelta(days=3))
    listing = text(client.get("/reports"))
    assert "民情专报（城区积水）" in listing and "2026年第1期" in listing
    page = client.get(f"/reports/{report.id}")
    body = text(page)
    assert page.status_code == 200
    for expected in ("城区主干道积水", "涉及全市排水规划", "建议纳入明年预算", "2026年第1期", "市水利和湖泊局",
                     "满意", "A类：已解决或基本解决"):
        assert expected in body, expected
    issue_page = text(client.get(f"/issues/{first.id}"))
    assert f'href="/reports/{report.id}"' in issue_page and "2026年第1期" in issue_page


def test_the_print_view_is_laid_out_for_a4(loop, client, app):
    report, (first, _second) = published_report(loop)
    response = client.get(f"/reports/{report.id}/print")
    body = text(response)
    assert response.status_code == 200
    assert 'href="/static/report-print.css"' in body
    assert "2026年第1期" in body and "2026年12月3日" in body and "涉及全市排水规划" in body
    words = re.sub(r"<[^>]+>", "", body)
    assert "一、城区主干道积水" in words and "二、老城区供水管网老化" in words
    assert "· 议事</title>" in body
    site.save_settings(None, {"name": "枝江议事", "name_en": "Zhijiang Deliberation"})
    assert "· 枝江议事</title>" in text(client.get(f"/reports/{report.id}/print"))
    english = text(client.get(f"/reports/{report.id}/print", headers={"Accept-Language": "en"}))
    assert "· Zhijiang Deliberation</title>" in english
    css = client.get("/static/report-print.css")
    sheet = text(css)
    assert "size: A4" in sheet and "break-before: page" in sheet and "break-inside: avoid" in sheet
    css.close()


def test_the_docx_holds_every_item_and_note(loop, client):
    report, (first, second) = published_report(loop)
    response = client.get(f"/reports/{report.id}/docx")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response.headers["Content-Disposition"]
    document = Document(io.BytesIO(response.data))
    paragraphs = [p.text for p in document.paragraphs]
    whole = "\n".join(paragraphs)
    for expected in ("民情专报", "2026年第1期", "民情专报（城区积水）", "本期汇总城区积水问题。",
                     "一、城区主干道积水", "二、老城区供水管网老化", "涉及全市排水规划", "建议纳入明年预算"):
        assert expected in whole, expected
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    # The red rule under the number and date, where Word's schema puts a paragraph border.
    byline = next(p for p in document.paragraphs if "2026年12月3日" in p.text)
    children = [child.tag.rsplit("}", 1)[1] for child in byline._p.pPr]
    assert children.index("pBdr") < children.index("tabs")


def test_a_draft_is_for_compilers_only(loop, client):
    report = draft_with(loop, city_issue(loop))
    for path in (f"/reports/{report.id}", f"/reports/{report.id}/print", f"/reports/{report.id}/docx"):
        assert client.get(path).status_code == 302  # a visitor is sent to log in
    login(client, loop.author)
    assert client.get(f"/reports/{report.id}").status_code == 403
    assert "民情专报（城区积水）" not in text(client.get("/reports"))


def test_a_deputy_compiles_and_publishes_through_the_forms(loop, client):
    issue = city_issue(loop, "城区主干道积水", supports=5)
    town = loop.issue(status="accepted", level="town")
    login(client, loop.deputy)
    empty = client.post("/reports/new", data={"title": "", "summary": "概述"})
    assert empty.status_code == 422 and "概述" in text(empty)
    created = client.post("/reports/new", data={"title": "2026年12月民情专报", "summary": "本月城区问题。"})
    assert created.status_code == 303
    report = Report.get(Report.title == "2026年12月民情专报")
    edit = text(client.get(created.headers["Location"] + "?supports=3"))
    assert "城区主干道积水" in edit and 'value="3"' in edit
    added = client.post(f"/reports/{report.id}/items?supports=3", data={"issue": issue.id})
    assert added.status_code == 303 and added.headers["Location"].endswith("?supports=3")
    replay = client.post(f"/reports/{report.id}/items", data={"issue": issue.id})
    assert replay.status_code == 422 and "已在本期" in text(replay)
    not_city = client.post(f"/reports/{report.id}/items", data={"issue": town.id})
    assert not_city.status_code == 422 and "只有市级" in text(not_city)
    untitled = client.post(f"/reports/{report.id}/edit", data={"title": " ", "summary": "新的编者按"})
    assert untitled.status_code == 422 and "新的编者按" in text(untitled) and "请填写本期专报的标题" in text(untitled)
    assert Report.get_by_id(report.id).summary == "本月城区问题。"
    bad_note = "长" * 2001
    noted = client.post(f"/reports/{report.id}/items/{issue.id}/note", data={f"item{issue.id}-note": bad_note})
    assert noted.status_code == 422 and bad_note in text(noted)
    noted = client.post(f"/reports/{report.id}/items/{issue.id}/note", data={f"item{issue.id}-note": "请市里牵头"})
    assert noted.status_code == 303
    assert ReportItem.get(ReportItem.issue == issue.id).note == "请市里牵头"
    preview = text(client.get(f"/reports/{report.id}"))
    assert "草稿" in preview and "请市里牵头" in preview
    published = client.post(f"/reports/{report.id}/publish")
    assert published.status_code == 303
    assert Report.get_by_id(report.id).number == 1
    again = client.post(f"/reports/{report.id}/publish")
    assert again.status_code == 409 and "已经发布" in text(again)
    late = client.post(f"/reports/{report.id}/items/{issue.id}/note", data={f"item{issue.id}-note": "再改"})
    assert late.status_code == 409
    assert ReportItem.get(ReportItem.issue == issue.id).note == "请市里牵头"
    assert client.get(f"/reports/{report.id}/edit").status_code == 303


def test_an_empty_report_is_refused_on_the_page(loop, client):
    login(client, loop.admin)
    report = reports.create_draft(loop.admin, "空的一期")
    response = client.post(f"/reports/{report.id}/publish")
    assert response.status_code == 422 and "还没有" in text(response)


def test_forms_need_the_csrf_token(loop, csrf_app):
    client = csrf_app.test_client()
    login_page = client.get("/login")
    assert login_page.status_code == 200
    report = reports.create_draft(loop.deputy, "草稿")
    response = client.post(f"/reports/{report.id}/publish")
    assert response.status_code == 400
    assert Report.get_by_id(report.id).state == "draft"


def test_the_migration_keeps_an_earlier_report_numbered_in_its_year(db):
    import importlib

    from playhouse.migrate import SchemaMigrator

    migration = importlib.import_module("migrations.0010_special_report")
    migrator = SchemaMigrator.from_database(db.obj)
    migration.down(migrator, db.obj)
    param = db.obj.param
    db.execute_sql(
        f"INSERT INTO report (number, title, summary, published_at, created_at) VALUES "
        f"(7, {param}, '', {param}, {param})",
        ("旧专报", datetime(2025, 6, 1, 8, 0), datetime(2025, 5, 30, 8, 0)),
    )
    migration.up(migrator, db.obj)
    old = Report.get(Report.title == "旧专报")
    assert (old.state, old.year, old.number, old.item_count) == ("published", 2025, 7, 0)
    assert old.updated_at == datetime(2025, 5, 30, 8, 0)


def test_a_correction_through_the_pages_is_shown_both_ways(loop, client):
    report, (first, _second) = published_report(loop)
    login(client, loop.deputy)
    started = client.post(f"/reports/{report.id}/correct")
    assert started.status_code == 303
    correction = Report.get(Report.corrects == report.id)
    assert started.headers["Location"].endswith(f"/reports/{correction.id}/edit")
    edit = text(client.get(f"/reports/{correction.id}/edit"))
    assert "涉及全市排水规划" in edit  # the notes came along, to be put right
    assert client.post(f"/reports/{correction.id}/items/{first.id}/note",
                       data={f"item{first.id}-note": "更正：由市住建局牵头"}).status_code == 303
    assert client.post(f"/reports/{correction.id}/publish").status_code == 303
    original_page = text(client.get(f"/reports/{report.id}"))
    correction_page = text(client.get(f"/reports/{correction.id}"))
    assert "已由以下专报更正" in original_page and f'href="/reports/{correction.id}"' in original_page
    assert "本期更正" in correction_page and f'href="/reports/{report.id}"' in correction_page
    assert "更正：由市住建局牵头" in correction_page
    # The original did not change.
    assert ReportItem.get((ReportItem.report == report.id) & (ReportItem.issue == first.id)).note == "涉及全市排水规划"
    # Correcting a draft is refused with the reason, not an error.
    draft = reports.create_draft(loop.deputy, "草稿")
    refused = client.post(f"/reports/{draft.id}/correct")
    assert refused.status_code == 409 and "只有已发布的专报才能更正" in text(refused)


def test_the_report_reads_in_english(loop, client):
    report, _issues = published_report(loop)
    client.set_cookie("lang", "en")
    body = text(client.get(f"/reports/{report.id}"))
    assert "2026, No. 1" in body and "Special report" in body and "How each matter was handled since" in body
    response = client.get(f"/reports/{report.id}/docx")
    words = "\n".join(p.text for p in Document(io.BytesIO(response.data)).paragraphs)
    assert "1. 城区主干道积水" in words and "Note: 涉及全市排水规划" in words
