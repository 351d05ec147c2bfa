"""Issues from the outside: the venue's list, raising and recording issues, the issue page, its
polled status badge, similar issues and the site-wide search, for every kind of visitor."""
import re

import pytest
from playwright.sync_api import expect
from world import HX, browser_login, text

from domain import workflow
from models import Category, Comment, Event, Follow, Issue, Support, Venue

TITLE = "小区路灯坏了"


def plain(response):
    """The page without the search's <mark>s around matched words (issue 15 marks them)."""
    return text(response).replace("<mark>", "").replace("</mark>", "")
BODY = "三号楼门口的路灯坏了两个星期，晚上很黑。"


class Site:
    """A pavilion with its people and categories, an archived venue and a venue elsewhere."""

    def __init__(self, make):
        self.venue = make.venue(name="阳光小区议事亭", slug="yangguang")
        self.archived = make.venue(name="旧议事亭", slug="old-pavilion", archived=True)
        self.elsewhere = make.venue(name="江汉花园议事亭", slug="elsewhere")
        self.sanitation = Category.create(code="sanitation", name="环境卫生", name_en="Sanitation", position=0)
        self.roads = Category.create(code="roads", name="道路交通", name_en="Roads and traffic", position=1)
        self.retired = Category.create(code="retired", name="旧分类", name_en="Retired", position=2,
                                       archived=True)
        self.resident = make.user("resident", display_name="张大姐")
        make.member(self.resident, self.venue)
        self.neighbour = make.user("neighbour", display_name="刘师傅")
        make.member(self.neighbour, self.venue)
        self.councillor = make.user("councillor", display_name="王议政")
        make.member(self.councillor, self.venue, "councillor")
        make.member(self.councillor, self.archived, "councillor")
        self.deputy = make.user("deputy", display_name="李代表")
        make.member(self.deputy, self.venue, "deputy")
        self.outsider = make.user("outsider", display_name="外地议政员")
        make.member(self.outsider, self.elsewhere, "councillor")
        self.admin = make.user("admin", display_name="系统管理员", is_admin=True)

    def issue(self, title=TITLE, body=BODY, author=None, venue=None, **fields):
        return workflow.raise_issue(
            venue or self.venue, author or self.resident, title, body,
            category=fields.pop("category", self.roads), **fields
        )


@pytest.fixture
def site(make):
    return Site(make)


def form_data(**overrides):
    data = {"title": TITLE, "body": BODY, "category": str(Category.get(Category.code == "roads").id)}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def csrf_token(client, path):
    return re.search(r'name="csrf-token" content="([^"]+)"', text(client.get(path))).group(1)


def login_with_csrf(client, username):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"username": username, "password": "password123",
                                           "csrf_token": token})
    assert response.status_code == 303


# The venue page -------------------------------------------------------------------------------

def test_a_visitor_sees_the_venues_issues_with_status_category_and_counts(client, site):
    issue = site.issue()
    Issue.update(support_count=12, comment_count=3).where(Issue.id == issue.id).execute()
    page = text(client.get("/v/yangguang"))
    assert f'href="/issues/{issue.id}"' in page and TITLE in page
    assert f'id="status-{issue.id}"' in page and "已提交" in page
    assert "道路交通" in page
    assert re.search(r"附议\s*<strong>12</strong>", page)
    assert re.search(r"评论\s*<strong>3</strong>", page)
    assert "这里共有 1 条民情" in page
    assert 'href="/v/yangguang/issues/new"' in page and "我要反映" in page
    assert "/issues/record" not in page


@pytest.mark.parametrize(
    ("who", "can_record"),
    [("resident", False), ("councillor", True), ("deputy", True), ("outsider", False), ("admin", True)],
)
def test_only_the_venues_councillors_deputies_and_admins_see_record_on_behalf(
    client, auth, site, who, can_record
):
    auth.login(who)
    page = text(client.get("/v/yangguang"))
    assert ('href="/v/yangguang/issues/record"' in page) is can_record
    assert "我要反映" in page


@pytest.mark.parametrize("who", [None, "resident", "councillor"])
def test_the_venue_page_answers_htmx_with_the_list_fragment(client, auth, site, who):
    if who:
        auth.login(who)
    site.issue()
    response = client.get("/v/yangguang?sort=supported", headers=HX)
    assert response.status_code == 200
    assert "<html" not in text(response) and TITLE in text(response)
    assert "HX-Request" in response.headers["Vary"]


def test_the_list_filters_by_status_and_category_and_sorts(client, site):
    lamp = site.issue()
    bins = site.issue("垃圾桶满了没人清", "垃圾桶每天都满，夏天味道很大。", category=site.sanitation)
    Issue.update(support_count=9).where(Issue.id == lamp.id).execute()
    workflow.transition(bins, "accepted", site.councillor)

    newest = text(client.get("/v/yangguang"))
    assert newest.index("垃圾桶满了") < newest.index(TITLE)
    supported = text(client.get("/v/yangguang?sort=supported"))
    assert supported.index(TITLE) < supported.index("垃圾桶满了")

    accepted = text(client.get("/v/yangguang?status=accepted", headers=HX))
    assert "垃圾桶满了" in accepted and TITLE not in accepted
    roads = text(client.get("/v/yangguang?category=roads", headers=HX))
    assert TITLE in roads and "垃圾桶满了" not in roads
    none = text(client.get("/v/yangguang?status=closed", headers=HX))
    assert "没有符合筛选条件的民情" in none


