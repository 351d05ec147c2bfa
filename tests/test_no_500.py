"""Nothing a user sends may produce a 500: every route, every method, with junk, as each kind of user."""
import re

import pytest

from domain.demo import DEMO_PAVILION_SLUG

JUNK = {
    "title": "x" * 5000, "body": "<script>alert(1)</script>" * 300, "reason": "", "note": "\x00",
    "choice": "maybe", "want": "2", "opens_at": "not a date", "closes_at": "2026-13-45T25:61",
    "starts_at": "yesterday", "ends_at": "", "due_on": "31/02/2026", "quorum_value": "-5",
    "quorum_kind": "lots", "rule": "bogus", "kind": "castle", "level": "galaxy", "parent": "abc",
    "region": "99999999999", "lang": "??", "next": "//evil.example", "target": "abc", "issue": "1e9",
    "code": "'; drop table user; --", "status": "zzz", "category": "nope", "channel": "pigeon",
    "username": "a b", "password": "", "display_name": "", "phone": "☎", "role": "king",
    "slug": "../../etc", "name": "", "minutes": "m" * 30000, "outcome": "", "step": "nowhere",
    "after": "-1", "page": "abc", "q": "%", "field": "nonexistent", "form": "nonexistent",
    "comment-body": "", "reply-body": "y" * 5000, "locale": "xx", "is_admin": "maybe",
}


def fill(rule, slug):
    """The rule's path with an id of 1, the first choice of an `any`, and the demo slug elsewhere."""

    def value(match):
        converter, args = match.group(1), match.group(2)
        if converter == "int":
            return "1"
        if converter == "any":
            return args.split(",")[0].strip()
        return slug

    return re.sub(r"<(?:(\w+)(?:\(([^)]*)\))?:)?\w+>", value, rule.rule)


@pytest.mark.parametrize("who", [None, "resident", "councillor", "admin"])
def test_junk_never_gives_a_server_error(app, client, demo, auth, who):
    from domain.demo import DEMO_PASSWORD

    if who:
        auth.login(who, DEMO_PASSWORD)
    failures = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or "test" in rule.endpoint:
            continue
        path = fill(rule, DEMO_PAVILION_SLUG)
        assert "<" not in path, path
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for headers in ({}, {"HX-Request": "true"}):
                response = client.open(path, method=method, data=JUNK, query_string=JUNK, headers=headers)
                if response.status_code >= 500:
                    failures.append((method, path, bool(headers), response.status_code))
        if who:  # a junk form may have logged us out or changed the password: log in again
            auth.login(who, DEMO_PASSWORD)
    assert not failures


def test_nul_characters_are_dropped_from_input(client, demo):
    assert client.get("/v/%00x").status_code == 404
    assert 'value="阳光"' in client.get("/?q=阳%00光").get_data(as_text=True)
    response = client.post("/login", data={"username": "resident\x00", "password": "yishi-demo"})
    assert response.status_code == 303
