"""One resident, one voice (issue 13): the venue-wide invite code verifies nobody and never undoes
a refusal; personal codes verify one person once, can be withdrawn and are stored hashed; open
polls are never shown as residents' decisions."""
import re
from datetime import timedelta

import pytest
from peewee import IntegrityError
from world import EN, MODERATOR_ROLES, Auth, World, login, text

import models
from domain import deliberation, memberships, permissions
from models import AgendaItem, AuditLog, Meeting, Membership, PersonalCode, Venue


@pytest.fixture
def world(make):
    return World(make)


def status(world, user):
    membership = Membership.resident(user, world.venue)
    return membership.status if membership else None


def residents(venue):
    return Venue.get_by_id(venue.id).resident_count


def sheet_codes(response):
    return re.findall(r'class="code-slip-code">([A-Z0-9-]+)<', text(response))


# The venue-wide invite code -----------------------------------------------------------------

def test_the_invite_code_verifies_nobody(client, auth, world):
    """The failure: any account that typed the public code became a verified voter."""
    code = memberships.rotate_code(world.venue, world.councillor)
    for n in range(5):
        user = world.make.user(f"sock{n}")
        outcome, venue = memberships.join_with_code(user, code)
        assert (outcome, venue.id) == (memberships.REQUESTED, world.venue.id)
        assert Membership.resident(user, world.venue).status == "pending"
    assert residents(world.venue) == 2  # the two verified residents of the world, no more
    login(auth, "stranger")
    client.post("/join", data={"code": code})
    assert status(world, world.stranger) == "pending"


def test_the_invite_code_after_a_refusal_stays_refused(client, auth, world):
    """The failure: refuse a request, then POST /join with the code, and the person was verified."""
    code = memberships.rotate_code(world.venue, world.councillor)
    memberships.refuse(world.membership(world.pending), world.councillor, "不住本小区")
    login(auth, "pending")
    response = client.post("/join", data={"code": code}, headers=EN)
    assert response.status_code == 422
    assert "refused your request, and a code does not change that" in text(response)
    assert status(world, world.pending) == "refused"
    assert residents(world.venue) == 2


def test_a_removed_resident_is_not_brought_back_by_the_invite_code(world):
    code = memberships.rotate_code(world.venue, world.councillor)
    memberships.remove(world.membership(world.resident2), world.councillor, "搬走了")
    assert memberships.join_with_code(world.resident2, code)[0] == memberships.REFUSED
    assert status(world, world.resident2) == "removed"


def test_the_invite_code_of_a_verified_resident_changes_nothing(world):
    code = memberships.rotate_code(world.venue, world.councillor)
    assert memberships.join_with_code(world.resident, code)[0] == memberships.ALREADY
    assert status(world, world.resident) == "verified"


# Personal codes -----------------------------------------------------------------------------

def test_a_personal_code_verifies_one_person_once(client, auth, world):
    (number, code), = memberships.make_personal_codes(world.venue, world.councillor, 1)
    login(auth, "stranger")
    response = client.post("/join", data={"code": code.lower().replace("-", " ")}, headers=EN)
    assert response.status_code == 303 and response.headers["Location"].endswith("/v/yangguang")
    membership = world.membership(world.stranger)
    assert membership.status == "verified"
    assert membership.verified_by_id == world.councillor.id  # who handed over the code vouched
    assert residents(world.venue) == 3
    # The same code again, by anyone else: spent.
    auth.logout()
    login(auth, "pending")
    response = client.post("/join", data={"code": code}, headers=EN)
    assert response.status_code == 422 and "has been used already" in text(response)
    assert status(world, world.pending) == "pending"
    assert residents(world.venue) == 3
    used = PersonalCode.get(PersonalCode.number == number)
    assert used.used_by_id == world.stranger.id and used.state == "used"