def test_the_list_searches_the_venues_issues_in_chinese(client, site):
    site.issue()
    site.issue("垃圾桶满了没人清", "垃圾桶每天都满，夏天味道很大。", category=site.sanitation)
    site.issue("路灯不亮", "这里的路灯也坏了。", venue=site.elsewhere)
    found = plain(client.get("/v/yangguang?q=路灯", headers=HX))
    assert TITLE in found and "垃圾桶" not in found and "路灯不亮" not in found
    assert "垃圾桶" in plain(client.get("/v/yangguang?q=垃圾&sort=new", headers=HX))


@pytest.mark.parametrize(
    "query",
    ["status=bogus", "category=nope", "sort=sideways", "page=abc", "page=-1", "page=0",
     "q=%22%27%3B--", "q=" + "长" * 500, "status=&category=&sort=&page=", "q=%00"],
)
def test_bad_list_parameters_are_ignored(client, site, query):
    site.issue()
    response = client.get(f"/v/yangguang?{query}")
    assert response.status_code == 200


def test_the_list_pages_through_many_issues(client, site, app):
    app.config["PAGE_SIZE"] = 3
    for n in range(5):
        site.issue(f"第{n}号楼路灯坏了")
    first = text(client.get("/v/yangguang"))
    assert first.count('class="issue-row"') == 3
    assert 'href="/v/yangguang?page=2"' in first and 'rel="prev"' not in first
    second = text(client.get("/v/yangguang?page=2", headers=HX))
    assert second.count('class="issue-row"') == 2
    assert 'href="/v/yangguang"' in second and 'rel="next"' not in second
    assert "第0号楼" in second
    filtered = text(client.get("/v/yangguang?status=submitted&sort=supported"))
    assert 'href="/v/yangguang?page=2&amp;status=submitted&amp;sort=supported"' in filtered


@pytest.mark.parametrize("path", ["/v/yangguang", "/v/yangguang?q=路灯&sort=supported", "/search?q=路灯"])
def test_a_list_costs_the_same_queries_however_many_issues_it_shows(client, site, statements, path):
    site.issue()
    client.get("/v/yangguang/no-such-page")  # whatever a first request does once
    client.get(path, headers=HX)  # what is built once per version of the site (the categories)
    site.issue("又一个")
    statements.clear()
    client.get(path, headers=HX)  # built (each new issue moves the venue's revision, so built below too)
    few = len(statements)
    for n in range(6):
        site.issue(f"第{n}号楼路灯坏了", category=site.sanitation if n % 2 else site.roads)
    statements.clear()
    assert TITLE in plain(client.get(path, headers=HX))
    assert len(statements) == few
    assert sum("FROM \"issue\"" in sql for sql in statements) == 1


def test_hidden_issues_are_not_listed(client, site):
    issue = site.issue()
    Issue.update(hidden=True).where(Issue.id == issue.id).execute()
    assert TITLE not in text(client.get("/v/yangguang"))
    assert TITLE not in text(client.get("/search?q=路灯"))


def test_an_archived_venue_shows_its_issues_but_offers_no_raise_button(client, auth, site):
    site.issue(venue=site.archived)
    auth.login("councillor")
    page = text(client.get("/v/old-pavilion"))
    assert TITLE in page and "不能再在这里反映新的事" in page
    assert "/issues/new" not in page and "/issues/record" not in page


def test_category_names_follow_the_language(client, site):
    site.issue()
    client.set_cookie("lang", "en")
    page = text(client.get("/v/yangguang"))
    assert "Roads and traffic" in page and "Supports" in page


def test_an_unknown_venue_is_404(client, site):
    assert client.get("/v/nowhere").status_code == 404
    assert client.get("/v/nowhere/issues/new").status_code == 404
    assert client.get("/v/nowhere/issues/similar?title=路灯").status_code == 404


def test_what_people_type_is_shown_as_text_never_as_markup(client, auth, site):
    evil = '<script>alert(1)</script><img src=x onerror=alert(2)>'
    issue = site.issue(f"{evil}路灯坏了", f"{evil}\n第二行 https://example.org/a?b=1&c=<2>")
    for path in ("/v/yangguang", f"/issues/{issue.id}", "/search?q=路灯",
                 "/v/yangguang/issues/similar?title=路灯坏了"):
        page = text(client.get(path))
        assert "<script>alert(1)" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path
    page = text(client.get(f"/issues/{issue.id}"))
    assert "<br>第二行" in page
    assert '<a href="https://example.org/a?b=1&amp;c=&lt;2&gt;" rel="nofollow noopener ugc">' in page


# Raising an issue -----------------------------------------------------------------------------

def test_a_visitor_who_wants_to_raise_an_issue_logs_in_first_and_comes_back(client, site):
    response = client.get("/v/yangguang/issues/new")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "%2Fv%2Fyangguang%2Fissues%2Fnew" in response.headers["Location"]
    response = client.post("/login?next=/v/yangguang/issues/new",
                           data={"username": "resident", "password": "password123"})
    assert response.headers["Location"] == "/v/yangguang/issues/new"


def test_a_visitor_cannot_post_an_issue(client, site):
    response = client.post("/v/yangguang/issues/new", data=form_data())
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert Issue.select().count() == 0


