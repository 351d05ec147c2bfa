"""Accessibility of the key pages, checked by axe-core in real Chromium, in Chinese and in English.

Each page is opened on a 360 px wide phone screen: it must not scroll sideways, must have exactly one
h1 and one main, and axe must find nothing serious or critical on it.
"""
import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from world import browser_login

import models
from domain import demo as demo_module

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
# The site's CSP allows scripts from the site itself only, so an inline copy of axe would be blocked.
# Rather than switch the CSP off, the browser answers this same-origin address with axe's file itself:
# the page is checked under the policy real visitors get.
AXE_PATH = "/__test__/axe.min.js"
PHONE = {"width": 360, "height": 740}
BLOCKING = ("serious", "critical")
# WCAG 2.2 A and AA plus axe's best practices; naming the tags also runs the rules axe still calls
# experimental, such as a button's visible text having to be part of its accessible name.
AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": [
        "wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice",
    ]},
    # Only violations are read: axe then skips detailing every passing node (the same rules run).
    "resultTypes": ["violations"],
}


@pytest.fixture
def site(live_server, demo):
    return live_server.url


@pytest.fixture
def axe_file():
    """axe-core's script, installed by `make axe`; as with Chromium, CI fails without it."""
    if not AXE.exists():
        message = "axe-core is not installed: run `make axe` (needs npm)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return AXE


@pytest.fixture
def axe_page(axe_file, page, site):
    page.route(site + AXE_PATH, lambda route: route.fulfill(path=axe_file, content_type="text/javascript"))
    page.set_viewport_size(PHONE)
    return page


def problems(page, name):
    """Everything wrong with the page now open in `page`, as lines naming it."""
    found = []
    # What hides behind "Reply", "Refuse…" and the like must pass too, as a person opening it sees it.
    page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    if overflow > 0:
        wide = page.evaluate(
            """() => [...document.querySelectorAll('body *')]
                .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
                .slice(0, 5).map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : ''))"""
        )
        width = page.viewport_size["width"]
        found.append(f"{name}: scrolls sideways by {overflow}px at {width}px wide ({', '.join(wide)})")
    for selector in ("h1", "main"):
        count = page.locator(selector).count()
        if count != 1:
            found.append(f"{name}: {count} <{selector}> elements, want exactly one")
    origin = urlsplit(page.url)
    page.add_script_tag(url=f"{origin.scheme}://{origin.netloc}{AXE_PATH}")
    violations = page.evaluate("async options => (await axe.run(document, options)).violations", AXE_OPTIONS)
    for violation in violations:
        if violation["impact"] in BLOCKING:
            targets = "; ".join(" ".join(node["target"]) for node in violation["nodes"][:8])
            found.append(
                f"{name}: {violation['id']} ({violation['impact']}) — {violation['help']} — {targets}"
            )
    return found


def visit(page, site, path, name=None):
    response = page.goto(site + path)
    assert response.ok, f"{path} answered {response.status}"
    return problems(page, name or path)


def open_vote():
    """An agenda item of the demo whose voting window is open now."""
    now = models.utcnow()
    return (
        models.AgendaItem.select()
        .where(models.AgendaItem.opens_at <= now, models.AgendaItem.closes_at > now,
               models.AgendaItem.result.is_null())
        .order_by(models.AgendaItem.id)
        .get()
    )


def discussed_issue():
    return models.Issue.select().order_by(models.Issue.comment_count.desc(), models.Issue.id).get()


def published_report():
    return models.Report.published().get()


def assert_none(found):
    assert not found, "Accessibility problems:\n" + "\n".join(found)


def test_public_pages(axe_page, site):
    page = axe_page
    found = []
    found += visit(page, site, "/", "home")
    # The Chinese pages really are in Chinese (a missing catalogue would silently give English).
    assert "登录" in page.locator("header").inner_text()
    found += visit(page, site, "/search?q=路灯", "search")
    found += visit(page, site, "/search?q=晚上路灯不亮了", "search with some words, marked matches")
    found += visit(page, site, "/search?q=broken+lamp", "search in English, with advice")
    found += visit(page, site, f"/v/{demo_module.DEMO_PAVILION_SLUG}", "venue")
    found += visit(page, site, f"/issues/{discussed_issue().id}", "issue with comments")
    found += visit(page, site, f"/items/{open_vote().id}", "agenda item, vote open (visitor)")
    found += visit(page, site, f"/meetings/{open_vote().meeting_id}", "meeting")
    found += visit(page, site, "/outcomes", "outcomes")
    found += visit(page, site, "/reports", "special reports")
    found += visit(page, site, f"/reports/{published_report().id}", "special report")
    found += visit(page, site, f"/reports/{published_report().id}/print", "special report, print view")
    found += visit(page, site, "/login", "login")
    found += visit(page, site, "/register", "register")
    found += visit(page, site, "/privacy", "privacy notice")
    assert_none(found)


