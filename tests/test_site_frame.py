"""The frame of every page: the site's identity in the header and footer (set by admins in the site
settings, or by the server's environment), the About page, the favicon, the large-text mode
(长辈模式), the meta description and Vary: Accept-Language."""
import html
import re

import pytest
from world import EN, Auth, text

import models
from app import create_app
from domain.site import IdentityCache
from models import AuditLog, PageVersion, SiteSettings, User

SETTINGS = {
    "name": "枝江议事", "name_en": "Zhijiang Deliberation", "sponsor": "枝江市人大常委会", "contact_phone": "0717-4200000",
    "icp": "鄂ICP备20260000号-1", "about": "枝江议事是枝江市人大常委会主办的议事平台。\n\n第二段。",
}


@pytest.fixture
def admin(make, auth):
    user = make.user("boss", is_admin=True)
    auth.login("boss")
    return user


def meta_description(page):
    return html.unescape(re.search(r'<meta name="description" content="([^"]*)">', page).group(1))


# Site settings ------------------------------------------------------------------------------------

def test_a_visitor_is_sent_to_log_in_and_a_resident_is_refused(client, make, auth):
    assert client.get("/admin/settings").headers["Location"].startswith("/login")
    make.user("resident")
    auth.login("resident")
    assert client.get("/admin/settings").status_code == 403
    assert client.post("/admin/settings", data=SETTINGS).status_code == 403
    assert SiteSettings.load() is None


def test_an_admin_sets_the_identity_every_page_shows(client, admin):
    page = client.get("/admin/settings")
    assert page.status_code == 200 and "网站设置" in text(page)
    response = client.post("/admin/settings", data=SETTINGS)
    assert response.status_code == 303 and response.headers["Location"] == "/admin/settings"
    visitor = client.application.test_client()
    for url in ("/", "/about", "/login", "/no-such-page"):
        page = text(visitor.get(url))
        assert "<title>" in page and "· 枝江议事</title>" in page, url
        assert 'class="brand"' in page and "emblem.svg" in page
        assert "主办单位" in page and "枝江市人大常委会" in page
        assert 'href="tel:0717-4200000"' in page
        assert '<a href="https://beian.miit.gov.cn/" rel="noopener" class="nowrap">鄂ICP备20260000号-1</a>' in page
    about = text(visitor.get("/about"))
    assert "第二段。" in about and "<h1>关于本站</h1>" in about
    entry = AuditLog.get(AuditLog.action == "site_settings.update")
    assert entry.actor_id == admin.id and entry.after["icp"] == "鄂ICP备20260000号-1"
    assert entry.after["name_en"] == "Zhijiang Deliberation"


def brand(page):
    return re.search(r'<span class="brand-name">([^<]*)</span>', page).group(1)


def footer_name(page):
    return re.search(r'<p class="footer-name">.*?<strong>([^<]*)</strong>', page).group(1)


def test_english_pages_show_the_english_name_and_chinese_pages_the_chinese(client, admin):
    client.post("/admin/settings", data={**SETTINGS, "about": ""})
    visitor = client.application.test_client()
    for url in ("/", "/about", "/login", "/outcomes", "/no-such-page"):
        english = text(visitor.get(url, headers=EN))
        assert english.count("· Zhijiang Deliberation</title>") == 1, url
        assert brand(english) == footer_name(english) == "Zhijiang Deliberation"
        assert meta_description(english) == (
            "Zhijiang Deliberation: residents raise matters, discuss them and decide together.")
        assert "枝江议事" not in english
        chinese = text(visitor.get(url))
        assert "· 枝江议事</title>" in chinese and brand(chinese) == footer_name(chinese) == "枝江议事"
        assert meta_description(chinese) == "枝江议事：群众的事群众提、群众议、群众定。"
        assert "Zhijiang Deliberation" not in chinese
    about = text(visitor.get("/about", headers=EN))
    assert "<dt>Site name</dt><dd>Zhijiang Deliberation</dd>" in about
    assert "<p>Zhijiang Deliberation: residents raise matters" in about
    assert "<dt>网站名称</dt><dd>枝江议事</dd>" in text(visitor.get("/about"))