@pytest.mark.parametrize("who", ["resident", "councillor", "outsider"])
def test_the_raise_form_lists_the_categories_in_order(client, auth, site, who):
    auth.login(who)
    response = client.get("/v/yangguang/issues/new")
    page = text(response)
    assert response.status_code == 200
    assert "<h1>我要反映</h1>" in page
    assert page.index("环境卫生") < page.index("道路交通")
    assert "旧分类" not in page
    assert 'id="title-field"' in page and 'id="similar"' in page and 'aria-live="polite"' in page
    # htmx asks for the same page (the form has no fragment of its own).
    assert "<h1>我要反映</h1>" in text(client.get("/v/yangguang/issues/new", headers=HX))


@pytest.mark.parametrize("who", ["resident", "councillor", "outsider"])
def test_any_logged_in_user_raises_an_issue_and_lands_on_it(client, auth, site, who):
    auth.login(who)
    response = client.post("/v/yangguang/issues/new", data=form_data(anonymous="y"))
    assert response.status_code == 303
    issue = Issue.get()
    assert response.headers["Location"] == f"/issues/{issue.id}"
    assert (issue.title, issue.body, issue.category_id, issue.channel) == (
        TITLE, BODY, site.roads.id, "web"
    )
    assert issue.author.username == who and issue.anonymous and issue.recorded_by_id is None
    assert Venue.get_by_id(site.venue.id).issue_count == 1
    assert Follow.select().where(Follow.issue == issue).count() == 1
    page = text(client.get(response.headers["Location"]))
    assert "谢谢！您反映的事已经提交" in page and f'<h1 class="issue-title">{TITLE}</h1>' in page


def test_the_raised_text_is_cleaned_of_control_characters(client, auth, site):
    auth.login("resident")
    response = client.post("/v/yangguang/issues/new", data=form_data(
        title="  小区\x00路灯\x07坏了  ", body="第一行\r\n第二行\x00，路灯坏了。"
    ))
    assert response.status_code == 303
    issue = Issue.get()
    assert (issue.title, issue.body) == ("小区路灯坏了", "第一行\n第二行，路灯坏了。")


@pytest.mark.parametrize(
    ("fields", "zh", "en"),
    [
        ({"title": ""}, "请给您反映的事写个标题。", "Please give your issue a title."),
        ({"title": "   "}, "请给您反映的事写个标题。", "Please give your issue a title."),
        ({"title": "路灯坏"}, "标题要写 5 到 120 个字。", "A title has 5 to 120 characters."),
        ({"title": "长" * 121}, "标题要写 5 到 120 个字。", "A title has 5 to 120 characters."),
        ({"body": ""}, "请写一下详细情况。", "Please describe the issue."),
        ({"body": "路灯坏了"}, "详细说明要写 10 到 5000 个字。", "A description has 10 to 5000 characters."),
        ({"body": "长" * 5001}, "详细说明要写 10 到 5000 个字。", "A description has 10 to 5000 characters."),
        ({"category": None}, "请从列表里选一个分类。", "Please choose a category from the list."),
        ({"category": ""}, "请从列表里选一个分类。", "Please choose a category from the list."),
        ({"category": "roads"}, "请从列表里选一个分类。", "Please choose a category from the list."),
        ({"category": "99999"}, "请从列表里选一个分类。", "Please choose a category from the list."),
    ],
)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_bad_issue_comes_back_with_messages_in_the_users_language(
    client, auth, site, fields, zh, en, language
):
    auth.login("resident")
    headers = {"Accept-Language": "en"} if language == "en" else {"Accept-Language": "zh-CN"}
    response = client.post("/v/yangguang/issues/new", data=form_data(**fields), headers=headers)
    page = text(response)
    assert response.status_code == 422
    assert (en if language == "en" else zh) in page
    assert Issue.select().count() == 0
    for name, value in form_data().items():
        if name not in fields and name != "category":
            assert value in page  # what was typed is kept


def test_the_language_cookie_chooses_the_messages_too(client, auth, site):
    auth.login("resident")
    client.set_cookie("lang", "en")
    response = client.post("/v/yangguang/issues/new", data=form_data(title="短"))
    assert response.status_code == 422 and "A title has 5 to 120 characters." in text(response)


def test_an_archived_category_cannot_be_chosen(client, auth, site):
    auth.login("resident")
    response = client.post("/v/yangguang/issues/new", data=form_data(category=str(site.retired.id)))
    assert response.status_code == 422 and "请从列表里选一个分类。" in text(response)


def test_the_limits_themselves_are_accepted(client, auth, site):
    auth.login("resident")
    assert client.post("/v/yangguang/issues/new",
                       data=form_data(title="五个字标题", body="十" * 10)).status_code == 303
    assert client.post("/v/yangguang/issues/new",
                       data=form_data(title="长" * 120, body="长" * 5000)).status_code == 303
    assert Issue.select().count() == 2


def test_a_failed_submit_shows_similar_issues_without_javascript(client, auth, site):
    existing = site.issue()
    auth.login("neighbour")
    response = client.post("/v/yangguang/issues/new", data=form_data(title="路灯坏了好几天", body=""))
    assert response.status_code == 422
    assert f'href="/issues/{existing.id}"' in text(response)


def test_an_archived_venue_refuses_new_issues_with_a_clear_message(client, auth, site):
    auth.login("councillor")
    for path in ("/v/old-pavilion/issues/new", "/v/old-pavilion/issues/record"):
        response = client.get(path)
        assert response.status_code == 403
        assert "这个议事场所已归档" in text(response) and 'name="title"' not in text(response)
        assert client.post(path, data=form_data(channel="phone")).status_code == 403
    assert Issue.select().count() == 0


