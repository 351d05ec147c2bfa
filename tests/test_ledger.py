"""The ledger (台账): who sees which matters, every filter and sort, keyset pages, counts per
status, overdue marking, and the CSV and XLSX exports read back equal to the page."""
import csv
import datetime
import io
from datetime import timedelta
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

import models
from domain import handling, ledger, workflow
from models import utcnow
from tests.conftest import POSTGRES

ZH_HEADERS = ["编号", "标题", "议事场所", "镇（街道）", "层级", "分类", "承办单位", "状态", "交办日期",
              "办理时限", "已办天数", "已超期", "满意度"]
EN_HEADERS = ["No.", "Title", "Venue", "Town / subdistrict", "Level", "Category", "Handling department",
              "Status", "Assigned on", "Due date", "Days open", "Overdue", "Satisfaction rating"]


class World:
    """Two towns, a pavilion in each, departments at every level, and matters in many states, all
    made through the closed loop's own functions."""

    def __init__(self, make):
        now = utcnow()
        self.city = make.region("枝江市", kind="city")
        self.town = make.region("马家店街道", kind="subdistrict", parent=self.city)
        self.village = make.region("团结社区", kind="community", parent=self.town)
        self.other_town = make.region("董市镇", kind="town", parent=self.city)
        self.other_village = make.region("董市村", kind="village", parent=self.other_town)
        self.venue = make.venue("团结路议事亭", region=self.village, slug="tuanjie")
        self.other_venue = make.venue("董市村议事厅", kind="hall", region=self.other_village, slug="dongshi")
        dept = models.Department.create
        self.office = dept(name="马家店街道办事处", name_en="Majiadian Office", level="town", region=self.town)
        self.works = dept(name="马家店城建办", name_en="Majiadian Works", level="town", region=self.town)
        self.dongshi = dept(name="董市镇人民政府", name_en="Dongshi Government", level="town",
                            region=self.other_town)
        self.water = dept(name="市水利和湖泊局", name_en="City Water Bureau", level="city", region=self.city)
        self.roads = models.Category.create(
            code="roads", name="道路", name_en="Roads", time_limit_days=10,
            town_department=self.office, city_department=self.water,
        )
        self.refuse = models.Category.create(code="refuse", name="环境卫生", name_en="Sanitation",
                                             time_limit_days=5, town_department=self.works)
        self.author = make.user("author")
        self.councillor = make.user("councillor")
        self.deputy = make.user("deputy")
        self.admin = make.user("admin", is_admin=True)
        self.office_staff = make.user("office")
        self.works_staff = make.user("works")
        self.dongshi_staff = make.user("dongshi")
        make.member(self.author, self.venue)
        make.member(self.author, self.other_venue)
        make.member(self.councillor, self.venue, role="councillor")
        make.member(self.deputy, self.other_venue, role="deputy")
        for department, user in ((self.office, self.office_staff), (self.works, self.works_staff),
                                 (self.dongshi, self.dongshi_staff)):
            models.DepartmentStaff.create(department=department, user=user)

        long_ago = now - timedelta(days=40)
        # Overdue: assigned 40 days ago with 10 working days, nobody signed. Works co-handles it.
        self.overdue = self.matter(self.venue, "路口积水严重", self.councillor, self.office, at=long_ago,
                                   co=[self.works])
        # In progress at the works office, a sanitation matter.
        self.handled = self.matter(self.venue, "垃圾清运不及时", self.councillor, self.works,
                                   category=self.refuse, at=now - timedelta(days=3))
        handling.sign(handling.lead_of(self.handled), self.works_staff, now=now - timedelta(days=2))
        # City level, answered and rated: closed with a rating.
        self.closed = self.matter(self.venue, "河堤护坡破损", self.councillor, self.water, level="city",
                                  at=now - timedelta(days=30))
        handling.answer(handling.lead_of(self.closed), self.admin_as_water(make), "resolved", "已修复。", "A",
                        now=now - timedelta(days=20))
        handling.rate(self.fresh(self.closed), self.author, "satisfied", now=now - timedelta(days=19))
        # Returned by the office, then routed to the works office.
        self.rerouted = self.matter(self.venue, "路灯不亮", self.councillor, self.office,
                                    at=now - timedelta(days=1))
        handling.return_(handling.lead_of(self.rerouted), self.office_staff, "不属于本单位职责", now=now)
        handling.assign(self.fresh(self.rerouted), self.councillor, self.works, now=now)
        # At the other town: one just assigned, one reopened after a dissatisfied rating.
        self.elsewhere = self.matter(self.other_venue, "村道坑洼", self.deputy, self.dongshi, at=now)
        self.reopened = self.matter(self.other_venue, "自来水水压低", self.deputy, self.dongshi,
                                    at=now - timedelta(days=10))
        handling.answer(handling.lead_of(self.reopened), self.dongshi_staff, "explained", "需要改造管网。", "C",
                        now=now - timedelta(days=5))
        handling.rate(self.fresh(self.reopened), self.author, "dissatisfied", "还是没水", now=now - timedelta(days=4))
        # Raised and accepted, never assigned: not a tracked matter.
        self.untracked = workflow.raise_issue(self.venue, self.author, "小区绿化", "需要补种。")

    def admin_as_water(self, make):
        self.water_staff = make.user("water")
        models.DepartmentStaff.create(department=self.water, user=self.water_staff)
        return self.water_staff

    @staticmethod
    def fresh(issue):
        return models.Issue.get_by_id(issue.id)

    def matter(self, venue, title, assigner, lead, at, level="town", category=None, co=()):
        issue = workflow.raise_issue(venue, self.author, title, "详情见标题。", category=category or self.roads,
                                     at=at - timedelta(hours=1))
        workflow.accept(issue, self.admin)  # deputies assign but do not triage
        issue = self.fresh(issue)
        handling.classify(issue, assigner, issue.category, level)
        handling.assign(self.fresh(issue), assigner, lead, co=co, now=at)
        return self.fresh(issue)

    @property
    def tracked(self):
        return [self.overdue, self.handled, self.closed, self.rerouted, self.elsewhere, self.reopened]


