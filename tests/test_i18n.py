"""Language: the user's setting, else the switcher's cookie, else Accept-Language, else Chinese."""
import os
import re

import pytest
from babel.messages.pofile import read_po

import models
from commands import HERE


def catalogue(locale):
    with open(os.path.join(HERE, "translations", locale, "LC_MESSAGES", "messages.po"), "rb") as fh:
        return read_po(fh, locale=locale)


def html_lang(response):
    return re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True)).group(1)


def test_chinese_is_the_default(client):
    response = client.get("/")
    assert html_lang(response) == "zh-Hans"
    assert "跳到正文" in response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("header", "expected"),
    [("zh-CN", "zh-Hans"), ("zh-TW,zh;q=0.9", "zh-Hans"), ("zh", "zh-Hans"), ("en-US,en;q=0.9", "en"),
     ("en", "en"), ("fr-FR", "zh-Hans"), ("fr, en;q=0.5", "en")],
)
def test_accept_language(client, header, expected):
    assert html_lang(client.get("/", headers={"Accept-Language": header})) == expected


def test_cookie_beats_accept_language(client):
    client.set_cookie("lang", "en")
    assert html_lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "en"
    client.set_cookie("lang", "klingon")
    assert html_lang(client.get("/", headers={"Accept-Language": "zh-CN"})) == "zh-Hans"


def test_user_setting_beats_cookie(client, make, auth):
    make.user("li4", locale="en")
    auth.login("li4")
    client.set_cookie("lang", "zh_Hans")
    assert html_lang(client.get("/")) == "en"


def test_switcher_sets_cookie_and_returns_to_the_page(client):
    response = client.post("/language", data={"lang": "en", "next": "/register"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/register"
    assert "lang=en" in response.headers["Set-Cookie"]
    assert html_lang(client.get("/register")) == "en"
    back = client.post("/language", data={"lang": "zh_Hans", "next": "https://evil.example/"})
    assert back.headers["Location"] == "/"
    assert html_lang(client.get("/")) == "zh-Hans"


def test_switcher_saves_the_choice_for_a_logged_in_user(client, make, auth):
    make.user("li4", locale="zh_Hans")
    auth.login("li4")
    client.post("/language", data={"lang": "en", "next": "/"})
    assert models.User.get(models.User.username == "li4").locale == "en"
    assert html_lang(client.get("/")) == "en"


def test_switcher_ignores_unknown_languages(client):
    response = client.post("/language", data={"lang": "xx"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers


def test_fragments_use_the_cookie_language(client, demo):
    client.set_cookie("lang", "en")
    fragment = client.get("/?q=马家店", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "residential pavilion" in fragment or "deputies' home" in fragment


@pytest.mark.parametrize("locale", ["zh_Hans", "en"])
def test_catalogues_are_complete(locale):
    for message in catalogue(locale):
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings), f"untranslated in {locale}: {message.id!r}"
        assert not message.fuzzy, f"fuzzy in {locale}: {message.id!r}"


def visible_text(html):
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


PAGES = ["/", "/login", "/register", "/nowhere", "/?q=不存在的地方", "/v/pavilion-yangguang",
         "/issues/1", "/items/1", "/meetings/1", "/outcomes", "/search?q=路灯", "/v/pavilion-yangguang/poster"]


@pytest.mark.parametrize("path", PAGES)
def test_chinese_pages_show_no_english_ui_string(client, demo, path):
    page = visible_text(client.get(path).get_data(as_text=True))
    for message in catalogue("zh_Hans"):
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        if not msgid or "%(" in msgid or len(msgid) < 4 or not re.search("[A-Za-z]{3}", msgid):
            continue
        assert msgid not in page, f"{path} shows untranslated {msgid!r}"


@pytest.mark.parametrize("path", PAGES)
def test_english_pages_show_no_chinese_ui_string(client, demo, path):
    client.set_cookie("lang", "en")
    page = visible_text(client.get(path).get_data(as_text=True))
    # Place and people names are data, written in Chinese whatever the language.
    data = [v.name for v in models.Venue.select()] + [r.name for r in models.Region.select()]
    data += [f"{i.title} {i.body}" for i in models.Issue.select()]
    data += [f"{m.title} {m.place} {m.description} {m.minutes}" for m in models.Meeting.select()]
    data += [f"{a.title} {a.body} {a.outcome}" for a in models.AgendaItem.select()]
    data += [f"{c.body}" for c in models.Comment.select()] + [e.note for e in models.Event.select()]
    data += [u.display_name for u in models.User.select()] + [c.name for c in models.Category.select()]
    for message in catalogue("zh_Hans"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            if text and "%(" not in text and len(text) >= 3 and not any(text in name for name in data):
                assert text not in page, f"{path} shows Chinese {text!r} in English"


def test_chinese_addresses_people_as_nin_everywhere():
    """One register for the whole site: 您, never the familiar 你 (您 itself holds no 你)."""
    familiar = []
    for message in catalogue("zh_Hans"):
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any("你" in (s or "") for s in strings):
            familiar.append(message.id)
    assert familiar == []


def test_templates_follow_a_forced_language_and_come_back(app):
    """Templates keep the request's translations (extensions.translations), but force_locale, as a
    message to someone who reads another language uses, still decides what they say."""
    from flask import render_template_string
    from flask_babel import force_locale

    template = ("{{ _('Support') }} {{ ngettext('person supports this', 'people support this', 2) }} "
                "{{ label('issue_status', 'resolved') }} {{ label('issue_status', 'unknown') }}")
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render_template_string(template) == "附议 人附议 已办结 unknown"
        with force_locale("en"):
            assert render_template_string(template) == "Support people support this resolved unknown"
        assert render_template_string(template) == "附议 人附议 已办结 unknown"
