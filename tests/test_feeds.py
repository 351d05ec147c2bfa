"""The iCalendar and Atom feeds, parsed back with real parsers (icalendar, feedparser)."""
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import feedparser
import icalendar
import pytest
from world import World

import models
from domain import deliberation, feeds, site
from domain.site import IdentityCache

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def world(make):
    return World(make)


def events(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(response.data)
    return calendar, {str(e["UID"]): e for e in calendar.walk("VEVENT")}


def test_venue_calendar(client, world):
    soon = world.meeting(title="5号见，议充电桩; 请带上意见", kind="fifth_day",
                         description="第一行\n第二行，带逗号; 和分号\\", place="阳光小区议事亭")
    soon.starts_at = datetime(2026, 12, 5, 1, 30)  # 09:30 in Beijing
    soon.ends_at = datetime(2026, 12, 5, 3, 0)
    soon.save()
    cancelled = world.meeting(title="取消的议事会", cancelled=True)
    world.meeting(title="别处的议事会", venue=world.other_venue)
    calendar, found = events(client.get("/v/yangguang/meetings.ics"))
    assert calendar["VERSION"] == "2.0"
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert set(found) == {f"meeting-{soon.id}@yishi.local", f"meeting-{cancelled.id}@yishi.local"}
    event = found[f"meeting-{soon.id}@yishi.local"]
    start = event.decoded("DTSTART")
    assert start == datetime(2026, 12, 5, 9, 30, tzinfo=SHANGHAI)
    assert str(start.tzinfo) == "Asia/Shanghai"
    assert event.decoded("DTEND") == datetime(2026, 12, 5, 11, 0, tzinfo=SHANGHAI)
    assert str(event["SUMMARY"]) == "5号见，议充电桩; 请带上意见"  # commas and semicolons survive
    assert "第一行\n第二行，带逗号; 和分号\\" in str(event["DESCRIPTION"])
    assert str(event["LOCATION"]) == "阳光小区议事亭"
    assert str(event["URL"]).endswith(f"/meetings/{soon.id}")
    assert str(event["STATUS"]) == "CONFIRMED"
    assert str(found[f"meeting-{cancelled.id}@yishi.local"]["STATUS"]) == "CANCELLED"


def test_uids_are_stable(client, world):
    meeting = world.meeting()
    _cal, first = events(client.get("/v/yangguang/meetings.ics"))
    meeting.title = "改了名字"
    meeting.save()
    _cal, second = events(client.get("/meetings.ics"))
    assert set(first) <= set(second)
    assert str(second[f"meeting-{meeting.id}@yishi.local"]["SUMMARY"]).startswith("改了名字")


def test_site_calendar_has_every_venue(client, world):
    world.meeting(title="这里的")
    world.meeting(title="那里的", venue=world.other_venue)
    _cal, found = events(client.get("/meetings.ics"))
    summaries = {str(e["SUMMARY"]) for e in found.values()}
    assert summaries == {"这里的 · 阳光议事亭", "那里的 · 江汉议事亭"}
    assert client.get("/v/nowhere/meetings.ics").status_code == 404


def test_long_chinese_lines_fold_within_75_octets():
    long_title = "关于小区加装电梯费用分摊、停车收费标准调整和垃圾分类投放点位置的议事会" * 3
    text = feeds.calendar("测试", [{
        "uid": "meeting-1@example.org", "start": datetime(2026, 12, 5, 1, 30), "end": None,
        "stamp": datetime(2026, 12, 1), "created": datetime(2026, 12, 1), "modified": datetime(2026, 12, 1),
        "summary": long_title, "location": "", "description": "", "url": "https://example.org/m/1",
    }])
    lines = text.split("\r\n")
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == long_title


def test_a_zone_with_daylight_saving_gets_utc_times():
    text = feeds.calendar("x", [{
        "uid": "m@x", "start": datetime(2026, 7, 1, 12, 0), "end": None, "stamp": datetime(2026, 1, 1),
        "created": datetime(2026, 1, 1), "modified": datetime(2026, 1, 1), "summary": "s", "url": "u",
    }], tzid="Europe/Berlin")
    event = icalendar.Calendar.from_ical(text).walk("VEVENT")[0]
    assert event.decoded("DTSTART") == datetime(2026, 7, 1, 12, 0, tzinfo=ZoneInfo("UTC"))


def publish(world, title, outcome, days_ago=0, venue=None):
    meeting = world.meeting(venue=venue) if venue else world.meeting()
    item = world.item(meeting, state="open", title=title)
    if venue is None:  # the world's residents live at its own venue
        deliberation.cast(item, world.resident, "yes")
    item = deliberation.close_early(item, world.admin, "会上已表决")
    return deliberation.publish_outcome(
        item, world.councillor, outcome, now=models.utcnow() - timedelta(days=days_ago)
    )


def parse_feed(response):
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.data)
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def test_site_outcomes_feed(client, world):
    old = publish(world, "较早 <的> 决议 & 其他", "第一行\n<b>不是标签</b> & 符号", days_ago=3)
    new = publish(world, "较新的决议", "同意建设充电桩。")
    publish(world, "别处的决议", "别处。", days_ago=1, venue=world.other_venue)
    feed = parse_feed(client.get("/outcomes.atom"))
    titles = [entry.title for entry in feed.entries]
    assert titles == ["较新的决议", "别处的决议", "较早 <的> 决议 & 其他"]
    oldest = feed.entries[2]
    assert oldest.id == f"tag:yishi.local,2024:outcome/{old.id}"
    assert oldest.link.endswith(f"/items/{old.id}")
    assert "<b>不是标签</b> & 符号" in oldest.content[0].value
    assert feed.entries[0].id == f"tag:yishi.local,2024:outcome/{new.id}"
    assert feed.feed.updated_parsed[:5] == new.outcome_published_at.timetuple()[:5]
    assert any(link.rel == "self" and link.href.endswith("/outcomes.atom") for link in feed.feed.links)