@pytest.fixture
def world(make):
    return World(make)


class TableReader(HTMLParser):
    """The text of each cell of the ledger table's body, row by row, and each row's classes."""

    def __init__(self):
        super().__init__()
        self.rows, self.classes, self.cell, self.in_body = [], [], None, False

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_body = True
        elif self.in_body and tag == "tr":
            self.rows.append([])
            self.classes.append(dict(attrs).get("class", "").split())
        elif self.in_body and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_body = False
        elif self.in_body and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table(response):
    reader = TableReader()
    reader.feed(response.get_data(as_text=True))
    return reader


def ids(response):
    return [int(row[0]) for row in table(response).rows]


def login(auth, user):
    auth.logout()
    assert auth.login(user.username).status_code == 303


def all_pages(client, url):
    """The issue ids of every page, following the Next page links."""
    seen, pages = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200
        seen += ids(response)
        pages += 1
        html = response.get_data(as_text=True)
        marker = 'rel="next" href="'
        url = html.split(marker, 1)[1].split('"', 1)[0].replace("&amp;", "&") if marker in html else None
    return seen, pages


# Who sees what -------------------------------------------------------------------------------------

def test_visitors_are_sent_to_log_in(client, world):
    for path in ("/ledger", "/ledger.csv", "/ledger.xlsx"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_residents_are_refused(client, auth, world):
    login(auth, world.author)
    for path in ("/ledger", "/ledger.csv", "/ledger.xlsx"):
        assert client.get(path).status_code == 403
    assert "/ledger" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("who, expected", [
    ("councillor", ["overdue", "handled", "closed", "rerouted"]),
    ("deputy", ["elsewhere", "reopened"]),
    # The office's returned matter went to the works office; works co-handles the overdue one.
    ("office_staff", ["overdue"]),
    ("works_staff", ["overdue", "handled", "rerouted"]),
    ("dongshi_staff", ["elsewhere", "reopened"]),
    ("admin", ["overdue", "handled", "closed", "rerouted", "elsewhere", "reopened"]),
])
def test_each_role_sees_only_its_matters(client, auth, world, who, expected):
    login(auth, getattr(world, who))
    response = client.get("/ledger")
    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(getattr(world, name).id for name in expected)
    assert 'href="/ledger"' in response.get_data(as_text=True)  # in the navigation


def test_a_department_cannot_reach_other_matters_through_the_filters(client, auth, world):
    login(auth, world.office_staff)
    assert ids(client.get(f"/ledger?venue={world.other_venue.id}")) == []
    assert ids(client.get(f"/ledger?department={world.dongshi.id}")) == []
    rows = list(csv.reader(io.StringIO(client.get("/ledger.csv").get_data().decode("utf-8-sig"))))
    assert [int(r[0]) for r in rows[1:]] == [world.overdue.id]


def test_one_row_per_matter_showing_its_latest_lead(client, auth, world):
    login(auth, world.admin)
    rows = {int(r[0]): r for r in table(client.get("/ledger?lang=zh")).rows}
    assert rows[world.rerouted.id][6] == "马家店城建办"
    assert rows[world.reopened.id][6] == "董市镇人民政府"
    assert models.Issue.get_by_id(world.reopened.id).status == "in_progress"
    assert world.untracked.id not in rows


# Filters and sorts -------------------------------------------------------------------------------

@pytest.mark.parametrize("query, expected", [
    ("venue={other_venue}", ["elsewhere", "reopened"]),
    ("town={other_town}", ["elsewhere", "reopened"]),
    ("town={town}", ["overdue", "handled", "closed", "rerouted"]),
    ("level=city", ["closed"]),
    ("category={refuse}", ["handled"]),
    ("department={works}", ["handled", "rerouted"]),
    ("status=closed", ["closed"]),
    ("status=in_progress", ["handled", "reopened"]),
    ("overdue=1", ["overdue"]),
    ("q=路灯", ["rerouted"]),
    ("q=积水&overdue=1", ["overdue"]),
    ("q=!!!", []),
    ("venue=abc&level=province&status=nonsense&sort=evil&after=zzz",
     ["overdue", "handled", "closed", "rerouted", "elsewhere", "reopened"]),
])
def test_every_filter(client, auth, world, query, expected):
    login(auth, world.admin)
    ids_of = {"other_venue": world.other_venue.id, "other_town": world.other_town.id, "town": world.town.id,
              "refuse": world.refuse.id, "works": world.works.id}
    response = client.get("/ledger?" + query.format(**ids_of))
    assert response.status_code == 200
    assert sorted(ids(response)) == sorted(getattr(world, name).id for name in expected)


def test_sorts(client, auth, world, db):
    login(auth, world.admin)
    rows = {int(r[0]): r for r in table(client.get("/ledger")).rows}
    due = [rows[i][9] for i in ids(client.get("/ledger"))]
    assert due == sorted(due)
    assigned = [rows[i][8] for i in ids(client.get("/ledger?sort=assigned"))]
    assert assigned == sorted(assigned, reverse=True)
    days = [int(rows[i][10]) for i in ids(client.get("/ledger?sort=days_open"))]
    assert days == sorted(days, reverse=True)
    assert ids(client.get("/ledger?sort=days_open"))[0] == world.overdue.id  # 40 days and counting


@pytest.mark.parametrize("sort", ["due", "assigned", "days_open"])
def test_keyset_pages_show_every_row_once(app, client, auth, world, sort):
    login(auth, world.admin)
    whole = ids(client.get(f"/ledger?sort={sort}"))
    app.config["LEDGER_PAGE_SIZE"] = 2
    seen, pages = all_pages(client, f"/ledger?sort={sort}")
    assert seen == whole and len(set(seen)) == len(seen) == 6
    assert pages == 3


def test_keyset_pages_keep_the_filters(app, client, auth, world):
    login(auth, world.admin)
    app.config["LEDGER_PAGE_SIZE"] = 1
    seen, pages = all_pages(client, f"/ledger?town={world.town.id}&sort=assigned")
    assert sorted(seen) == sorted(m.id for m in (world.overdue, world.handled, world.closed, world.rerouted))
    assert pages == 4


def test_a_page_after_many_ties_on_the_due_date_misses_nothing(app, client, auth, world):
    """Many matters due the same day: the id breaks the tie, so no page boundary drops one."""
    now = utcnow()
    extra = [world.matter(world.venue, f"同一天到期{n}", world.councillor, world.office, at=now)
             for n in range(5)]
    login(auth, world.admin)
    app.config["LEDGER_PAGE_SIZE"] = 2
    seen, _pages = all_pages(client, "/ledger")
    assert len(seen) == len(set(seen)) == 11
    assert {m.id for m in extra} <= set(seen)


def test_counts_per_status_take_every_filter_but_the_status(client, auth, world, db):
    counts = ledger.counts(world.admin, ledger.Filters())
    assert counts == {"assigned": 3, "in_progress": 2, "closed": 1}
    assert ledger.counts(world.admin, ledger.Filters(status="closed")) == counts
    assert ledger.counts(world.councillor, ledger.Filters()) == {"assigned": 2, "in_progress": 1, "closed": 1}
    login(auth, world.admin)
    html = client.get("/ledger?status=closed").get_data(as_text=True)
    counts_html = html.split('class="tally-counts ledger-counts"', 1)[1].split("</dl>", 1)[0]
    assert "<dd>6</dd>" in counts_html and "<dd>3</dd>" in counts_html and "<dd>2</dd>" in counts_html
    assert "/ledger?status=assigned" in counts_html


def test_overdue_rows_are_red_and_say_so(client, auth, world):
    login(auth, world.admin)
    reader = table(client.get("/ledger"))
    for row, classes in zip(reader.rows, reader.classes, strict=True):
        overdue = int(row[0]) == world.overdue.id
        assert ("overdue" in classes) == overdue
        assert row[11] == ("超期" if overdue else "未超期")
    html = client.get("/ledger").get_data(as_text=True)
    assert '<strong class="error">超期</strong>' in html


def test_titles_link_to_their_issue_and_the_table_is_accessible(client, auth, world):
    login(auth, world.admin)
    html = client.get("/ledger").get_data(as_text=True)
    assert f'href="/issues/{world.overdue.id}"' in html
    assert "<caption" in html and '<th scope="col">' in html and '<th scope="row">' in html
    assert 'class="table-wrap" role="region"' in html and 'tabindex="0"' in html
    for name in ("q", "venue", "town", "level", "category", "department", "status", "sort", "overdue"):
        assert f'for="ledger-{name}"' in html


# The same page without JavaScript, and for htmx ------------------------------------------------------

def test_the_filter_form_works_without_javascript(client, auth, world):
    login(auth, world.admin)
    response = client.get(f"/ledger?status=in_progress&sort=assigned&town={world.other_town.id}")
    html = response.get_data(as_text=True)
    assert '<form method="get" action="/ledger"' in html and "<html" in html
    assert '<option value="in_progress" selected>' in html
    assert '<option value="assigned" selected>' in html
    assert ids(response) == [world.reopened.id]
    # The exports carry the same filter.
    assert f"/ledger.csv?town={world.other_town.id}&amp;status=in_progress&amp;sort=assigned" in html


def test_htmx_gets_only_the_table(client, auth, world):
    login(auth, world.admin)
    response = client.get("/ledger?status=closed", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html and "<form" not in html
    assert ids(response) == [world.closed.id]
    assert "HX-Request" in response.headers["Vary"]


# Exports -------------------------------------------------------------------------------------------

def page_rows(client, url):
    return table(client.get(url)).rows


def csv_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    body = response.get_data()
    assert body.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def xlsx_rows(client, url):
    response = client.get(url)
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    book = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    out = []
    for row in book.active.iter_rows(values_only=True):
        out.append([
            v.date().isoformat() if isinstance(v, datetime.datetime) else "" if v is None else str(v)
            for v in row
        ])
    return out


@pytest.mark.parametrize("query", ["", "status=in_progress", "overdue=1", "sort=assigned", "q=路灯",
                                   "sort=days_open&town={town}"])
def test_exports_hold_the_pages_rows(client, auth, world, query):
    login(auth, world.admin)
    query = query.format(town=world.town.id)
    expected = page_rows(client, f"/ledger?{query}")
    for rows in (csv_rows(client, f"/ledger.csv?{query}"), xlsx_rows(client, f"/ledger.xlsx?{query}")):
        assert rows[0] == ZH_HEADERS
        assert rows[1:] == expected


def test_exports_speak_the_readers_language(client, auth, world):
    login(auth, world.admin)
    client.set_cookie("lang", "en")
    expected = page_rows(client, "/ledger")
    for rows in (csv_rows(client, "/ledger.csv"), xlsx_rows(client, "/ledger.xlsx")):
        assert rows[0] == EN_HEADERS
        assert rows[1:] == expected
    row = {int(r[0]): r for r in expected}[world.overdue.id]
    assert row[4:8] == ["town level", "Roads", "Majiadian Office", "assigned"]
    assert row[11] == "overdue"


def test_exports_ignore_the_page_cursor_and_stream_in_chunks(client, auth, world, monkeypatch):
    monkeypatch.setattr(ledger, "CHUNK", 2)
    login(auth, world.admin)
    cursor = "2000-01-01~1"
    rows = csv_rows(client, f"/ledger.csv?after={cursor}")
    assert len(rows) == 7
    assert xlsx_rows(client, f"/ledger.xlsx?after={cursor}")[1:] == rows[1:]


def test_a_title_that_looks_like_a_formula_stays_text(client, auth, world):
    world.matter(world.venue, "=HYPERLINK(\"http://x\")", world.councillor, world.office, at=utcnow())
    login(auth, world.admin)
    titles = [r[1] for r in csv_rows(client, "/ledger.csv")[1:]]
    assert "'=HYPERLINK(\"http://x\")" in titles
    response = client.get("/ledger.xlsx")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    cells = [c for row in sheet.iter_rows() for c in row if c.value == "=HYPERLINK(\"http://x\")"]
    assert cells and cells[0].data_type == "s"


# The query's plan ----------------------------------------------------------------------------------

@pytest.mark.skipif(not POSTGRES, reason="extended statistics are PostgreSQL's")
def test_postgresql_knows_how_tracked_and_status_go_together(db):
    """Without it, PostgreSQL multiplies their shares, expects many tracked issues in a status that
    has none, and counts the ledger by walking the whole table (migration 0026)."""
    found = db.execute_sql(
        "SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'issue_tracked_status'"
    ).fetchone()
    assert found is not None and "m" in found[0]

@pytest.mark.skipif(POSTGRES, reason="EXPLAIN QUERY PLAN is SQLite's")
def test_the_default_sort_walks_an_index(world, db):
    sql, params = ledger.rows(world.admin, ledger.Filters()).limit(51).sql()
    plan = " | ".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "assignment_role_due_on_id" in plan
    assert "TEMP B-TREE FOR ORDER BY" not in plan
    assert "assignment_issue_id_role_id" in plan  # the probe for a later lead
    sql, params = ledger.rows(world.admin, ledger.Filters(after="2026-01-01~5")).limit(51).sql()
    plan = " | ".join(row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall())
    assert "assignment_role_due_on_id" in plan and "TEMP B-TREE FOR ORDER BY" not in plan


def test_an_export_nobody_reads_leaves_the_next_request_alone(client, auth, world):
    """A client that hangs up never reads the body: nothing of it may run inside a later request."""
    import gc

    login(auth, world.admin)
    for path in ("/ledger.csv", "/ledger.xlsx"):
        response = client.get(path)
        assert response.status_code == 200
        del response
    gc.collect()
    assert ids(client.get("/ledger?status=closed")) == [world.closed.id]


# The counts per status -------------------------------------------------------------------------------

def test_a_lead_assignment_makes_its_issue_tracked(world, db):
    """The database keeps the flag the counts walk: set by the first lead assignment, kept after."""
    assert all(m.tracked for m in world.tracked)
    untouched = workflow.raise_issue(world.venue, world.author, "还没交办的事", "详情见标题。", category=world.roads)
    assert not World.fresh(untouched).tracked
    assert ledger.counts(world.admin, ledger.Filters()) == {"assigned": 3, "in_progress": 2, "closed": 1}


def test_counts_stop_at_the_cap_and_say_so(client, auth, world, monkeypatch):
    monkeypatch.setattr(ledger, "COUNT_CAP", 2)
    counts = ledger.counts(world.admin, ledger.Filters())
    assert counts == {"assigned": 3, "in_progress": 2, "closed": 1}  # counted no further than 3
    assert [ledger.count_label(n) for n in counts.values()] == ["2+", "2", "1"]
    assert ledger.total_label(counts) == "5+"
    assert ledger.total_label({"assigned": 2, "closed": 1}) == "3"
    login(auth, world.admin)
    counts_html = client.get("/ledger").get_data(as_text=True).split('class="tally-counts ledger-counts"', 1)[1]
    assert "<dd>5+</dd>" in counts_html.split("</dl>", 1)[0] and "<dd>2+</dd>" in counts_html


def test_counts_are_one_statement(world, statements):
    statements.clear()
    ledger.counts(world.admin, ledger.Filters(overdue=True, department=world.office.id))
    assert len(statements) == 1


@pytest.mark.skipif(POSTGRES, reason="EXPLAIN QUERY PLAN is SQLite's")
@pytest.mark.parametrize("filters", [ledger.Filters(), ledger.Filters(overdue=True), ledger.Filters(level="town")])
def test_each_status_is_counted_from_the_tracked_index(world, db, filters):
    """No count walks the issue table: each starts from the (tracked, status) index and stops at
    the cap, so a status with no tracked matter costs nothing at any size."""
    sql, params = db.get_sql_context().sql(ledger.counts_query(world.admin, filters, datetime.date.today())).query()
    plan = [row[3] for row in db.execute_sql("EXPLAIN QUERY PLAN " + sql, params).fetchall()]
    walks = [s for s in plan if s.startswith(("SCAN", "SEARCH t1")) and not s.startswith("SCAN m_")]
    assert walks and all("issue_tracked_status" in step for step in walks), plan


def test_words_are_looked_for_among_the_newest_issues_holding_them(client, auth, world, monkeypatch):
    """A word in every issue costs what a rare one does: the ledger filters the newest SEARCHED
    issues holding the words, and says so when there may be more."""
    monkeypatch.setattr(ledger, "SEARCHED", 1)
    workflow.raise_issue(world.venue, world.author, "路灯又坏了", "详情见标题。", category=world.roads)
    assert ledger.counts(world.admin, ledger.Filters(q="路灯")) == {}  # the newest holder is not tracked
    login(auth, world.admin)
    page = client.get("/ledger?q=路灯", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "looked for among the newest 1 issues" in page
