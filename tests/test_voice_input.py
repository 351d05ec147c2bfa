"""Voice input (issue 14): what iOS dictation or a Chinese keyboard's microphone key puts in a field.

Dictation writes full-width digits and letters (１３８ ００１３ ８０００, ＡＢ３Ｋ), spaces between groups
of digits and a sentence mark at the end (。？！ or .), and it fires input events, never key events.
"""
import pathlib
import re

import pytest
from world import EN, HX, World, login, text

import forms
import models
from domain import memberships, workflow
from models import Membership

TEMPLATES = pathlib.Path(__file__).resolve().parent.parent / "templates"
TRIGGER = re.compile(r"""(?:data-)?hx-trigger\s*=\s*(?:"([^"]*)"|'([^']*)')""")


@pytest.fixture
def world(make):
    return World(make)


# The one cleaning of ASCII-natured fields -----------------------------------------------------

@pytest.mark.parametrize("spoken, clean", [
    ("１３８ ００１３ ８０００。", "138 0013 8000"),
    ("138 0013 8000.", "138 0013 8000"),
    (" ０７１７－４２００００００？", "0717-42000000"),
    ("+86 138 0013 8000！", "+86 138 0013 8000"),
])
def test_a_dictated_phone_number_is_its_ascii_digits(spoken, clean):
    assert forms.dictated(spoken) == clean


def test_dictated_codes_usernames_and_addresses_are_ascii_without_the_end_mark():
    assert forms.dictated("ＡＢＣＤ－ＥＦＧＨ。") == "ABCD-EFGH"
    assert forms.dictated("li4@zhijiang.example.") == "li4@zhijiang.example"
    assert forms.dictated_username("ｚｈａｎｇ３。") == "zhang3"
    assert forms.dictated_username("li.") == "li."  # a dot may end a username


def test_a_contact_in_words_is_left_as_written():
    """NFKC would make Chinese punctuation ASCII: a contact that is not a phone number keeps it."""
    assert forms.contact("１３８ ００１３ ８０００。") == "138 0013 8000"
    assert forms.contact("王阿姨家，３栋２单元。") == "王阿姨家，３栋２单元。"


# Phones ---------------------------------------------------------------------------------------

def test_a_dictated_phone_is_accepted_and_stored_in_ascii(client, make, auth):
    make.user("li4", display_name="李四")
    login(auth, "li4")
    response = client.post("/profile", data={
        "display_name": "李四", "phone": "１３８ ００１３ ８０００。", "locale": "zh_Hans",
    })
    assert response.status_code == 303
    assert models.User.get(models.User.username == "li4").phone == "138 0013 8000"


@pytest.mark.parametrize("typed", ["abc", "１３８ 八千。"])
def test_a_wrong_phone_is_still_refused_and_kept(client, make, auth, typed):
    make.user("li4", display_name="李四", phone="13900000000")
    login(auth, "li4")
    response = client.post("/profile", data={"display_name": "李四", "phone": typed, "locale": "zh_Hans"})
    assert response.status_code == 422
    page = text(response)
    assert "请输入数字组成的电话号码。" in page
    assert f'value="{forms.dictated(typed)}"' in page
    assert models.User.get(models.User.username == "li4").phone == "13900000000"


def test_a_dictated_contact_is_recorded_as_a_phone_number(client, auth, world):
    category = models.Category.create(code="lights", name="路灯", name_en="Street lights")
    login(auth, "councillor")
    response = client.post("/v/yangguang/issues/record", data={
        "title": "三号楼路灯坏了", "body": "王阿姨在议事会上说的，晚上很黑。", "category": category.id,
        "channel": "bench_meeting", "reporter_name": "王阿姨", "reporter_contact": "１３８ ００１３ ８０００。",
    })
    assert response.status_code == 303, text(response)
    assert models.Issue.get(models.Issue.title == "三号楼路灯坏了").reporter_contact == "138 0013 8000"


# Codes ----------------------------------------------------------------------------------------