def test_venue_outcomes_feed(client, world):
    publish(world, "这里的决议", "这里。")
    publish(world, "别处的决议", "别处。", venue=world.other_venue)
    feed = parse_feed(client.get("/v/yangguang/outcomes.atom", headers={"Accept-Language": "en"}))
    assert [entry.title for entry in feed.entries] == ["这里的决议"]
    assert feed.feed.title == "Outcomes of 阳光议事亭"
    assert feed.entries[0].summary.startswith("passed · yes 1, no 0, abstain 0")
    assert client.get("/v/nowhere/outcomes.atom").status_code == 404


def test_empty_feed_is_valid(client, world):
    feed = parse_feed(client.get("/outcomes.atom"))
    assert feed.entries == []


def test_control_characters_do_not_break_the_feed(client, world):
    publish(world, "标题\x0b有控制字符", "正文\x01也有")
    feed = parse_feed(client.get("/outcomes.atom"))
    assert feed.entries[0].title == "标题有控制字符"


@pytest.mark.parametrize("url", ["/outcomes.atom", "/v/yangguang/meetings.ics"])
def test_feeds_answer_304_when_unchanged(client, world, url):
    world.meeting()
    first = client.get(url)
    again = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    world.meeting(title="新安排的议事会")
    publish(world, "新决议", "新。")
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 200


def test_calendar_uids_do_not_depend_on_the_address_used(client, world):
    meeting = world.meeting()
    _calendar, inside = events(client.get("/meetings.ics", base_url="http://10.0.0.5:8000"))
    _calendar, outside = events(client.get("/meetings.ics", base_url="https://yishi.example.org"))
    assert set(inside) == set(outside) == {f"meeting-{meeting.id}@yishi.local"}


# The feeds' names: the site's identity as the admins set it, in the reader's language ----------------

EN = {"Accept-Language": "en"}


def name_the_site(world, name="枝江议事", name_en="Zhijiang Deliberation"):
    site.save_settings(world.admin, {"name": name, "name_en": name_en})


def calendar_name(response):
    calendar, _found = events(response)
    return str(calendar["X-WR-CALNAME"])


def test_feeds_are_named_after_the_site_in_the_readers_language(client, world):
    publish(world, "这里的决议", "这里。")
    world.meeting(title="这里的")
    name_the_site(world)
    chinese = parse_feed(client.get("/outcomes.atom"))
    assert chinese.feed.title == "决议 · 枝江议事" and chinese.feed.author == "枝江议事"
    english = parse_feed(client.get("/outcomes.atom", headers=EN))
    assert english.feed.title == "Outcomes · Zhijiang Deliberation"
    assert english.feed.author == "Zhijiang Deliberation"
    assert parse_feed(client.get("/v/yangguang/outcomes.atom", headers=EN)).feed.author == "Zhijiang Deliberation"
    assert calendar_name(client.get("/meetings.ics")) == "议事会 · 枝江议事"
    assert calendar_name(client.get("/meetings.ics", headers=EN)) == "Meetings · Zhijiang Deliberation"


def test_feeds_take_the_admins_name_over_the_environments(app, client, world):
    app.extensions["site_identity"] = IdentityCache({"SITE_NAME": "某县议事", "SITE_NAME_EN": "Mouxian"})
    app.config["SITE_NAME"] = "某县议事"
    assert parse_feed(client.get("/outcomes.atom")).feed.title == "决议 · 某县议事"
    assert calendar_name(client.get("/meetings.ics", headers=EN)) == "Meetings · Mouxian"
    name_the_site(world, name_en="")
    assert parse_feed(client.get("/outcomes.atom")).feed.title == "决议 · 枝江议事"
    # No English name saved: the environment's English default still comes before the Chinese name.
    assert calendar_name(client.get("/meetings.ics", headers=EN)) == "Meetings · Mouxian"


def test_without_a_name_the_feeds_are_yishis(client, world):
    assert parse_feed(client.get("/outcomes.atom")).feed.title == "决议 · 议事"
    assert calendar_name(client.get("/meetings.ics", headers=EN)) == "Meetings · Yishi"


@pytest.mark.parametrize("url", ["/outcomes.atom", "/meetings.ics"])
def test_renaming_the_site_renews_the_feeds_a_reader_kept(client, world, url):
    publish(world, "决议", "内容。")
    first = client.get(url)
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    name_the_site(world)
    renewed = client.get(url, headers={"If-None-Match": first.headers["ETag"]})
    assert renewed.status_code == 200 and "枝江议事" in renewed.get_data(as_text=True)
