"""What only a browser proves: htmx is loaded from our own server, search swaps in place, languages switch."""
import re

import pytest
from playwright.sync_api import expect
from world import browser_login, log_out

pytestmark = pytest.mark.browser


@pytest.fixture
def site(live_server, demo):
    return live_server.url


def test_home_renders_with_the_vendored_htmx(page, site):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    page.goto(site + "/")
    assert page.locator("h1").inner_text().startswith("枝江市")
    assert page.evaluate("window.htmx && window.htmx.version") == "2.0.11"
    assert all(url.startswith(site) for url in requests), "everything comes from the site itself"
    assert page.evaluate("document.documentElement.lang") == "zh-Hans"


def test_active_search_swaps_results_without_reloading(page, site):
    page.goto(site + "/")
    page.evaluate("window.notReloaded = true")
    page.get_by_label("议事场所的名称、地址或拼音首字母").press_sequentially("阳光", delay=50)
    results = page.locator("#results")
    results.get_by_text("团结路社区阳光小区议事亭").wait_for()
    expect(results).not_to_contain_text("关庙山村湾落议事厅")
    assert page.evaluate("window.notReloaded") is True
    page.wait_for_url(re.compile(r"q=%E9%98%B3%E5%85%89|q=阳光"))


def test_search_works_without_javascript(nojs_page, site):
    nojs_page.goto(site + "/")
    nojs_page.get_by_label("议事场所的名称、地址或拼音首字母").fill("阳光")
    nojs_page.get_by_role("button", name="找场所").click()
    nojs_page.wait_for_url(re.compile(r"q="))
    text = nojs_page.locator("#results").inner_text()
    assert "团结路社区阳光小区议事亭" in text
    assert "关庙山村湾落议事厅" not in text


def test_language_switcher(page, site):
    page.goto(site + "/register")
    page.get_by_role("button", name="English").click()
    page.wait_for_url(site + "/register")
    assert page.evaluate("document.documentElement.lang") == "en"
    assert page.locator("h1").inner_text() == "Register"
    page.get_by_role("button", name="中文").click()
    assert page.locator("h1").inner_text() == "注册"


def test_register_login_and_logout_in_a_browser(page, site):
    page.goto(site + "/register")
    page.get_by_label("用户名").fill("villager")
    page.get_by_label("您的姓名").fill("村民老周")
    page.get_by_label("密码", exact=True).fill("password123")
    page.get_by_label("再输一次密码").fill("password123")
    page.get_by_role("button", name="创建我的账号").click()
    page.get_by_text("欢迎您，村民老周").wait_for()
    log_out(page)
    page.get_by_text("您已退出。").wait_for()
    browser_login(page, site, "villager")
    page.get_by_text("您已登录。").wait_for()


def test_home_fits_a_small_phone(browser, site):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN")
    page = context.new_page()
    page.goto(site + "/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    context.close()
    assert overflow <= 0


@pytest.mark.parametrize("how", ["town", "initials"])
def test_a_phone_without_javascript_finds_a_venue_in_two_steps(browser, site, how):
    """At 360 px and without script: open one's town and choose the venue, or type the initials
    of its name and choose it; nothing on the way is wider than the screen."""
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def fits():
        return page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0

    page.goto(site + "/")
    assert fits()
    assert page.evaluate("document.documentElement.scrollHeight") < 4000  # not a list of every venue
    venue = page.get_by_role("link", name="团结路社区阳光小区议事亭", exact=True).first
    if how == "town":
        expect(venue).to_be_hidden()
        page.locator("summary", has_text="马家店街道").click()  # step 1
    else:
        page.get_by_label("议事场所的名称、地址或拼音首字母").fill("tjlsqyg")
        page.get_by_role("button", name="找场所").click()  # step 1
        page.wait_for_url(re.compile(r"q=tjlsqyg"))
    assert fits()
    venue.click()  # step 2
    page.wait_for_url(site + "/v/pavilion-yangguang")
    assert page.locator("h1").inner_text() == "团结路社区阳光小区议事亭"
    assert fits()
    context.close()
