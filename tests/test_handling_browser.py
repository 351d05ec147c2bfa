"""The closed loop in real Chromium, in Chinese and with JavaScript off: a councillor accepts and
assigns, the department signs and answers, the resident is dissatisfied and it reopens, the
department answers again, the resident is satisfied, and the ledger shows each step."""
import pytest
from world import LoopWorld, browser_login

from models import Issue

pytestmark = pytest.mark.browser


def person(browser, username, base):
    context = browser.new_context(java_script_enabled=False, locale="zh-CN",
                                  viewport={"width": 360, "height": 800})
    page = context.new_page()
    page.set_default_timeout(10_000)
    browser_login(page, base, username)
    return context, page


def status(issue):
    return Issue.get_by_id(issue.id).status


def test_a_matter_goes_round_the_loop_without_javascript(browser, live_server, make):
    loop = LoopWorld(make)
    issue = loop.issue(status="submitted")
    base = live_server.url
    contexts = []

    def ledger_row(page):
        page.goto(f"{base}/ledger")
        return page.locator("tr", has_text=issue.title).inner_text()

    context, councillor = person(browser, "councillor", base)
    contexts.append(context)
    councillor.goto(f"{base}/triage/{issue.id}")
    councillor.locator("form[action$='/accept'] button").click()
    assert status(issue) == "accepted"
    councillor.goto(f"{base}/issues/{issue.id}/route")
    # The category's department for the issue's level is chosen already.
    assert councillor.locator("#lead").input_value() == str(loop.office.id)
    councillor.locator("form[action$='/assign'] button[type=submit]").click()
    assert "已交办" in councillor.locator(".flashes").inner_text()
    assert status(issue) == "assigned"
    assert "马家店街道办事处" in ledger_row(councillor)

    context, office = person(browser, "office", base)
    contexts.append(context)
    office.goto(f"{base}/handling")
    office.get_by_role("link", name=f"#{issue.id} {issue.title}").click()
    office.locator("form[action$='/sign'] button").click()
    assert "已签收" in office.locator(".flashes").inner_text()
    assert status(issue) == "in_progress"

    def answer(text):
        office.check("input[name=kind][value=resolved]")
        office.check("input[name=grade][value=A]")
        office.fill("#text", text)
        office.locator("form[action$='/answer'] button").click()

    answer("")  # forgotten: the page says so and keeps the choices
    assert "请填写答复" in office.content()
    answer("已疏通路口排水口，雨后不再积水。")
    assert status(issue) == "resolved"

    context, author = person(browser, "author", base)
    contexts.append(context)
    author.goto(f"{base}/issues/{issue.id}/rate")
    assert "已疏通路口排水口" in author.content()
    author.check("input[name=rating][value=dissatisfied]")
    author.fill("#comment", "昨天下雨又积水了")
    author.locator("form[action$='/rate'] button").click()
    assert Issue.get_by_id(issue.id).reopened and status(issue) == "in_progress"
    assert "办理中" in ledger_row(councillor)

    office.goto(f"{base}/handling?show=in_progress")
    office.get_by_role("link", name=f"#{issue.id} {issue.title}").click()
    assert "昨天下雨又积水了" in office.content()  # the resident's comment is on the record
    answer("已重新铺设排水管，并请居民现场查看。")
    assert status(issue) == "resolved"

    author.goto(f"{base}/issues/{issue.id}/rate")
    author.check("input[name=rating][value=satisfied]")
    author.locator("form[action$='/rate'] button").click()
    assert status(issue) == "closed"
    row = ledger_row(councillor)
    assert "已关闭" in row and "满意" in row
    for context in contexts:
        context.close()
