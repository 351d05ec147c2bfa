"""Issue 14's test of a whole visit, as a new user would try it: an older resident on a 360-px
phone switches the large-text mode on, signs in, finds their pavilion, reads what is being
decided there and supports an issue, with and without JavaScript. Nothing on the way is wider
than the screen, the buttons are large enough for a finger, and the text stays large."""
import re

import pytest
from world import browser_login

from domain import demo

pytestmark = pytest.mark.browser

PAVILION = "团结路社区阳光小区议事亭"


@pytest.fixture
def site(live_server, demo):
    return live_server.url


@pytest.mark.parametrize("javascript", [True, False])
def test_an_older_resident_finds_their_pavilion_reads_what_is_decided_and_supports_an_issue(
        browser, site, javascript):
    context = browser.new_context(viewport={"width": 360, "height": 740}, locale="zh-CN",
                                  java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(10_000)

    def fits_and_large():
        assert page.evaluate("document.documentElement.scrollWidth - window.innerWidth") <= 0
        assert page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18

    page.goto(site + "/login")
    page.get_by_role("button", name="长辈模式").click()
    page.wait_for_url(site + "/login")
    browser_login(page, site, "neighbour", demo.DEMO_PASSWORD)
    fits_and_large()  # signing in kept the large text

    # Their own venues come first on the home page: one press to the pavilion.
    page.goto(site + "/")
    mine = page.locator("section", has=page.get_by_role("heading", name="我的议事场所"))
    mine.get_by_role("link", name=PAVILION).click()
    page.wait_for_url(site + "/v/pavilion-yangguang")
    fits_and_large()
    assert page.locator("h1").inner_text() == PAVILION
    # What is being decided is the first thing below the name, before the issues.
    decided = page.get_by_role("heading", name="正在议定的事").bounding_box()
    issues = page.get_by_role("heading", name="这里反映的民情").bounding_box()
    assert decided["y"] < issues["y"]

    # An issue someone else raised: the 附议 button is big, and pressing it counts them.
    for link in page.locator("#issues a[href^='/issues/']").all()[:10]:
        page.goto(site + link.get_attribute("href"))
        button = page.locator("form[action$='/support'] button")
        if button.count() and button.get_attribute("aria-pressed") == "false":
            break
        page.go_back()
    else:
        pytest.fail("no issue in the pavilion's list to support")
    fits_and_large()
    assert button.bounding_box()["height"] >= 44 and button.bounding_box()["width"] >= 44
    count = page.locator(".support-count strong")
    before = int(count.inner_text())
    button.click()
    if not javascript:
        page.wait_for_url(re.compile(r"/issues/\d+#support-\d+$"))
    page.locator("form[action$='/support'] button[aria-pressed='true']").wait_for()
    assert int(page.locator(".support-count strong").inner_text()) == before + 1
    fits_and_large()
    context.close()