def test_raising_an_issue_needs_the_csrf_token(csrf_app, site):
    client = csrf_app.test_client()
    login_with_csrf(client, "resident")
    assert client.post("/v/yangguang/issues/new", data=form_data()).status_code == 400
    assert client.post("/v/yangguang/issues/record", data=form_data(channel="phone")).status_code == 400
    assert Issue.select().count() == 0
    token = csrf_token(client, "/v/yangguang/issues/new")
    response = client.post("/v/yangguang/issues/new", data=form_data(csrf_token=token))
    assert response.status_code == 303 and Issue.select().count() == 1


# Recording on behalf of a resident ------------------------------------------------------------

@pytest.mark.parametrize(
    ("who", "status"),
    [(None, 302), ("resident", 403), ("outsider", 403), ("councillor", 200), ("deputy", 200),
     ("admin", 200)],
)
def test_only_the_venues_councillors_deputies_and_admins_record_on_behalf(
    client, auth, site, who, status
):
    if who:
        auth.login(who)
    response = client.get("/v/yangguang/issues/record")
    assert response.status_code == status
    if status == 200:
        page = text(response)
        assert "<h1>代居民录入民情</h1>" in page
        for channel in ("板凳会", "走访", "电话", "微信群", "问卷", "联络站接待", "热线"):
            assert channel in page, channel
        # htmx asks for the same page (the form has no fragment of its own).
        assert "<h1>代居民录入民情</h1>" in text(client.get("/v/yangguang/issues/record", headers=HX))
    posted = client.post("/v/yangguang/issues/record", data=form_data(channel="phone"))
    assert posted.status_code == (303 if status == 200 else status)
    assert Issue.select().count() == (1 if status == 200 else 0)


def test_a_recorded_issue_keeps_the_resident_the_recorder_and_the_channel(client, auth, site):
    auth.login("councillor")
    response = client.post("/v/yangguang/issues/record", data=form_data(
        channel="bench_meeting", reporter_name="周大爷", reporter_contact="139 0000 1234"
    ))
    issue = Issue.get()
    assert response.headers["Location"] == f"/issues/{issue.id}"
    assert issue.author_id is None and issue.recorded_by_id == site.councillor.id
    assert (issue.channel, issue.reporter_name, issue.reporter_contact) == (
        "bench_meeting", "周大爷", "139 0000 1234"
    )
    page = text(client.get(f"/issues/{issue.id}"))
    assert "民情已录入" in page
    assert "周大爷" in page and "王议政" in page and "板凳会" in page and "139 0000 1234" in page


@pytest.mark.parametrize(
    ("fields", "zh", "en"),
    [
        ({"channel": None}, "请选择这条民情是从哪里收集来的。", "Please choose how the issue came in."),
        ({"channel": "web"}, "请选择这条民情是从哪里收集来的。", "Please choose how the issue came in."),
        ({"channel": "open311"}, "请选择这条民情是从哪里收集来的。", "Please choose how the issue came in."),
        ({"reporter_name": "名" * 41}, "姓名最多 40 个字。", "A name has at most 40 characters."),
        ({"reporter_contact": "1" * 61}, "联系方式最多 60 个字。", "A contact has at most 60 characters."),
    ],
)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_bad_record_comes_back_with_messages(client, auth, site, fields, zh, en, language):
    auth.login("deputy")
    data = form_data(**{"channel": "phone", **fields})
    response = client.post("/v/yangguang/issues/record", data=data,
                           headers={"Accept-Language": "en" if language == "en" else "zh"})
    assert response.status_code == 422
    assert (en if language == "en" else zh) in text(response)
    assert TITLE in text(response)
    assert Issue.select().count() == 0


# Inline validation ----------------------------------------------------------------------------

def validate(client, field, form="raise", headers=HX, **data):
    return client.post(f"/v/yangguang/issues/validate?field={field}&form={form}",
                       data=form_data(**data), headers=headers)


@pytest.mark.parametrize("who", ["resident", "councillor"])
def test_inline_validation_answers_the_field_with_its_error(client, auth, site, who):
    auth.login(who)
    response = validate(client, "title", title="路灯")
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert page.strip().startswith('<div class="field has-error" id="title-field">')
    assert "标题要写 5 到 120 个字。" in page and 'aria-invalid="true"' in page
    assert 'value="路灯"' in page and "data-hx-post" in page and "data-hx-preserve" in page

    fine = text(validate(client, "title"))
    assert "has-error" not in fine and 'class="error"' not in fine


@pytest.mark.parametrize(
    ("field", "data", "zh", "en"),
    [
        ("title", {"title": ""}, "请给您反映的事写个标题。", "Please give your issue a title."),
        ("body", {"body": "太短"}, "详细说明要写 10 到 5000 个字。", "A description has 10 to 5000 characters."),
        ("category", {"category": "x"}, "请从列表里选一个分类。", "Please choose a category from the list."),
    ],
)
def test_inline_validation_speaks_both_languages(client, auth, site, field, data, zh, en):
    auth.login("resident")
    assert zh in text(validate(client, field, **data))
    assert en in text(validate(client, field, headers={**HX, "Accept-Language": "en"}, **data))
    client.set_cookie("lang", "en")
    assert en in text(validate(client, field, **data))


def test_inline_validation_of_the_record_form(client, auth, site):
    auth.login("councillor")
    page = text(validate(client, "channel", form="record", channel="web"))
    assert 'id="channel-field"' in page and "请选择这条民情是从哪里收集来的。" in page
    assert "has-error" not in text(validate(client, "channel", form="record", channel="hotline"))


