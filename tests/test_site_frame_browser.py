"""What only a browser proves about the frame of every page: the header fits on one row at 1280 px
for the people with the most links, folds into a short bar at 360 px with a menu that opens without
JavaScript, and the large-text mode makes the text larger."""
import pytest
from world import browser_login

from domain import demo as demo_module

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, demo):
    return live_server.url


def context(browser, width, javascript=True, locale="zh-CN"):
    return browser.new_context(viewport={"width": width, "height": 800}, locale=locale,
                               java_script_enabled=javascript)


def tops(page, selector):
    """The top of every visible element `selector` finds, in page order."""
    return page.eval_on_selector_all(
        selector, "els => els.filter(e => e.offsetParent).map(e => Math.round(e.getBoundingClientRect().top))")


@pytest.mark.parametrize("username", ["admin", "councillor", "staff"])
@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_at_1280_px_the_whole_header_is_one_row(browser, site, username, locale):
    ctx = context(browser, 1280, locale=locale)
    page = ctx.new_page()
    browser_login(page, site, username, demo_module.DEMO_PASSWORD)
    page.goto(site + "/ledger" if username != "admin" else site + "/admin/")
    header = page.locator(".site-header")
    first = page.locator(".site-header .brand").bounding_box()
    last = page.locator(".site-header .lang-switch button").bounding_box()
    ledger = page.locator(".site-header details.drop").first
    assert abs(first["y"] + first["height"] / 2 - (last["y"] + last["height"] / 2)) < 4
    assert last["x"] + last["width"] <= 1280
    # Every link, the search and the account menu share that row.
    items = tops(page, ".site-header nav li, .site-header details.drop > summary, .site-search, #notifications-link")
    assert max(items) - min(items) < 12
    assert header.bounding_box()["height"] <= 64
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    ledger.locator("summary").click()
    assert ledger.locator("a").first.is_visible()
    ctx.close()


def test_at_360_px_the_signed_in_header_is_short_and_its_menu_opens_without_javascript(browser, site):
    ctx = context(browser, 360, javascript=False)
    page = ctx.new_page()
    browser_login(page, site, "councillor", demo_module.DEMO_PASSWORD)
    page.goto(site + "/")
    assert page.locator(".site-header").bounding_box()["height"] <= 64
    assert page.get_by_role("button", name="长辈模式").is_visible()
    outcomes = page.get_by_role("link", name="决议公开")
    assert not outcomes.is_visible()
    page.get_by_text("菜单").click()
    assert outcomes.is_visible()
    page.locator(".site-header details.drop > summary").first.click()
    page.get_by_role("link", name="台账").click()
    page.wait_for_url(site + "/ledger")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ctx.close()


def test_dates_stay_on_one_line(browser, site):
    ctx = context(browser, 360)
    page = ctx.new_page()
    page.goto(site + "/outcomes")
    times = page.locator("main time")
    assert times.count() > 0
    assert all(height < 40 for height in times.evaluate_all("els => els.map(e => e.getBoundingClientRect().height)"))
    ctx.close()


def test_large_text_makes_the_text_larger_and_is_remembered(browser, site):
    ctx = context(browser, 360, javascript=False)
    page = ctx.new_page()
    page.goto(site + "/about")
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_url(site + "/about")
    larger = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert larger >= 18 and larger > size * 1.2
    target = page.locator("form[action='/language'] button").bounding_box()
    assert target["height"] >= 44
    assert page.get_by_role("button", name="长辈模式").get_attribute("aria-pressed") == "true"
    page.goto(site + "/outcomes")
    assert page.evaluate("document.documentElement.className") == "large-text"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    ctx.close()