def test_one_person_spends_no_second_code(world):
    (_, first), (_, second) = memberships.make_personal_codes(world.venue, world.councillor, 2)
    assert memberships.join_with_code(world.stranger, first)[0] == memberships.VERIFIED
    assert memberships.join_with_code(world.stranger, second)[0] == memberships.ALREADY
    assert PersonalCode.select().where(PersonalCode.used_at.is_null()).count() == 1
    assert residents(world.venue) == 3


def test_the_database_refuses_a_second_code_for_one_person(world):
    a, b = (PersonalCode.create(venue=world.venue, number=n, code_hash=f"{n:064d}") for n in (1, 2))
    PersonalCode.update(used_by=world.stranger.id, used_at=models.utcnow()).where(PersonalCode.id == a.id).execute()
    with pytest.raises(IntegrityError), models.db.atomic():
        PersonalCode.update(used_by=world.stranger.id).where(PersonalCode.id == b.id).execute()


def test_the_database_keeps_one_resident_membership_per_person_and_venue(world):
    with pytest.raises(IntegrityError), models.db.atomic():
        Membership.create(user=world.resident, venue=world.venue, role="resident", status="verified")


def test_a_withdrawn_code_is_refused(client, auth, world):
    (number, code), = memberships.make_personal_codes(world.venue, world.councillor, 1)
    personal = PersonalCode.get(PersonalCode.number == number)
    login(auth, "councillor")
    assert client.post(f"/v/yangguang/codes/{personal.id}/revoke").status_code == 303
    assert PersonalCode.get_by_id(personal.id).state == "revoked"
    auth.logout()
    login(auth, "stranger")
    response = client.post("/join", data={"code": code}, headers=EN)
    assert response.status_code == 422 and "withdrawn by a councillor" in text(response)
    assert status(world, world.stranger) is None
    # A used code cannot be withdrawn afterwards, and says so.
    (number2, code2), = memberships.make_personal_codes(world.venue, world.councillor, 1)
    memberships.join_with_code(world.stranger, code2)
    used = PersonalCode.get(PersonalCode.number == number2)
    assert not memberships.revoke_personal_code(used, world.councillor)
    assert PersonalCode.get_by_id(used.id).state == "used"


def test_a_personal_code_does_not_undo_a_refusal(world):
    (_, code), = memberships.make_personal_codes(world.venue, world.councillor, 1)
    memberships.refuse(world.membership(world.pending), world.councillor, "不认识")
    assert memberships.join_with_code(world.pending, code)[0] == memberships.REFUSED
    assert status(world, world.pending) == "refused"
    assert PersonalCode.select().where(PersonalCode.used_at.is_null()).count() == 1  # not spent


def test_codes_are_stored_hashed_and_audited(world):
    sheet = memberships.make_personal_codes(world.venue, world.councillor, 3)
    assert [n for n, _ in sheet] == [1, 2, 3]
    stored = {row.code_hash for row in PersonalCode.select()}
    for _, code in sheet:
        plain = code.replace("-", "")
        assert len(plain) == memberships.PERSONAL_CODE_LENGTH
        assert plain not in stored and code not in stored
        assert memberships.hash_code(code) in stored
    # Nothing of a code in clear anywhere in the audit trail either.
    memberships.join_with_code(world.stranger, sheet[0][1])
    memberships.revoke_personal_code(PersonalCode.get(PersonalCode.number == 2), world.councillor)
    trail = [(row.action, str(row.before), str(row.after), row.note) for row in AuditLog.select()]
    actions = {row[0] for row in trail}
    assert {"personal_code.create", "personal_code.use", "personal_code.revoke"} <= actions
    for _, code in sheet:
        assert all(code.replace("-", "") not in " ".join(entry) for entry in trail)
    assert all("code_hash" not in " ".join(entry) for entry in trail)
    # A new sheet goes on numbering.
    assert memberships.make_personal_codes(world.venue, world.councillor, 1)[0][0] == 4