@pytest.mark.parametrize("query", ["field=nope", "field=csrf_token", "field=title&form=bogus", "field="])
def test_inline_validation_refuses_what_is_not_a_field(client, auth, site, query):
    auth.login("resident")
    response = client.post(f"/v/yangguang/issues/validate?{query}", data=form_data(), headers=HX)
    assert response.status_code == 400


def test_inline_validation_without_htmx_goes_back_to_the_form(client, auth, site):
    auth.login("resident")
    response = validate(client, "title", headers={})
    assert response.status_code == 303 and response.headers["Location"] == "/v/yangguang/issues/new"


def test_inline_validation_is_for_logged_in_users(client, site):
    response = client.post("/v/yangguang/issues/validate?field=title", data=form_data())
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    # htmx would swap a login page into the field: it gets a plain refusal instead.
    response = client.post("/v/yangguang/issues/validate?field=title", data=form_data(), headers=HX)
    assert response.status_code == 403


def test_inline_validation_needs_the_csrf_token(csrf_app, site):
    client = csrf_app.test_client()
    login_with_csrf(client, "resident")
    assert validate(client, "title").status_code == 400
    token = csrf_token(client, "/v/yangguang/issues/new")
    assert validate(client, "title", headers={**HX, "X-CSRFToken": token}).status_code == 200


# Similar issues -------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [None, "resident", "councillor"])
def test_similar_issues_appear_for_a_chinese_title(client, auth, site, who):
    if who:
        auth.login(who)
    lamp = site.issue()
    site.issue("垃圾桶满了没人清", "垃圾桶每天都满，夏天味道很大。")
    response = client.get("/v/yangguang/issues/similar?title=路灯坏了好几天", headers=HX)
    page = text(response)
    assert response.status_code == 200 and "<html" not in page
    assert f'href="/issues/{lamp.id}"' in page and "垃圾桶" not in page
    assert "这里已有 1 条相似的民情" in page
    full = text(client.get("/v/yangguang/issues/similar?title=路灯坏了好几天"))
    assert "<h1>相似的民情</h1>" in full and f'href="/issues/{lamp.id}"' in full


@pytest.mark.parametrize("title", ["", "   ", "？！", "'\"<>", "路" * 1000, "\x00"])
def test_similar_issues_take_any_title_calmly(client, site, title):
    site.issue()
    response = client.get("/v/yangguang/issues/similar", query_string={"title": title}, headers=HX)
    assert response.status_code == 200
    assert "<script" not in text(response)


# The issue page ----------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [None, "resident", "councillor"])
def test_the_issue_page_shows_the_issue_its_progress_and_timeline(client, auth, site, who):
    if who:
        auth.login(who)
    issue = site.issue()
    workflow.transition(issue, "accepted", site.councillor, note="本周派人查看")
    response = client.get(f"/issues/{issue.id}")
    page = text(response)
    assert response.status_code == 200
    assert f'<h1 class="issue-title">{TITLE}</h1>' in page and f'id="status-{issue.id}"' in page and "已受理" in page
    assert 'aria-current="step"' in page
    assert "张大姐" in page and "网站" in page and "道路交通" in page and "村级" in page
    timeline = page[page.index('id="timeline-heading"'):]
    assert timeline.index("张大姐") < timeline.index("已受理") < timeline.index("本周派人查看")
    assert "王议政" in timeline
    assert f'hx-get="/issues/{issue.id}/status"' in page and 'hx-trigger="every 10s"' in page
    # htmx gets the page too: the issue page has no fragment of its own.
    assert f'<h1 class="issue-title">{TITLE}</h1>' in text(client.get(f"/issues/{issue.id}", headers=HX))


@pytest.mark.parametrize(
    ("who", "sees_name"),
    [(None, False), ("neighbour", False), ("outsider", False), ("resident", True),
     ("councillor", True), ("deputy", True), ("admin", True)],
)
def test_an_anonymous_author_is_a_resident_to_the_public(client, auth, site, who, sees_name):
    issue = site.issue(anonymous=True)
    workflow.transition(issue, "accepted", site.councillor)
    Issue.update(status="resolved").where(Issue.id == issue.id).execute()
    workflow.transition(Issue.get_by_id(issue.id), "closed", site.resident)  # the author rates it
    if who:
        auth.login(who)
    page = text(client.get(f"/issues/{issue.id}"))
    assert ("张大姐" in page) is sees_name
    if not sees_name:
        assert "居民" in page
    else:
        assert "不对外公开姓名" in page


@pytest.mark.parametrize(
    ("who", "sees_name", "sees_contact"),
    [(None, True, False), ("resident", True, False), ("outsider", True, False),
     ("councillor", True, True), ("deputy", True, True), ("admin", True, True)],
)
def test_a_recorded_issue_shows_its_recorder_and_keeps_the_contact_private(
    client, auth, site, who, sees_name, sees_contact
):
    issue = workflow.raise_issue(
        site.venue, None, TITLE, BODY, category=site.roads, recorded_by=site.deputy,
        reporter_name="周大爷", reporter_contact="139****1234", channel="phone",
    )
    if who:
        auth.login(who)
    page = text(client.get(f"/issues/{issue.id}"))
    assert "李代表" in page and "电话" in page and "代居民录入" in page
    assert ("周大爷" in page) is sees_name
    assert ("139****1234" in page) is sees_contact


