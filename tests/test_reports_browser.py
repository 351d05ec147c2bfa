"""The special report in real Chromium, on the demo: a deputy with JavaScript off compiles this
month's report from the candidates the demo leaves, writes a note, publishes it and prints it (the
print view makes A4 pages); a visitor finds it, reads it and downloads the Word file."""
import re

import pytest
from docx import Document
from world import browser_login

from domain import demo as demo_module
from models import Report, ReportItem

pytestmark = pytest.mark.browser

A4_POINTS = (595.92, 842.88)  # 210 × 297 mm


@pytest.fixture
def site(live_server, demo):
    return live_server.url


def pdf_pages(pdf):
    """(page count, (width, height) of the first page in points) of a PDF Chromium printed."""
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    pages = len(re.findall(rb"/Type\s*/Page(?![s\w])", pdf))
    return pages, (float(boxes[0][0]), float(boxes[0][1]))


def test_a_deputy_compiles_publishes_and_prints_and_a_visitor_reads_it(page, nojs_page, site, tmp_path):
    page, visitor = nojs_page, page  # every compiling form works without JavaScript
    browser_login(page, site, "deputy", demo_module.DEMO_PASSWORD)
    page.goto(site + "/")
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="民情专报").click()
    page.get_by_role("link", name="新建一期专报").click()
    page.get_by_role("button", name="建立草稿").click()  # no title: the page says so
    assert "请填写本期专报的标题" in page.locator("main").inner_text()
    page.get_by_label("标题").fill("关于城区供水和排水问题的报告")
    page.get_by_label("编者按").fill("本月群众反映的市级问题，请市政府交有关部门办理。")
    page.get_by_role("button", name="建立草稿").click()
    page.wait_for_url(re.compile(r"/reports/\d+/edit"))
    report = Report.get(Report.title == "关于城区供水和排水问题的报告")

    candidates = page.locator(".report-candidates li")
    assert candidates.count() == 2  # what the demo's 第1期 left
    first_title = candidates.first.locator("a").inner_text().split(" ", 1)[1]
    candidates.first.locator("button").click()
    page.locator(".flash-success").wait_for()
    page.locator(".report-candidates li").first.locator("button").click()
    page.locator(".flash-success").wait_for()
    assert page.locator(".report-compile-item").count() == 2
    first = page.locator(".report-compile-item").first
    first.get_by_label("代表意见").fill("群众反映强烈，请市里牵头解决。")
    first.get_by_role("button", name="保存代表意见").click()
    page.locator(".flash-success").wait_for()
    page.locator(".report-compile-item").nth(1).get_by_role("button", name=re.compile("上移")).click()
    page.locator(".report-compile-item").first.wait_for()
    assert first_title in page.locator(".report-compile-item").nth(1).inner_text()

    page.get_by_role("link", name="预览", exact=True).click()
    assert "草稿" in page.locator(".report-draft-notice").inner_text()
    page.get_by_role("button", name="发布", exact=True).click()
    assert re.search(r"已发布为\d{4}年第2期", page.locator(".flashes").inner_text())
    report = Report.get_by_id(report.id)
    assert (report.state, report.number) == ("published", 2)
    assert ReportItem.select().where(ReportItem.report == report.id).count() == 2

    page.get_by_role("link", name="打印版（A4）").click()
    assert page.locator(".report-masthead").inner_text() == "民情专报"
    assert "第2期" in page.locator(".report-number").inner_text()
    assert "群众反映强烈，请市里牵头解决。" in page.locator("main").inner_text()
    pages, size = pdf_pages(page.pdf(prefer_css_page_size=True, print_background=True))
    assert size == pytest.approx(A4_POINTS, abs=1)
    assert pages >= 2  # the handling table starts a page of its own

    visitor.goto(site + "/reports")
    visitor.get_by_role("link", name=re.compile("关于城区供水和排水问题的报告")).click()
    body = visitor.locator("main").inner_text()
    assert "群众反映强烈，请市里牵头解决。" in body and "各事项办理情况" in body
    assert visitor.get_by_role("button", name="发更正专报").count() == 0
    with visitor.expect_download() as download:
        visitor.get_by_role("link", name="下载 Word 文件").click()
    path = tmp_path / "report.docx"
    download.value.save_as(path)
    words = "\n".join(p.text for p in Document(path).paragraphs)
    assert "关于城区供水和排水问题的报告" in words and "群众反映强烈，请市里牵头解决。" in words
    assert first_title in words