def test_without_an_english_name_english_pages_show_the_chinese_one(client, admin):
    client.post("/admin/settings", data={**SETTINGS, "name_en": "   "})
    assert SiteSettings.load().name_en == ""
    page = text(client.application.test_client().get("/about", headers=EN))
    assert "· 枝江议事</title>" in page and brand(page) == footer_name(page) == "枝江议事"
    assert "<dt>Site name</dt><dd>枝江议事</dd>" in page


def test_the_english_name_reaches_the_english_pages_already_cached(app, client, admin):
    visitor = app.test_client()
    assert brand(text(visitor.get("/about", headers=EN))) == "Yishi"  # built and cached
    client.post("/admin/settings", data=SETTINGS)
    assert brand(text(visitor.get("/about", headers=EN))) == "Zhijiang Deliberation"
    client.post("/admin/settings", data={**SETTINGS, "name_en": "Zhijiang Together"})
    assert brand(text(visitor.get("/about", headers=EN))) == "Zhijiang Together"
    assert brand(text(visitor.get("/about"))) == "枝江议事"


@pytest.mark.parametrize("field, typed, message", [
    ("icp", "ICP 12345", "鄂ICP备12345678号-1"),
    ("contact_phone", "请拨打热线", "请输入"),
    ("name", "名" * 41, "40"),
    ("name_en", "Zhijiang" * 11, "80"),
    ("about", "长" * 1001, "1000"),
])
def test_bad_input_is_refused_with_what_was_typed_kept(client, admin, field, typed, message):
    data = {**SETTINGS, field: typed}
    response = client.post("/admin/settings", data=data)
    page = text(response)
    assert response.status_code == 422
    assert message in page and html.escape(typed) in page
    assert "枝江市人大常委会" in page  # the other fields as typed
    assert SiteSettings.load() is None


def test_saving_needs_the_csrf_token(app, client, admin):
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.post("/admin/settings", data=SETTINGS).status_code == 400
    assert SiteSettings.load() is None


def test_the_environment_gives_the_defaults(database_url, monkeypatch):
    for name, value in (("YISHI_SITE_NAME", "某县议事"), ("YISHI_SITE_NAME_EN", "Mouxian Deliberation"),
                        ("YISHI_SPONSOR", "某县人大常委会"),
                        ("YISHI_PHONE", "0717-1234567"), ("YISHI_ICP", "鄂ICP备11111111号"),
                        ("YISHI_ABOUT", "某县的议事平台。")):
        monkeypatch.setenv(name, value)
    app = create_app({"TESTING": True, "DATABASE_URL": database_url, "SECRET_KEY": "x"})
    page = text(app.test_client().get("/about"))
    for value in ("· 某县议事</title>", "某县人大常委会", "tel:0717-1234567", "鄂ICP备11111111号", "某县的议事平台。"):
        assert value in page
    assert "· Mouxian Deliberation</title>" in text(app.test_client().get("/about", headers=EN))
    if hasattr(models.db.obj, "close_all"):
        models.db.obj.close_all()


def test_an_empty_setting_keeps_the_default(app, client, admin):
    app.extensions["site_identity"] = IdentityCache({"SITE_NAME": "某县议事", "SITE_NAME_EN": "Mouxian Deliberation",
                                                     "SITE_ICP": "鄂ICP备11111111号"})
    client.post("/admin/settings", data={**SETTINGS, "name": "", "name_en": "", "icp": ""})
    page = text(app.test_client().get("/"))
    assert "· 某县议事</title>" in page and "鄂ICP备11111111号" in page and "枝江市人大常委会" in page
    assert "· Mouxian Deliberation</title>" in text(app.test_client().get("/", headers=EN))
    form = text(client.get("/admin/settings"))
    assert "服务器默认值" in form and "某县议事" in form