def test_an_anonymous_recorded_issue_hides_the_residents_name_from_the_public(client, auth, site):
    issue = workflow.raise_issue(
        site.venue, None, TITLE, BODY, recorded_by=site.deputy, reporter_name="周大爷",
        channel="hotline", anonymous=True,
    )
    page = text(client.get(f"/issues/{issue.id}"))
    assert "周大爷" not in page and "李代表" in page
    auth.login("councillor")
    assert "周大爷" in text(client.get(f"/issues/{issue.id}"))


def test_a_declined_issue_says_why_and_a_merged_one_points_to_the_other(client, site):
    original, duplicate, declined = site.issue(), site.issue(), site.issue("楼上装修太吵了", "每天早上七点就开始装修。")
    workflow.merge(duplicate, original, site.councillor)
    workflow.decline(declined, site.councillor, "属于邻里纠纷，请先找人民调解委员会。")
    merged_page = text(client.get(f"/issues/{duplicate.id}"))
    assert "已合并到" in merged_page and f'href="/issues/{original.id}"' in merged_page
    declined_page = text(client.get(f"/issues/{declined.id}"))
    assert "不予受理的原因" in declined_page and "属于邻里纠纷" in declined_page


@pytest.mark.parametrize(("who", "reads_it"), [(None, False), ("neighbour", False), ("outsider", False),
                                               ("deputy", False), ("resident", True),
                                               ("councillor", True), ("admin", True)])
def test_a_hidden_issue_is_read_only_by_its_author_and_moderators(client, auth, site, who, reads_it):
    issue = site.issue()
    Issue.update(hidden=True).where(Issue.id == issue.id).execute()
    if who:
        auth.login(who)
    response = client.get(f"/issues/{issue.id}")
    page = text(response)
    assert response.status_code == 200
    assert (TITLE in page) is reads_it and (BODY in page) is reads_it
    if reads_it:
        assert "这条民情经审核已隐藏，不对公众显示。您能看到，是因为" in page
    else:
        assert "<h1 class=\"issue-title\">已隐藏的民情</h1>" in page
        assert "只有反映人和这里的议政员能看到内容" in page
    assert client.get(f"/issues/{issue.id}/status", headers=HX).status_code == 200


@pytest.mark.parametrize(("status", "polls"), [("submitted", True), ("resolved", True), ("closed", False),
                                               ("declined", False), ("merged", False)])
def test_only_an_issue_that_can_still_change_polls_its_status(client, site, status, polls):
    issue = site.issue()
    Issue.update(status=status).where(Issue.id == issue.id).execute()
    page = text(client.get(f"/issues/{issue.id}"))
    assert f'id="status-{issue.id}"' in page
    assert (f'hx-get="/issues/{issue.id}/status"' in page) is polls


def test_an_unknown_issue_is_404(client, site):
    assert client.get("/issues/12345").status_code == 404
    assert client.get("/issues/12345/status", headers=HX).status_code == 404
    assert client.get("/issues/abc").status_code == 404
    assert client.get("/issues/99999999999").status_code == 404
    assert client.get("/issues/99999999999/status", headers=HX).status_code == 404


# The status badge and its poll ---------------------------------------------------------------

@pytest.mark.parametrize("who", [None, "resident", "councillor"])
def test_the_status_poll_answers_304_until_the_issue_changes(client, auth, site, who):
    if who:
        auth.login(who)
    issue = site.issue()
    first = client.get(f"/issues/{issue.id}/status", headers=HX)
    assert first.status_code == 200
    assert text(first).startswith(f'<span class="status status-submitted" id="status-{issue.id}">已提交</span>')
    # The counts others change come along, swapped out of band.
    assert f'id="support-count-{issue.id}" hx-swap-oob="true"' in text(first)
    assert f'id="comment-count-{issue.id}" hx-swap-oob="true"' in text(first)
    # Signed in, the timeline in it may hold internal entries: no shared cache keeps it.
    assert first.headers["Cache-Control"] == ("no-cache, private" if who else "no-cache")
    etag = first.headers["ETag"]

    again = client.get(f"/issues/{issue.id}/status", headers={**HX, "If-None-Match": etag})
    assert again.status_code == 304 and again.get_data() == b"" and again.headers["ETag"] == etag

    workflow.transition(issue, "accepted", site.councillor)
    changed = client.get(f"/issues/{issue.id}/status", headers={**HX, "If-None-Match": etag})
    assert changed.status_code == 200 and "已受理" in text(changed)
    assert changed.headers["ETag"] != etag


def test_the_status_etag_follows_the_counters_and_the_language(client, site):
    issue = site.issue()
    etag = client.get(f"/issues/{issue.id}/status", headers=HX).headers["ETag"]
    Issue.update(comment_count=1).where(Issue.id == issue.id).execute()
    counted = client.get(f"/issues/{issue.id}/status", headers={**HX, "If-None-Match": etag})
    assert counted.status_code == 200
    english = client.get(f"/issues/{issue.id}/status",
                         headers={**HX, "If-None-Match": counted.headers["ETag"], "Accept-Language": "en"})
    assert english.status_code == 200 and "submitted" in text(english)


def test_a_304_touches_one_row_and_nothing_else(client, site, statements):
    issue = site.issue()
    etag = client.get(f"/issues/{issue.id}/status", headers=HX).headers["ETag"]
    statements.clear()
    response = client.get(f"/issues/{issue.id}/status", headers={**HX, "If-None-Match": etag})
    assert response.status_code == 304
    assert len(statements) == 1 and 'WHERE ("t1"."id" = ' in statements[0]


