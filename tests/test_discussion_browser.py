"""What only a browser proves: htmx swaps in place, polling beside a half-typed comment, and the
same flows with JavaScript off."""
import re

import pytest
from playwright.sync_api import expect
from world import DiscussionWorld as World
from world import browser_login

import models
from domain import participation

pytestmark = pytest.mark.browser


@pytest.fixture
def world(app, make):
    app.config["COMMENT_POLL_SECONDS"] = 1  # the same code path, only sooner
    return World(make)


@pytest.fixture
def polls_answered(app):
    """The status of every poll the live server answers (the browser shows a 304 to scripts as the
    cached 200, so the server side is where it shows)."""
    statuses = []
    wsgi_app = app.wsgi_app

    def recording(environ, start_response):
        def start(status, headers, *args):
            if "/comments" in environ.get("PATH_INFO", "") and "after=" in environ.get("QUERY_STRING", ""):
                statuses.append(int(status.split()[0]))
            return start_response(status, headers, *args)

        return wsgi_app(environ, start)

    app.wsgi_app = recording
    return statuses


@pytest.fixture
def console_errors(page):
    """Errors the page meets: htmx's (a swap target missing), the CSP's (an inline script), failed
    requests (but the favicon, which the site does not have)."""
    errors = []

    def on_console(message):
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            errors.append(message.text)

    def on_response(response):
        if response.status >= 400 and not response.url.endswith("/favicon.ico"):
            errors.append(f"{response.status} {response.url}")

    page.on("console", on_console)
    page.on("response", on_response)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def issue_url(server, world):
    return f"{server.url}/issues/{world.issue.id}"


def poll_response(response):
    return "/issues/" in response.url and "/comments?after=" in response.url


def test_a_comment_and_a_reply_appear_in_place(page, live_server, world, console_errors):
    browser_login(page, live_server.url, "resident")
    page.goto(issue_url(live_server, world))
    page.evaluate("window.stillTheSamePage = true")
    comments = page.locator(f"#comments-{world.issue.id} > li")
    expect(comments).to_have_count(0)

    page.fill("#comment-body", "楼道的灯也坏了")
    page.click(f"#comment-submit-{world.issue.id}")
    expect(comments).to_have_count(1)
    expect(comments.first).to_contain_text("楼道的灯也坏了")
    expect(page.locator("#comment-body")).to_have_value("")
    expect(page.locator(f"#comment-count-{world.issue.id}")).to_have_text("1 条评论")
    expect(page.get_by_role("status")).to_have_text("评论已发表。")

    comment = models.Comment.get()
    page.click(f"#reply-{comment.id} summary")
    page.fill(f"#reply-{comment.id}-body", "我去报修")
    page.click(f"#reply-submit-{comment.id}")
    expect(page.locator(f"#replies-{comment.id} > li")).to_have_count(1)
    expect(page.locator(f"#replies-{comment.id}")).to_contain_text("我去报修")
    expect(page.locator(f"#reply-{comment.id}")).not_to_have_attribute("open", "")

    # Later polls add nothing twice.
    for _ in range(2):
        with page.expect_response(poll_response):
            pass
    expect(comments).to_have_count(1)
    expect(page.locator(f"#replies-{comment.id} > li")).to_have_count(1)
    assert page.evaluate("window.stillTheSamePage") is True
    assert models.Comment.select().count() == 2
    assert console_errors == []


def test_a_bad_comment_shows_its_message_in_place(page, live_server, world):
    browser_login(page, live_server.url, "resident")
    page.goto(issue_url(live_server, world))
    page.click(f"#comment-submit-{world.issue.id}")
    expect(page.locator("#comment-body-error")).to_have_text("请写下您的评论。")
    expect(page.locator("#comment-body")).to_have_attribute("aria-invalid", "true")
    assert models.Comment.select().count() == 0


