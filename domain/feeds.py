"""Feeds people subscribe to: iCalendar (RFC 5545) for meetings, Atom (RFC 4287) for outcomes.

Both are written by hand: the formats are small, and doing it here keeps the runtime free of extra
packages. The tests parse the output back with the `icalendar` and `feedparser` packages.
"""
import datetime
import re
import xml.etree.ElementTree as ET
from zoneinfo import ZoneInfo

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_NS = "http://www.w3.org/XML/1998/namespace"


# iCalendar ----------------------------------------------------------------------------------

def ical_text(value):
    """A TEXT value escaped as RFC 5545 §3.3.11 asks: backslash, semicolon, comma, newline."""
    return (
        (value or "")
        .replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def fold(line):
    """Fold a content line at 75 octets (RFC 5545 §3.1), never inside a UTF-8 character."""
    out, current, size = [], "", 0
    for ch in line:
        width = len(ch.encode("utf-8"))
        if size + width > 75:
            out.append(current)
            current, size = " ", 1  # the continuation's leading space counts
        current += ch
        size += width
    out.append(current)
    return "\r\n".join(out)


def _utc_stamp(value):
    return value.strftime("%Y%m%dT%H%M%SZ")


def _has_fixed_offset(zone):
    january = datetime.datetime(2026, 1, 15, tzinfo=zone).utcoffset()
    july = datetime.datetime(2026, 7, 15, tzinfo=zone).utcoffset()
    return january == july


def _offset(delta):
    minutes = int(delta.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    return f"{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"


def calendar(name, events, tzid="Asia/Shanghai"):
    """An iCalendar document (str, CRLF lines) of `events`.

    Each event is a dict: uid, start and end (naive UTC, end may be None), stamp (when it was last
    revised: without a METHOD that is what DTSTAMP means), created and modified (naive UTC), summary, location, description, url, cancelled. Times are written in
    `tzid` with its VTIMEZONE when the zone keeps one offset all year (as Asia/Shanghai does);
    for a zone with daylight saving they are written in UTC, which every client understands.
    """
    zone = ZoneInfo(tzid)
    local = _has_fixed_offset(zone)
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Yishi//Meetings//ZH",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ical_text(name)}",
        f"X-WR-TIMEZONE:{tzid}",
    ]
    if local:
        offset = _offset(datetime.datetime(2026, 1, 15, tzinfo=zone).utcoffset())
        abbreviation = datetime.datetime(2026, 1, 15, tzinfo=zone).tzname()
        lines += [
            "BEGIN:VTIMEZONE",
            f"TZID:{tzid}",
            "BEGIN:STANDARD",
            "DTSTART:19700101T000000",
            f"TZOFFSETFROM:{offset}",
            f"TZOFFSETTO:{offset}",
            f"TZNAME:{abbreviation}",
            "END:STANDARD",
            "END:VTIMEZONE",
        ]

    def when(prop, value):
        if not local:
            return f"{prop}:{_utc_stamp(value)}"
        there = value.replace(tzinfo=datetime.UTC).astimezone(zone)
        return f"{prop};TZID={tzid}:{there.strftime('%Y%m%dT%H%M%S')}"

    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{event['uid']}",
            f"DTSTAMP:{_utc_stamp(event['stamp'])}",
            when("DTSTART", event["start"]),
        ]
        if event.get("end"):
            lines.append(when("DTEND", event["end"]))
        lines += [
            f"CREATED:{_utc_stamp(event['created'])}",
            f"LAST-MODIFIED:{_utc_stamp(event['modified'])}",
            f"SUMMARY:{ical_text(event['summary'])}",
        ]
        if event.get("location"):
            lines.append(f"LOCATION:{ical_text(event['location'])}")
        if event.get("description"):
            lines.append(f"DESCRIPTION:{ical_text(event['description'])}")
        lines += [
            f"URL:{event['url']}",
            f"STATUS:{'CANCELLED' if event.get('cancelled') else 'CONFIRMED'}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)


# Atom ---------------------------------------------------------------------------------------

# Characters XML 1.0 cannot carry at all (control characters other than tab and newlines).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(value):
    return _NOT_XML.sub("", value or "")


def rfc3339(value):
    """A naive UTC time as 2026-11-30T09:30:00Z."""
    return value.replace(microsecond=0).isoformat() + "Z"


def tag_uri(host, *parts):
    """A stable tag: URI (RFC 4151) for an entry or a feed, e.g. tag:example.org,2024:outcome/5."""
    return f"tag:{host.split(':')[0]},2024:" + "/".join(str(p) for p in parts)


def atom(feed, entries, lang):
    """An Atom feed (bytes, UTF-8). `feed`: id, title, subtitle, updated, self_url, html_url,
    author. Each entry: id, title, url, published, updated, author, summary, content, category.
    ElementTree escapes every text, so titles and outcomes are safe whatever they contain."""
    ET.register_namespace("", ATOM_NS)

    def sub(parent, tag, text=None, **attrs):
        element = ET.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    root = ET.Element(f"{{{ATOM_NS}}}feed", {f"{{{XML_NS}}}lang": lang})
    sub(root, "id", feed["id"])
    sub(root, "title", feed["title"])
    if feed.get("subtitle"):
        sub(root, "subtitle", feed["subtitle"])
    sub(root, "updated", rfc3339(feed["updated"]))
    sub(root, "link", rel="self", type="application/atom+xml", href=feed["self_url"])
    sub(root, "link", rel="alternate", type="text/html", href=feed["html_url"])
    author = sub(root, "author")
    sub(author, "name", feed["author"])
    sub(root, "generator", "Yishi")
    for entry in entries:
        element = sub(root, "entry")
        sub(element, "id", entry["id"])
        sub(element, "title", entry["title"])
        sub(element, "link", rel="alternate", type="text/html", href=entry["url"])
        sub(element, "published", rfc3339(entry["published"]))
        sub(element, "updated", rfc3339(entry["updated"]))
        if entry.get("author"):
            sub(sub(element, "author"), "name", entry["author"])
        if entry.get("category"):
            sub(element, "category", term=entry["category"])
        sub(element, "summary", entry["summary"], type="text")
        sub(element, "content", entry["content"], type="text")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
