"""What only a browser proves about voice input (issue 14): text put into a live search the way
dictation or an IME puts it, with input events and no key pressed, updates the list by itself."""
import pytest
from playwright.sync_api import expect
from world import World

import models
from domain import workflow

pytestmark = pytest.mark.browser

# Counts the key events the page sees: dictation sends none, and neither must the test.
COUNT_KEYS = """() => {
  window.keyEvents = 0;
  for (const type of ["keydown", "keypress", "keyup"]) {
    document.addEventListener(type, () => { window.keyEvents += 1; }, true);
  }
  window.notReloaded = true;
}"""


@pytest.fixture
def site(live_server, make):
    world = World(make)
    workflow.raise_issue(world.venue, world.resident, "三号楼路灯坏了", "晚上楼门口很黑，老人出门不方便。")
    workflow.raise_issue(world.venue, world.resident, "广场舞太吵", "每天晚上九点以后还在跳。")
    models.Issue.update(status="accepted").execute()
    return live_server.url


def dictate(page, selector, words):
    """Put `words` into the field as dictation does: focused, then text inserted, no key pressed."""
    page.evaluate(COUNT_KEYS)
    page.locator(selector).focus()
    page.keyboard.insert_text(words)


def test_the_venue_finder_answers_dictation(page, site):
    page.goto(site + "/")
    results = page.locator("#results")
    expect(results).to_contain_text("江汉议事亭")
    dictate(page, "#venue-q", "阳光。")
    expect(results).not_to_contain_text("江汉议事亭")
    expect(results).to_contain_text("阳光议事亭")
    assert page.evaluate("[window.keyEvents, window.notReloaded]") == [0, True]


def test_the_venue_pages_words_filter_answers_dictation(page, site):
    page.goto(site + "/v/yangguang")
    issues = page.locator("#issues")
    expect(issues).to_contain_text("广场舞太吵")
    dictate(page, "#issue-q", "路灯坏了。")
    expect(issues).not_to_contain_text("广场舞太吵")
    expect(issues).to_contain_text("三号楼路灯坏了")
    assert page.evaluate("[window.keyEvents, window.notReloaded]") == [0, True]