def test_another_persons_comment_arrives_while_one_is_half_typed(
    page, live_server, world, polls_answered, console_errors
):
    browser_login(page, live_server.url, "resident")
    page.goto(issue_url(live_server, world))
    box = page.locator("#comment-body")
    box.click()
    box.type("我觉得应该先")
    # Two polls with nothing new: the second is answered 304 from the issue row.
    for _ in range(2):
        with page.expect_response(poll_response):
            pass
    assert polls_answered[-1] == 304
    assert console_errors == []

    earlier = participation.add_comment(world.issue, world.councillor, "已经联系电工")
    expect(page.locator(f"#comments-{world.issue.id}")).to_contain_text("已经联系电工")
    participation.add_comment(world.issue, world.author, "谢谢", parent=earlier)
    expect(page.locator(f"#replies-{earlier.id}")).to_contain_text("谢谢")

    expect(box).to_have_value("我觉得应该先")
    assert page.evaluate("document.activeElement.id") == "comment-body"
    box.type("修路灯")
    expect(box).to_have_value("我觉得应该先修路灯")
    for _ in range(2):
        with page.expect_response(poll_response):
            pass
    expect(page.locator(f"#comments-{world.issue.id} > li")).to_have_count(1)
    expect(page.locator(f"#replies-{earlier.id} > li")).to_have_count(1)
    assert polls_answered[-1] == 304
    assert console_errors == []


def test_the_support_button_toggles_in_place(page, live_server, world, console_errors):
    browser_login(page, live_server.url, "resident")
    page.goto(issue_url(live_server, world))
    page.evaluate("window.stillTheSamePage = true")
    button = page.locator(f"#support-button-{world.issue.id}")
    count = page.locator(f"#support-{world.issue.id} .support-count strong")
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text("0")

    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(count).to_have_text("1")
    # Supporting made the resident follow: that button changed out of band.
    expect(page.locator(f"#follow-button-{world.issue.id}")).to_have_attribute("aria-pressed", "true")
    assert page.evaluate("document.activeElement.id") == f"support-button-{world.issue.id}"

    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(count).to_have_text("0")
    assert page.evaluate("window.stillTheSamePage") is True
    assert models.Issue.get_by_id(world.issue.id).support_count == 0
    assert console_errors == []


def test_comments_and_supports_work_without_javascript(nojs_page, live_server, world):
    page = nojs_page
    browser_login(page, live_server.url, "resident")
    page.goto(issue_url(live_server, world))

    page.click(f"#comment-submit-{world.issue.id}")  # empty: the page comes back with the message
    expect(page.locator("#comment-body-error")).to_have_text("请写下您的评论。")
    page.fill("#comment-body", "没有脚本也能发")
    page.click(f"#comment-submit-{world.issue.id}")
    comment = models.Comment.get()
    page.wait_for_url(re.compile(rf"/issues/{world.issue.id}#comment-{comment.id}$"))
    expect(page.locator(f"#comment-{comment.id}")).to_contain_text("没有脚本也能发")
    expect(page.locator(".flash-success")).to_have_text("评论已发表。")

    page.click(f"#reply-{comment.id} summary")
    page.fill(f"#reply-{comment.id}-body", "回复也行")
    page.click(f"#reply-submit-{comment.id}")
    expect(page.locator(f"#replies-{comment.id}")).to_contain_text("回复也行")

    button = page.locator(f"#support-button-{world.issue.id}")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f"#support-{world.issue.id} .support-count strong")).to_have_text("1")
    expect(page.locator(".flash-success")).to_have_text("谢谢！您的附议已记上。")
    button.click()
    expect(button).to_have_attribute("aria-pressed", "false")
    expect(page.locator(f"#support-{world.issue.id} .support-count strong")).to_have_text("0")
    assert models.Issue.get_by_id(world.issue.id).support_count == 0


def test_the_author_sees_a_neighbours_support_arrive_without_reloading(page, live_server, world, app):
    app.config["STATUS_POLL_SECONDS"] = 1
    browser_login(page, live_server.url, "author")
    page.goto(issue_url(live_server, world))
    page.evaluate("window.notReloaded = true")
    count = page.locator(f"#support-count-{world.issue.id} strong")
    expect(count).to_have_text("0")
    participation.support(world.resident, models.Issue.get_by_id(world.issue.id))
    expect(count).to_have_text("1")
    assert page.evaluate("window.notReloaded") is True
