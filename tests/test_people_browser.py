"""The good-suggestion award in real Chromium: a deputy honours a matter from its page, with
JavaScript on and off; a visitor finds it on the list of good suggestions and on the recorder's
service record, reached from the venue's "who serves here"."""
import pytest
from test_people import PeopleWorld
from world import browser_login

from models import Award

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("javascript", [True, False])
def test_a_deputy_honours_a_matter_and_a_visitor_finds_it(browser, live_server, make, javascript):
    world = PeopleWorld(make)
    base = live_server.url
    context = browser.new_context(java_script_enabled=javascript, locale="zh-CN", viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        browser_login(page, base, "deputy")
        page.goto(f"{base}/issues/{world.i3.id}")
        page.locator("#award summary").click()
        page.select_option("#year", "2025")
        page.fill("#citation", "建议具体，推动了道路维修")
        page.locator("#award button[type=submit]").click()
        assert "已将这条民情评为2025年度好建议" in page.locator(".flashes").inner_text()
        assert "建议具体，推动了道路维修" in page.locator("#award").inner_text()
        assert "被评为好建议" in page.locator(".timeline").inner_text()
        assert Award.of(world.i3).year == 2025
    finally:
        context.close()

    visitor = browser.new_context(java_script_enabled=javascript, locale="zh-CN")
    page = visitor.new_page()
    page.set_default_timeout(10_000)
    try:
        page.goto(f"{base}/awards?year=2025")
        assert "建议具体，推动了道路维修" in page.locator("main").inner_text()
        page.get_by_role("link", name="小区道路坑洼").click()
        assert "2025年度好建议" in page.locator("#award").inner_text()
        page.goto(f"{base}/v/yangguang")
        page.get_by_role("link", name="王议政").click()
        assert page.locator("h1").inner_text() == "王议政的履职风采录"
        assert "桥头路灯不亮" in page.locator("main").inner_text()  # its good suggestion of 2024
    finally:
        visitor.close()