@pytest.mark.parametrize("count", [0, 101])
def test_a_sheet_has_one_to_a_hundred_codes(world, count):
    with pytest.raises(ValueError):
        memberships.make_personal_codes(world.venue, world.councillor, count)


def test_only_the_venues_moderators_make_codes(world):
    with pytest.raises(permissions.NotAllowed):
        memberships.make_personal_codes(world.venue, world.resident, 1)
    with pytest.raises(permissions.NotAllowed):
        memberships.make_personal_codes(world.venue, world.other_councillor, 1)


@pytest.mark.parametrize("username, allowed", MODERATOR_ROLES)
def test_the_codes_pages_are_for_the_venues_moderators(client, auth, world, username, allowed):
    login(auth, username)
    assert client.get("/v/yangguang/codes").status_code == allowed
    response = client.post("/v/yangguang/codes", data={"count": "2"})
    assert response.status_code == allowed
    assert PersonalCode.select().count() == (2 if allowed == 200 else 0)


def test_the_sheet_is_a_printable_page_shown_once(client, auth, world):
    login(auth, "councillor")
    response = client.post("/v/yangguang/codes", data={"count": "3"}, headers=EN)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = text(response)
    assert "<script" not in page.split("</head>")[1].replace('<script src="/static/', "")  # no inline JS
    codes = sheet_codes(response)
    assert len(codes) == 3 and len(set(codes)) == 3
    assert "No. 1" in page and "/join" in page
    # The list shows numbers and states, never the codes.
    listing = text(client.get("/v/yangguang/codes", headers=EN))
    assert all(code not in listing for code in codes)
    assert listing.count("not used yet") == 3 and "Withdraw No. 3" in listing
    # The codes work.
    auth.logout()
    login(auth, "stranger")
    assert client.post("/join", data={"code": codes[1]}).status_code == 303
    assert status(world, world.stranger) == "verified"


@pytest.mark.parametrize("count", ["", "0", "101", "abc"])
def test_a_bad_count_is_a_422_that_keeps_the_input(client, auth, world, count):
    login(auth, "councillor")
    response = client.post("/v/yangguang/codes", data={"count": count}, headers=EN)
    assert response.status_code == 422
    assert "code-slip" not in text(response)
    assert not PersonalCode.select().exists()


def test_another_venues_code_cannot_be_withdrawn_here(client, auth, world):
    (number, _), = memberships.make_personal_codes(world.other_venue, world.other_councillor, 1)
    personal = PersonalCode.get(PersonalCode.number == number)
    login(auth, "councillor")
    assert client.post(f"/v/yangguang/codes/{personal.id}/revoke").status_code == 404
    assert client.post("/v/yangguang/codes/99999999999/revoke").status_code == 404
    assert PersonalCode.get_by_id(personal.id).state == "unused"


def test_the_codes_need_csrf(csrf_app, make):
    world = World(make)
    (number, _), = memberships.make_personal_codes(world.venue, world.councillor, 1)
    personal = PersonalCode.get(PersonalCode.number == number)
    client = csrf_app.test_client()
    csrf_app.config["WTF_CSRF_ENABLED"] = False
    Auth(client).login("councillor")  # logging in is not what is being tested
    csrf_app.config["WTF_CSRF_ENABLED"] = True
    for path in ("/v/yangguang/codes", f"/v/yangguang/codes/{personal.id}/revoke"):
        assert client.post(path, data={"count": "1"}).status_code == 400, path
    assert PersonalCode.select().count() == 1
    assert PersonalCode.get_by_id(personal.id).state == "unused"


# Open polls ---------------------------------------------------------------------------------

