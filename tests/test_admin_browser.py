"""What only a browser proves: an admin sets up a town through the pages alone, and the councillor
they make finds their pavilion; a councillor verifies a resident in place with htmx, or without JavaScript."""
import pytest
from playwright.sync_api import expect
from world import browser_login, log_out, open_work_menu

from models import Membership

pytestmark = pytest.mark.browser


def save(page):
    page.get_by_role("button", name="保存").click()


def test_an_admin_sets_up_a_town_and_its_councillor_finds_the_pavilion(page, live_server, make):
    site = live_server.url
    make.user("boss", display_name="管理员", is_admin=True)  # as `flask create-admin` leaves it
    browser_login(page, site, "boss")

    open_work_menu(page)
    page.get_by_role("link", name="后台管理").click()
    page.get_by_role("link", name="添加市").click()
    page.get_by_label("名称", exact=True).fill("枝江市")
    save(page)
    page.get_by_text("已添加“枝江市”。").wait_for()

    page.get_by_role("link", name="添加镇或街道").click()
    page.get_by_label("名称", exact=True).fill("马家店街道")
    page.get_by_label("类型").select_option("subdistrict")
    save(page)
    page.get_by_text("已添加“马家店街道”。").wait_for()

    page.get_by_role("link", name="添加村或社区").click()
    page.get_by_label("名称", exact=True).fill("团结路社区")
    page.get_by_label("类型").select_option("community")
    expect(page.get_by_label("上级地区")).to_have_value(
        page.get_by_label("上级地区").locator("option", has_text="马家店街道").get_attribute("value")
    )
    save(page)
    page.get_by_text("已添加“团结路社区”。").wait_for()

    page.locator(".region-tree .row", has_text="团结路社区").get_by_role("link", name="在这里添加议事场所").click()
    expect(page.get_by_label("类型")).to_have_value("pavilion")
    page.get_by_label("名称", exact=True).fill("阳光小区议事亭")
    page.get_by_label("网址名").fill("pavilion-yangguang")
    page.get_by_label("开放时间").fill("每周六 9:00–11:00")
    save(page)
    page.get_by_text("已添加“阳光小区议事亭”。").wait_for()

    page.locator(".admin-nav").get_by_role("link", name="承办单位").click()
    page.get_by_role("link", name="添加承办单位").click()
    page.get_by_label("中文名称").fill("马家店街道城建办")
    page.get_by_label("层级").select_option("town")
    page.get_by_label("所在地区").select_option(label="枝江市 › 马家店街道")
    save(page)
    page.get_by_text("已添加“马家店街道城建办”。").wait_for()

    page.locator(".admin-nav").get_by_role("link", name="分类").click()
    page.get_by_role("link", name="添加分类").click()
    page.get_by_label("编码").fill("water_supply")
    page.get_by_label("中文名称").fill("供水管网")
    page.get_by_label("英文名称").fill("Water supply pipes")
    page.get_by_label("镇级承办单位").select_option(label="马家店街道城建办 (马家店街道)")
    page.get_by_label("办理时限（工作日）").fill("10")
    save(page)
    page.get_by_text("已添加“供水管网”。").wait_for()
    expect(page.locator("main table")).to_contain_text("马家店街道城建办")

    page.locator(".admin-nav").get_by_role("link", name="人员").click()
    page.get_by_role("link", name="新建账号").click()
    page.get_by_label("用户名").fill("wang")
    page.get_by_label("名称", exact=True).fill("王议政")
    page.get_by_label("临时密码").fill("temp-pass-123")
    page.get_by_role("button", name="建立账号").click()
    page.get_by_text("王议政 的账号建好了。").wait_for()

    page.get_by_label("议事场所", exact=True).select_option(label="阳光小区议事亭 (团结路社区)")
    page.get_by_label("身份", exact=True).select_option("councillor")
    page.get_by_role("button", name="设定这个身份").click()
    page.get_by_text("王议政 现在是阳光小区议事亭的议政员。").wait_for()
    log_out(page)
    page.get_by_text("您已退出。").wait_for()

    # The new councillor logs in with the temporary password and must choose their own first.
    browser_login(page, site, "wang", "temp-pass-123")
    page.get_by_text("请先设置一个新密码，再继续使用。").wait_for()
    page.get_by_label("现在的密码").fill("temp-pass-123")
    page.get_by_label("新密码", exact=True).fill("my-own-pass-9")
    page.get_by_label("再输一次新密码").fill("my-own-pass-9")
    page.locator("main form button[type=submit]").click()
    page.get_by_text("您的密码已修改。").wait_for()

    open_work_menu(page)
    page.get_by_role("link", name="我的议事场所").click()
    expect(page.locator("main h2")).to_have_text(["阳光小区议事亭"])
    page.get_by_role("link", name="阳光小区议事亭的成员").click()
    page.get_by_role("link", name="全部身份").click()  # the list opens on the residents
    expect(page.locator("main")).to_contain_text("王议政")
    assert page.get_by_role("link", name="后台管理").count() == 0


@pytest.fixture
def waiting(make):
    venue = make.venue("阳光小区议事亭", slug="pavilion-yangguang")
    make.member(make.user("wang", display_name="王议政"), venue, "councillor")
    return make.member(make.user("chen", display_name="陈小明"), venue, status="pending")


def test_a_councillor_verifies_a_resident_in_place(page, live_server, waiting):
    browser_login(page, live_server.url, "wang")
    page.goto(live_server.url + "/v/pavilion-yangguang/members")
    page.evaluate("window.notReloaded = true")
    row = page.locator(f"#member-{waiting.id}")
    row.get_by_role("button", name="认证 陈小明").click()
    expect(page.locator(f"#member-{waiting.id}")).to_contain_text("已认证")
    expect(page.locator(f"#member-{waiting.id}").get_by_text("移除…")).to_be_visible()
    assert page.evaluate("window.notReloaded") is True
    assert Membership.get_by_id(waiting.id).status == "verified"


def test_a_councillor_refuses_a_request_without_javascript(nojs_page, live_server, waiting):
    browser_login(nojs_page, live_server.url, "wang")
    nojs_page.goto(live_server.url + "/v/pavilion-yangguang/members")
    row = nojs_page.locator(f"#member-{waiting.id}")
    row.get_by_text("不通过…").click()
    row.get_by_label("原因（可不填）").fill("不住本小区")
    row.get_by_role("button", name="不通过 陈小明").click()
    nojs_page.get_by_text("陈小明 的申请没有通过。").wait_for()
    expect(nojs_page.locator(f"#member-{waiting.id}")).to_contain_text("不住本小区")
    assert Membership.get_by_id(waiting.id).status == "refused"