def full_width(code):
    return "".join(chr(ord(ch) + 0xFEE0) for ch in code)


def test_a_dictated_invite_code_joins_the_venue(client, auth, world):
    code = memberships.rotate_code(world.venue, world.councillor)
    login(auth, "stranger")
    spoken = f"{full_width(code[:4])} {full_width(code[4:])}。"
    response = client.post("/join", data={"code": spoken}, headers=EN)
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/v/yangguang")
    assert world.membership(world.stranger).status == "pending"


def test_a_dictated_personal_code_verifies(client, auth, world):
    (_number, code), = memberships.make_personal_codes(world.venue, world.councillor, 1)
    login(auth, "stranger")
    spoken = full_width(memberships.format_code(code)) + "？"
    assert client.post("/join", data={"code": spoken}).status_code == 303
    assert world.membership(world.stranger).status == "verified"


def test_a_wrong_dictated_code_is_still_refused(client, auth, world):
    memberships.rotate_code(world.venue, world.councillor)
    login(auth, "stranger")
    response = client.post("/join", data={"code": "ＮＯＰＥ２３４５。"}, headers=EN)
    assert response.status_code == 422
    page = text(response)
    assert "No venue has this code." in page and 'value="NOPE2345"' in page
    assert not Membership.select().where(Membership.user == world.stranger.id).exists()


# Searches -------------------------------------------------------------------------------------

@pytest.fixture
def lamps(world):
    lamp = workflow.raise_issue(world.venue, world.resident, "三号楼路灯坏了", "晚上楼门口很黑，老人出门不方便。")
    workflow.raise_issue(world.venue, world.resident, "广场舞太吵", "每天晚上九点以后还在跳。")
    models.Issue.update(status="accepted").execute()
    return lamp


def issue_links(page):
    return sorted(set(re.findall(r'href="/issues/(\d+)"', page)))


@pytest.mark.parametrize("spoken", ["路灯坏了。", "路灯坏了？", "路灯坏了！", "路灯坏了."])
def test_a_dictated_search_finds_what_the_typed_one_does(client, lamps, spoken):
    typed = issue_links(text(client.get("/search", query_string={"q": "路灯坏了"})))
    assert typed == [str(lamps.id)]
    assert issue_links(text(client.get("/search", query_string={"q": spoken}))) == typed


@pytest.mark.parametrize("spoken", ["路灯坏了。", "路灯？"])
def test_a_dictated_venue_filter_finds_what_the_typed_one_does(client, lamps, spoken):
    page = text(client.get("/v/yangguang", query_string={"q": spoken}, headers=HX))
    assert issue_links(page) == [str(lamps.id)]


@pytest.mark.parametrize("spoken", ["阳光。", "阳光？", "阳光议事亭."])
def test_a_dictated_venue_name_finds_the_venue(client, world, spoken):
    page = text(client.get("/", query_string={"q": spoken}, headers=HX))
    assert 'href="/v/yangguang"' in page and 'href="/v/jianghan"' not in page


# No live search waits for a key ------------------------------------------------------------------

def test_no_template_triggers_htmx_on_key_events():
    """Dictation and IMEs fill a field with input events and no key events: a trigger on keyup,
    keydown or keypress would never fire for them (or fire before the text is there)."""
    triggers = {}
    for path in TEMPLATES.rglob("*.html"):
        for double, single in TRIGGER.findall(path.read_text(encoding="utf-8")):
            triggers.setdefault(str(path.relative_to(TEMPLATES)), []).append(double or single)
    assert triggers, "no hx-trigger found: has the scan lost the templates?"
    keyed = {name: values for name, values in triggers.items()
             if any(re.search(r"\bkey(up|down|press)\b", v) for v in values)}
    assert keyed == {}
    # The live searches answer what is put in, however it is put.
    for name in ("venues/show.html", "main/index.html", "main/_search.html", "ledger/index.html",
                 "admin/users.html"):
        assert any(re.search(r"\binput\b", v) for v in triggers[name]), name