def open_poll(world, votes=("yes", "yes", "no")):
    """An item at a venue open to all, voted and closed, its outcome published."""
    Venue.update(voting_open_to_all=True).where(Venue.id == world.venue.id).execute()
    issue = world.issue()
    meeting = Meeting.create(venue=world.venue, title="开放征询会", starts_at=models.utcnow())
    item = deliberation.add_item(meeting, world.councillor, "小区门口设置快递柜", issue=issue, quorum_value=1)
    now = models.utcnow()
    deliberation.set_window(item, world.councillor, now - timedelta(minutes=1), now + timedelta(hours=1))
    for choice in votes:
        deliberation.cast(item, world.make.user(), choice)
    deliberation.close_early(item, world.councillor, "会上已表决")
    deliberation.publish_outcome(item, world.councillor, "征询结果转交物业参考。", next_status="resolved")
    return AgendaItem.get_by_id(item.id), meeting, issue


POLL_EN = "open poll: yes won"
POLL_ZH = "开放征询"


def test_an_open_poll_is_labelled_so_wherever_its_result_shows(client, auth, world):
    """The failure: votes open to every registered user read like any residents' decision."""
    item, meeting, issue = open_poll(world)
    assert item.open_poll and item.result == "passed"
    pages = {
        "item": f"/items/{item.id}",
        "meeting": f"/meetings/{meeting.id}",
        "outcomes": "/outcomes",
        "venue outcomes": "/v/yangguang/outcomes",
        "venue": "/v/yangguang",
        "issue": f"/issues/{issue.id}",
        "feed": "/outcomes.atom",
        "venue feed": "/v/yangguang/outcomes.atom",
    }
    for name, path in pages.items():
        english = text(client.get(path, headers=EN))
        assert POLL_EN in english, name
        assert ">passed<" not in english, name
        assert POLL_ZH in text(client.get(path)), name
    login(auth, "resident")  # follows nothing, but is the issue's author: told of the count
    assert POLL_EN in text(client.get("/notifications", headers=EN))


def test_a_residents_vote_is_not_labelled_an_open_poll(client, world):
    item, meeting, _issue = open_poll(world)
    AgendaItem.update(open_poll=False).where(AgendaItem.id == item.id).execute()
    page = text(client.get(f"/items/{item.id}", headers=EN))
    assert "open poll" not in page.lower() and "passed" in page


def test_the_open_poll_label_is_fixed_when_the_vote_is_called(world):
    item, _meeting, _issue = open_poll(world)
    Venue.update(voting_open_to_all=False).where(Venue.id == world.venue.id).execute()
    assert AgendaItem.get_by_id(item.id).open_poll
    assert deliberation.badge(AgendaItem.get_by_id(item.id)) == "poll_passed"


def test_two_people_entering_one_code_at_once_verify_one(world):
    """Each code works once, even when two people type it at the same moment."""
    import threading

    (number, code), = memberships.make_personal_codes(world.venue, world.councillor, 1)
    people = [world.make.user(f"racer{n}") for n in range(4)]
    barrier = threading.Barrier(len(people))
    outcomes, errors = [], []

    def enter(user):
        try:
            with models.db.connection_context():
                barrier.wait()
                outcomes.append(memberships.join_with_code(user, code)[0])
        except Exception as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=enter, args=(user,)) for user in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(outcomes) == sorted([memberships.VERIFIED] + [memberships.USED] * 3)
    verified = Membership.select().where((Membership.venue == world.venue) & (Membership.status == "verified")
                                         & Membership.user.in_([p.id for p in people]))
    assert verified.count() == 1
    assert residents(world.venue) == 3


def test_the_audit_list_shows_what_happened_to_codes(client, auth, world):
    sheet = memberships.make_personal_codes(world.venue, world.councillor, 2)
    memberships.join_with_code(world.stranger, sheet[0][1])
    memberships.revoke_personal_code(PersonalCode.get(PersonalCode.number == 2), world.councillor)
    login(auth, "admin")
    response = client.get("/admin/audit", headers=EN)
    assert response.status_code == 200
    page = text(response)
    for action in ("Personal codes made", "Personal code used", "Personal code revoked"):
        assert action in page
    assert sheet[0][1] not in page and sheet[1][1] not in page