def test_forms_with_errors(axe_page, site):
    page = axe_page
    found = []
    page.goto(site + "/login")
    page.locator("main form button[type=submit]").click()
    page.locator(".error").first.wait_for()
    found += problems(page, "login with errors")
    page.goto(site + "/register")
    page.locator("main form button[type=submit]").click()
    page.locator(".error").first.wait_for()
    found += problems(page, "register with errors")
    assert_none(found)


def test_resident_pages(axe_page, site):
    page = axe_page
    browser_login(page, site, "resident", demo_module.DEMO_PASSWORD)
    found = []
    found += visit(page, site, "/notifications", "notifications")
    found += visit(page, site, "/profile", "profile, with sessions and my data")
    found += visit(page, site, "/profile/delete", "delete my account")
    found += visit(page, site, f"/items/{open_vote().id}", "agenda item, vote open (resident)")
    found += visit(page, site, f"/issues/{discussed_issue().id}", "issue with comments (resident)")
    page.locator(".comment-form button[type=submit]").click()
    page.locator(".comment-form .error").wait_for()
    found += problems(page, "issue, empty comment refused through htmx")
    found += visit(page, site, f"/v/{demo_module.DEMO_PAVILION_SLUG}/issues/similar?title=路灯", "similar issues")
    page.goto(site + f"/items/{open_vote().id}")
    page.locator(".vote-buttons button[value=yes]").click()
    page.locator(".vote-buttons button.chosen").wait_for()
    found += problems(page, "agenda item, after voting through htmx")
    page.goto(site + f"/v/{demo_module.DEMO_PAVILION_SLUG}/issues/new")
    page.locator("main form button[type=submit]").last.click()
    page.locator(".error").first.wait_for()
    found += problems(page, "raise an issue, with errors")
    assert_none(found)


def test_councillor_pages(axe_page, site):
    page = axe_page
    browser_login(page, site, "councillor", demo_module.DEMO_PASSWORD)
    slug = demo_module.DEMO_PAVILION_SLUG
    found = []
    found += visit(page, site, f"/v/{slug}/members", "members")
    found += visit(page, site, f"/v/{slug}/triage", "triage queue")
    page.locator("main .triage-queue a.button").first.click()
    page.wait_for_url("**/triage/*")
    found += problems(page, "triage of one issue")
    found += visit(page, site, f"/v/{slug}/requests", "verification requests")
    found += visit(page, site, f"/v/{slug}/invite", "invite code sheet")
    found += visit(page, site, f"/v/{slug}/codes", "personal codes")
    page.fill("#count", "4")
    page.locator("main form button[type=submit]").click()
    page.locator(".code-slip").first.wait_for()
    found += problems(page, "personal code sheet")
    found += visit(page, site, "/join", "join with a code")
    found += visit(page, site, "/my/venues", "my venues")
    found += visit(page, site, f"/items/{open_vote().id}", "agenda item, vote open (councillor)")
    assert_none(found)


def test_deputy_report_pages(axe_page, site):
    page = axe_page
    browser_login(page, site, "deputy", demo_module.DEMO_PASSWORD)
    found = []
    page.goto(site + "/reports/new")
    page.locator("main form button[type=submit]").click()
    page.locator(".error").first.wait_for()
    found += problems(page, "new special report, with errors")
    page.get_by_label("标题").fill("本月民情专报")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url("**/edit")
    page.locator(".report-candidates button").first.click()
    page.locator(".report-compile-item").first.wait_for()
    found += problems(page, "compiling a special report")
    found += visit(page, "", page.url.replace("/edit", ""), "special report preview (draft)")
    assert_none(found)