def test_the_status_route_without_htmx_goes_to_the_issue(client, site):
    issue = site.issue()
    response = client.get(f"/issues/{issue.id}/status")
    assert response.status_code == 303 and response.headers["Location"] == f"/issues/{issue.id}"


def test_the_badge_fragment_can_swap_out_of_band(app, site):
    from flask import render_template

    with app.test_request_context():
        html = render_template("issues/_status.html", issue=site.issue(), oob=True)
    assert 'hx-swap-oob="true"' in html and 'id="status-' in html


# Site-wide search ------------------------------------------------------------------------------

@pytest.mark.parametrize("who", [None, "resident", "councillor"])
def test_search_finds_issues_across_venues(client, auth, site, who):
    if who:
        auth.login(who)
    site.issue()
    site.issue("路灯不亮", "这里的路灯也坏了。", venue=site.elsewhere)
    site.issue("垃圾桶满了没人清", "垃圾桶每天都满，夏天味道很大。")
    page = plain(client.get("/search?q=路灯"))
    assert "<h1>搜索民情</h1>" in page
    assert TITLE in page and "路灯不亮" in page and "垃圾桶" not in page
    assert 'href="/v/elsewhere"' in page
    fragment = plain(client.get("/search?q=垃圾", headers=HX))
    assert "<html" not in fragment and "垃圾桶满了" in fragment and TITLE not in fragment


def test_search_in_english_and_with_nothing_to_find(client, site):
    site.issue("Broken street light at gate 3", "The lamp has been dark for two weeks now.")
    assert "Broken street light" in plain(client.get("/search?q=Street+Light"))
    assert "没有找到和“火车站”有关的民情" in text(client.get("/search?q=火车站"))
    assert "请输入要找的字词" in text(client.get("/search?q=！？"))
    assert "中文英文都可以" in text(client.get("/search"))


@pytest.mark.parametrize("query", ['"', "' OR 1=1 --", "路灯*", "NEAR(a b)", "\x00", "长" * 1000, "a & b | !c"])
def test_search_takes_any_query_calmly(client, site, query):
    site.issue()
    assert client.get("/search", query_string={"q": query}).status_code == 200


def test_search_pages_through_results(client, site, app):
    app.config["PAGE_SIZE"] = 2
    for n in range(3):
        site.issue(f"第{n}号楼路灯坏了")
    first = text(client.get("/search?q=路灯"))
    assert first.count('class="issue-row"') == 2 and "/search?q=%E8%B7%AF%E7%81%AF&amp;page=2" in first
    assert text(client.get("/search?q=路灯&page=2")).count('class="issue-row"') == 1


def test_every_page_has_the_search_box_in_its_header(client, site):
    page = text(client.get("/"))
    # Named, so it stays apart from a page's own search form (axe: landmark-unique).
    assert re.search(
        r'<form method="get" action="/search" class="site-search" role="search" aria-label="全站搜索">', page
    )
    assert '<label for="site-search-q"' in page


# Demo data -------------------------------------------------------------------------------------

def test_the_demo_has_living_venues_with_true_counters(demo, client):
    issues = list(Issue.select())
    assert len(issues) > 150
    statuses = {i.status for i in issues}
    assert {"submitted", "accepted", "declined", "merged", "assigned", "in_progress", "resolved",
            "closed"} <= statuses
    assert {i.channel for i in issues} > {"web"}
    assert any(i.anonymous for i in issues)
    venues = list(Venue.select())
    assert sum(1 for v in venues if v.issue_count) > len(venues) / 2
    for venue in venues:
        assert venue.issue_count == Issue.select().where(Issue.venue == venue).count(), venue.slug
    supports = {i.id: 0 for i in issues}
    comments, follows = dict(supports), dict(supports)
    for row in Support.select(Support.issue):
        supports[row.issue_id] += 1
    for row in Comment.select(Comment.issue):
        comments[row.issue_id] += 1
    for row in Follow.select(Follow.issue):
        follows[row.issue_id] += 1
    for issue in issues:
        assert (issue.support_count, issue.comment_count, issue.follower_count) == (
            supports[issue.id], comments[issue.id], follows[issue.id]
        ), issue.id
    assert sum(supports.values()) and sum(comments.values())
    created = {e.issue_id for e in Event.select(Event.issue).where(Event.kind == "created")}
    assert created == set(supports)
    moved = Event.select().where(Event.kind == "status").count()
    assert moved > len(issues)


def test_the_demo_pages_read_well(demo, client):
    page = text(client.get("/v/pavilion-yangguang"))
    assert page.count('class="issue-row"') == 20 and 'rel="next"' in page
    assert "路灯" in text(client.get("/search?q=路灯"))
    for issue in Issue.select().where(~Issue.hidden).order_by(Issue.id).limit(40):
        assert client.get(f"/issues/{issue.id}").status_code == 200


# In a real browser -----------------------------------------------------------------------------