def test_without_settings_the_site_is_called_yishi_and_shows_no_empty_facts(client, db):
    page = text(client.get("/"))
    assert "<title>" in page and "· 议事</title>" in page
    assert "· Yishi</title>" in text(client.application.test_client().get("/", headers=EN))
    assert "beian.miit.gov.cn" not in page and "tel:" not in page


def test_a_change_reaches_cached_pages_and_other_processes(app, client, admin):
    visitor = app.test_client()
    assert "枝江议事" not in text(visitor.get("/about"))  # built and cached, with the default name
    other_process = IdentityCache({})
    assert other_process.get(PageVersion.current()).name == ""
    client.post("/admin/settings", data=SETTINGS)
    assert "枝江议事" in text(visitor.get("/about"))
    assert other_process.get(PageVersion.current()).name == "枝江议事"


def test_a_cached_page_reads_nothing_for_the_settings(app, client, admin, statements):
    client.post("/admin/settings", data=SETTINGS)
    visitor = app.test_client()
    visitor.get("/about")
    statements.clear()
    assert "枝江议事" in text(visitor.get("/about"))
    assert len(statements) == 1  # the site's revision; the page and the settings come from memory


def test_a_signed_in_page_reads_the_settings_row_only_when_they_changed(client, admin, statements):
    client.post("/admin/settings", data=SETTINGS)
    client.get("/about")
    statements.clear()
    client.get("/about")
    assert not [sql for sql in statements if "site_settings" in sql]


# Favicon, meta description, Vary -------------------------------------------------------------------

def test_the_favicon_is_served_and_every_page_links_its_icons(client, db):
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/vnd.microsoft.icon"
        assert icon.data[:4] == b"\x00\x00\x01\x00"
    page = text(client.get("/"))
    assert '<link rel="icon" href="/favicon.ico" sizes="32x32">' in page
    assert '<link rel="icon" href="/static/emblem.svg" type="image/svg+xml">' in page
    with client.get("/static/emblem.svg") as emblem:
        assert emblem.status_code == 200


def test_the_meta_description_comes_from_the_about_text(client, admin):
    assert meta_description(text(client.get("/"))) == "议事：群众的事群众提、群众议、群众定。"
    client.post("/admin/settings", data={**SETTINGS, "about": "第一段 " + "很长" * 100 + "\n\n第二段"})
    for url in ("/", "/about", "/stats"):
        description = meta_description(text(client.get(url)))
        assert description.startswith("第一段 很长") and description.endswith("…") and len(description) == 150


def test_every_page_has_a_meta_description(client, db):
    for url in ("/", "/about", "/login", "/outcomes", "/no-such-page"):
        assert meta_description(text(client.get(url))), url


def test_a_language_chosen_from_the_browser_varies_on_accept_language(client, db):
    negotiated = client.get("/login", headers={"Accept-Language": "en"})
    assert "Accept-Language" in negotiated.vary and "<h1>Log in</h1>" in text(negotiated)
    client.set_cookie("lang", "zh_Hans")
    chosen = client.get("/login", headers={"Accept-Language": "en"})
    assert "Accept-Language" not in chosen.vary and "Cookie" in chosen.vary
    with client.get("/favicon.ico") as icon:
        assert icon.vary.as_set() <= {"hx-request", "cookie"}


# Large text (长辈模式) --------------------------------------------------------------------------------

def html_class(page):
    return re.search(r"<html [^>]*>", page).group(0)


def test_a_visitor_switches_large_text_on_and_off_without_javascript(client, db):
    assert "large-text" not in html_class(text(client.get("/about")))
    response = client.post("/large-text", data={"on": "1", "next": "/about"})
    assert response.status_code == 303 and response.headers["Location"] == "/about"
    assert "large_text=1" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]
    page = text(client.get("/about"))
    assert 'class="large-text"' in html_class(page)
    assert 'name="on" value="0" class="switch" aria-pressed="true"' in page
    client.post("/large-text", data={"on": "0", "next": "/about"})
    page = text(client.get("/about"))
    assert "large-text" not in html_class(page) and 'aria-pressed="false"' in page