def test_admin_pages(axe_page, site):
    page = axe_page
    browser_login(page, site, "admin", demo_module.DEMO_PASSWORD)
    venue = models.Venue.get(models.Venue.slug == demo_module.DEMO_PAVILION_SLUG)
    resident = models.User.get(models.User.username == "resident")
    found = []
    found += visit(page, site, "/admin/", "admin overview")
    found += visit(page, site, "/admin/users", "admin users")
    found += visit(page, site, f"/admin/venues/{venue.id}", "admin venue form")
    found += visit(page, site, f"/admin/users/{resident.id}", "admin person form, with roles")
    found += visit(page, site, "/admin/synonyms", "admin synonyms")
    page.goto(site + "/admin/categories/new")
    page.locator("main form button[type=submit]").first.click()
    page.locator(".error").first.wait_for()
    found += problems(page, "admin category form, with errors")
    assert_none(found)


def test_pages_in_english(axe_page, site):
    page = axe_page
    page.context.add_cookies([{"name": "lang", "value": "en", "url": site}])
    found = []
    found += visit(page, site, "/", "home (en)")
    found += visit(page, site, f"/issues/{discussed_issue().id}", "issue (en)")
    found += visit(page, site, "/outcomes", "outcomes (en)")
    found += visit(page, site, f"/reports/{published_report().id}", "special report (en)")
    found += visit(page, site, "/register", "register (en)")
    found += visit(page, site, f"/v/{demo_module.DEMO_PAVILION_SLUG}/issues/similar?title=lamp", "similar (en)")
    assert page.evaluate("() => document.documentElement.lang") == "en"
    browser_login(page, site, "admin", demo_module.DEMO_PASSWORD)
    found += visit(page, site, "/admin/", "admin overview (en)")
    found += visit(page, site, f"/items/{open_vote().id}", "agenda item, vote open (en)")
    assert_none(found)


def test_wide_screen(axe_page, site):
    """The same header and pages laid out for a computer screen."""
    page = axe_page
    page.set_viewport_size({"width": 1280, "height": 800})
    found = []
    found += visit(page, site, "/", "home (wide)")
    found += visit(page, site, f"/issues/{discussed_issue().id}", "issue (wide)")
    found += visit(page, site, f"/items/{open_vote().id}", "agenda item (wide)")
    assert_none(found)


def test_statistics_pages(axe_page, site):
    page = axe_page
    town = models.Region.get(models.Region.name == "马家店街道")
    found = []
    found += visit(page, site, "/stats", "statistics")
    assert page.locator("svg.chart").count() >= 5
    found += visit(page, site, f"/stats?period=all&town={town.id}&category=", "statistics, one town")
    found += visit(page, site, "/stats?period=year&category=public_safety", "statistics, one category")
    page.context.add_cookies([{"name": "lang", "value": "en", "url": site}])
    found += visit(page, site, "/stats", "statistics (en)")
    page.set_viewport_size({"width": 1280, "height": 800})
    found += visit(page, site, "/stats", "statistics (en, wide)")


def test_people_pages(axe_page, site):
    """Service records, deputy groups and good suggestions in both languages, and the deputy's
    award forms (the issue page's section, the form page with errors)."""
    page = axe_page
    councillor = models.User.get(models.User.username == "councillor")
    deputy = models.User.get(models.User.username == "deputy")
    group = models.DeputyGroup.get(models.DeputyGroup.name == "城市建设")
    award = models.Award.select().order_by(models.Award.id).first()
    awardable = (
        models.Issue.select().where((models.Issue.status == "accepted") & ~models.Issue.award & ~models.Issue.hidden)
        .order_by(models.Issue.id).first()
    )
    found = []
    for lang in ("zh_Hans", "en"):
        page.context.add_cookies([{"name": "lang", "value": lang, "url": site}])
        found += visit(page, site, f"/people/{councillor.id}", f"service record ({lang})")
        found += visit(page, site, f"/people/{deputy.id}", f"deputy's service record ({lang})")
        found += visit(page, site, "/groups", f"deputy groups ({lang})")
        found += visit(page, site, f"/groups/{group.id}", f"deputy group ({lang})")
        found += visit(page, site, "/awards", f"good suggestions ({lang})")
    browser_login(page, site, "deputy", demo_module.DEMO_PASSWORD)
    found += visit(page, site, f"/issues/{award.issue_id}", "awarded issue, withdraw form (deputy)")
    found += visit(page, site, f"/issues/{awardable.id}", "issue with the award form (deputy)")
    page.goto(site + f"/issues/{awardable.id}/award")
    page.locator("main form button[type=submit]").click()
    page.locator(".error").first.wait_for()
    found += problems(page, "award form, with errors")
    assert_none(found)