@pytest.mark.browser
def test_raising_an_issue_in_a_browser_shows_similar_issues_while_typing(page, live_server, site):
    lamp = site.issue()
    browser_login(page, live_server.url, "neighbour")
    page.goto(f"{live_server.url}/v/yangguang")
    page.get_by_role("link", name="我要反映").click()
    page.wait_for_url("**/v/yangguang/issues/new")

    page.locator("#title").press_sequentially("路灯坏了好几天")
    similar = page.locator("#similar")
    expect(similar).to_contain_text("这里已有 1 条相似的民情")
    expect(similar.get_by_role("link", name=TITLE)).to_have_attribute("href", f"/issues/{lamp.id}")
    expect(page.locator("#title")).to_have_value("路灯坏了好几天")
    expect(page.locator("#title")).to_be_focused()

    page.locator("#body").fill("太短了")
    expect(page.locator("#body-field .error")).to_have_text("详细说明要写 10 到 5000 个字。")
    page.locator("#body").fill("三号楼门口的路灯坏了好几天，晚上很黑。")
    expect(page.locator("#body-field .error")).to_have_count(0)
    page.locator("#category").select_option(label="道路交通")
    page.get_by_role("button", name="提交反映").click()

    page.wait_for_url(re.compile(r"/issues/\d+$"))
    expect(page.locator("h1")).to_have_text("路灯坏了好几天")
    expect(page.locator(".flash")).to_contain_text("您反映的事已经提交")
    issue = Issue.get(Issue.title == "路灯坏了好几天")
    assert issue.author.username == "neighbour" and issue.category_id == site.roads.id


@pytest.mark.browser
def test_the_status_badge_refreshes_by_polling_and_revalidates_with_304(page, live_server, site, app):
    app.config["STATUS_POLL_SECONDS"] = 1
    issue = site.issue()
    answered = []  # (status, If-None-Match) of each poll, as the server saw it
    inner = app.wsgi_app

    def recording(environ, start_response):
        def start(status, headers, exc_info=None):
            if environ["PATH_INFO"] == f"/issues/{issue.id}/status":
                answered.append((int(status.split()[0]), environ.get("HTTP_IF_NONE_MATCH")))
            return start_response(status, headers, exc_info)

        return inner(environ, start)

    app.wsgi_app = recording
    page.goto(f"{live_server.url}/issues/{issue.id}")
    badge = page.locator(f"#status-{issue.id}")
    expect(badge).to_have_text("已提交")

    # The browser keeps the first answer and then asks with If-None-Match: the server says 304.
    for _ in range(3):
        with page.expect_response(lambda r: r.url.endswith(f"/issues/{issue.id}/status")):
            pass
    assert answered[0] == (200, None)
    assert any(status == 304 and etag for status, etag in answered[1:])

    before = len(answered)
    workflow.transition(Issue.get_by_id(issue.id), "accepted", site.councillor)
    expect(badge).to_have_text("已受理")
    expect(badge).to_have_class(re.compile(r"\bstatus-accepted\b"))
    changed = [status for status, _etag in answered[before:]]
    assert 200 in changed
    # Once the new badge is in the browser's cache, the polls are 304 again.
    first_new = before + changed.index(200)

    def polls_since():
        return [status for status, _etag in answered[first_new + 1:]]

    for _ in range(5):
        if 304 in polls_since():
            break
        with page.expect_response(lambda r: r.url.endswith(f"/issues/{issue.id}/status")):
            pass
    assert 304 in polls_since()
    expect(badge).to_have_text("已受理")


@pytest.mark.browser
def test_raising_an_issue_works_without_javascript(nojs_page, live_server, site):
    page = nojs_page
    browser_login(page, live_server.url, "resident")
    page.goto(f"{live_server.url}/v/yangguang")
    page.get_by_role("link", name="我要反映").click()
    page.wait_for_url("**/v/yangguang/issues/new")

    page.locator("#title").fill("路灯")
    page.locator("#body").fill(BODY)
    page.locator("#category").select_option(label="道路交通")
    page.get_by_role("button", name="提交反映").click()
    expect(page.locator("#title-field .error")).to_have_text("标题要写 5 到 120 个字。")
    expect(page.locator("#body")).to_have_value(BODY)
    expect(page.locator(".form-errors")).to_be_visible()

    page.locator("#title").fill(TITLE)
    page.locator("#anonymous").check()
    page.get_by_role("button", name="提交反映").click()
    page.wait_for_url(re.compile(r"/issues/\d+$"))
    expect(page.locator("h1")).to_have_text(TITLE)
    issue = Issue.get()
    assert issue.anonymous and issue.author.username == "resident"


@pytest.mark.browser
def test_the_venue_list_filters_in_place_and_keeps_the_address(page, live_server, site):
    site.issue()
    bins = site.issue("垃圾桶满了没人清", "垃圾桶每天都满，夏天味道很大。", category=site.sanitation)
    workflow.transition(bins, "accepted", site.councillor)
    page.goto(f"{live_server.url}/v/yangguang")
    rows = page.locator("#issues .issue-row")
    expect(rows).to_have_count(2)
    page.locator("#issue-status").select_option("accepted")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("垃圾桶满了没人清")
    expect(page).to_have_url(re.compile(r"status=accepted"))
    page.locator("#issue-status").select_option("")
    page.locator("#issue-q").fill("路灯")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(TITLE)


@pytest.mark.browser
def test_the_issue_pages_fit_a_small_phone(browser, live_server, site):
    long_word = "Streetlight" * 10
    issue = site.issue(f"{long_word}路灯坏了", f"{long_word}\nhttps://example.org/{'a' * 150}")
    declined = site.issue(f"{long_word}路灯不亮")
    workflow.decline(declined, site.councillor, long_word)
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    browser_login(page, live_server.url, "councillor")
    for path in ("/v/yangguang", f"/issues/{issue.id}", f"/issues/{declined.id}", "/v/yangguang/issues/new",
                 "/v/yangguang/issues/record", "/search?q=路灯",
                 "/v/yangguang/issues/similar?title=路灯坏了"):
        page.goto(live_server.url + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, path
    context.close()