def test_the_cached_page_keeps_the_two_modes_apart(app, make):
    venue = make.venue(slug="yangguang")
    plain, large = app.test_client(), app.test_client()
    large.set_cookie("large_text", "1")
    first = plain.get(f"/v/{venue.slug}")
    assert "large-text" in html_class(text(large.get(f"/v/{venue.slug}")))
    again = plain.get(f"/v/{venue.slug}")
    assert "large-text" not in html_class(text(again))
    switched = large.get(f"/v/{venue.slug}", headers={"If-None-Match": first.headers["ETag"]})
    assert switched.status_code == 200  # not the plain page's 304


def test_a_signed_in_reader_keeps_large_text_on_their_account(app, client, make, auth):
    user = make.user("grandpa")
    auth.login("grandpa")
    client.post("/large-text", data={"on": "1", "next": "/"})
    assert User.get_by_id(user.id).large_text is True
    elsewhere = app.test_client()  # another device
    Auth(elsewhere).login("grandpa")
    assert "large-text" in html_class(text(elsewhere.get("/")))
    elsewhere.post("/large-text", data={"on": "0"})
    assert User.get_by_id(user.id).large_text is False


def test_large_text_chosen_before_signing_in_stays_on_after(app, client, make, auth):
    """An older resident switches it on at the login page: the text must not shrink as they sign in,
    nor as they register; a browser without the choice does not switch an account's choice off."""
    user = make.user("grandma")
    client.post("/large-text", data={"on": "1", "next": "/login"})
    auth.login("grandma")
    assert User.get_by_id(user.id).large_text is True
    assert "large-text" in html_class(text(client.get("/")))
    plain = app.test_client()
    Auth(plain).login("grandma")
    assert User.get_by_id(user.id).large_text is True
    newcomer = app.test_client()
    newcomer.post("/large-text", data={"on": "1", "next": "/register"})
    newcomer.post("/register", data={"username": "grandpa2", "display_name": "老周", "password": "password123",
                                     "confirm": "password123"})
    assert User.get(User.username == "grandpa2").large_text is True


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", ""])
def test_the_switch_never_leads_off_the_site(client, db, target):
    response = client.post("/large-text", data={"on": "1", "next": target})
    assert response.status_code == 303 and response.headers["Location"] == "/"


def test_the_switch_needs_the_csrf_token(csrf_app, db):
    client = csrf_app.test_client()
    response = client.post("/large-text", data={"on": "1", "next": "/"})
    assert response.status_code == 400 and "large_text" not in response.headers.get("Set-Cookie", "")


def test_the_header_offers_the_switch_on_every_page_with_the_way_back(client, db):
    page = text(client.get("/outcomes?page=1"))
    form = re.search(r'<form method="post" action="/large-text">.*?</form>', page, re.S).group(0)
    assert 'name="csrf_token"' in form and 'name="next" value="/outcomes?page=1"' in form
    assert ">长辈模式</button>" in form


def test_an_issue_and_a_venue_describe_themselves(client, make):
    from domain import workflow

    venue = make.venue(slug="yangguang", name="阳光小区议事亭", description="团结路社区阳光小区的议事亭。")
    issue = workflow.raise_issue(venue, make.user("author"), "路灯坏了", "三栋门口的路灯\n坏了一个月。")
    assert meta_description(text(client.get(f"/issues/{issue.id}"))) == "路灯坏了 · 三栋门口的路灯 坏了一个月。"
    assert meta_description(text(client.get("/v/yangguang"))) == "阳光小区议事亭 · 团结路社区阳光小区的议事亭。"
