"""Triage: councillors accept, decline (with a public reason) or merge new issues."""
import re

import pytest
from world import EN, MODERATOR_ROLES, World, login, person, text

from domain import workflow
from models import Event, Follow, Issue, Notification, Support


@pytest.fixture
def world(make):
    return World(make)


@pytest.mark.parametrize("username, status", MODERATOR_ROLES)
def test_queue_is_for_the_venues_moderators(client, auth, world, username, status):
    world.issue(status="submitted", title="路灯坏了")
    login(auth, username)
    response = client.get("/v/yangguang/triage")
    assert response.status_code == status
    if status == 302:
        assert "/login" in response.headers["Location"]


def test_queue_lists_new_issues_of_this_venue_oldest_first(client, auth, world):
    world.issue(status="submitted", title="先来的")
    world.issue(status="submitted", title="后来的")
    world.issue(status="accepted", title="已受理的")
    world.issue(status="submitted", title="别处的", venue=world.other_venue)
    login(auth, "councillor")
    page = text(client.get("/v/yangguang/triage"))
    assert page.index("先来的") < page.index("后来的")
    assert "已受理的" not in page and "别处的" not in page
    assert client.get("/v/nowhere/triage").status_code == 404


@pytest.mark.parametrize("username, status", MODERATOR_ROLES)
def test_triage_steps_are_for_the_venues_moderators(client, auth, world, username, status):
    issue = world.issue(status="submitted")
    login(auth, username)
    assert client.get(f"/triage/{issue.id}").status_code == status
    response = client.post(f"/triage/{issue.id}/accept")
    assert response.status_code == (303 if status == 200 else status)
    assert Issue.get_by_id(issue.id).status == ("accepted" if status == 200 else "submitted")


def test_accept_records_and_tells_the_author(client, auth, world):
    issue = world.issue(status="submitted")
    login(auth, "councillor")
    response = client.post(f"/triage/{issue.id}/accept")
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/v/yangguang/triage")
    event = Event.get(Event.issue == issue)
    assert (event.from_status, event.to_status, event.actor_id) == ("submitted", "accepted", world.councillor.id)
    notice = Notification.get(Notification.user == world.resident.id)
    assert notice.data["to_status"] == "accepted"


def test_accept_with_htmx_swaps_the_row_and_the_badge(client, auth, world):
    issue = world.issue(status="submitted")
    login(auth, "councillor")
    response = client.post(f"/triage/{issue.id}/accept", headers={"HX-Request": "true", **EN})
    body = text(response)
    assert response.status_code == 200 and "<html" not in body
    assert f'id="triage-{issue.id}"' in body
    assert re.search(rf'id="status-{issue.id}" hx-swap-oob="true">accepted<', body)


def test_a_follower_author_is_told_once(client, auth, world):
    issue = world.issue(status="submitted")
    Follow.create(user=world.resident, issue=issue)
    login(auth, "councillor")
    client.post(f"/triage/{issue.id}/accept")
    assert Notification.select().where(Notification.user == world.resident.id).count() == 1


def test_an_issue_already_triaged_is_not_triaged_again(client, auth, world):
    issue = world.issue(status="deliberating")
    login(auth, "councillor")
    response = client.post(f"/triage/{issue.id}/accept", headers=EN)
    assert response.status_code == 303
    assert "no longer new" in text(client.get(response.headers["Location"], headers=EN))
    assert client.post(f"/triage/{issue.id}/decline", data={"reason": "重复"}).status_code == 303
    assert Issue.get_by_id(issue.id).status == "deliberating"


def test_an_accepted_issue_may_still_be_declined(client, auth, world):
    issue = world.issue(status="accepted")
    login(auth, "councillor")
    client.post(f"/triage/{issue.id}/decline", data={"reason": "经核实已由物业解决。"})
    assert Issue.get_by_id(issue.id).status == "declined"


def test_decline_needs_a_reason_shown_publicly(client, auth, world):
    issue = world.issue(status="submitted")
    login(auth, "councillor")
    response = client.post(f"/triage/{issue.id}/decline", data={"reason": "  "}, headers=EN)
    assert response.status_code == 422
    assert "Please give the reason. Everyone will see it." in text(response)
    assert Issue.get_by_id(issue.id).status == "submitted"
    response = client.post(f"/triage/{issue.id}/decline",
                           data={"reason": "这是物业合同里的事，请找物业公司。", "next": f"/issues/{issue.id}"})
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/issues/{issue.id}")
    issue = Issue.get_by_id(issue.id)
    assert (issue.status, issue.decline_reason) == ("declined", "这是物业合同里的事，请找物业公司。")
    assert Event.get(Event.issue == issue).note == "这是物业合同里的事，请找物业公司。"
    auth.logout()
    assert "这是物业合同里的事，请找物业公司。" in text(client.get(f"/issues/{issue.id}"))
    assert Notification.get(Notification.user == world.resident.id).data["to_status"] == "declined"


def test_merge_moves_supporters_and_followers_once(client, auth, world, make):
    target_author = world.resident2
    source = world.issue(status="submitted", title="重复：路灯坏了", author=world.resident)
    target = world.issue(status="accepted", title="南门路灯不亮", author=target_author)
    both, only_source = person(make, "both"), person(make, "onlysource")
    for user in (both, only_source, target_author):  # the target's author supports the duplicate
        Support.create(user=user, issue=source)
    Support.create(user=both, issue=target)
    for user in (world.resident, both):
        Follow.create(user=user, issue=source)
    Follow.create(user=both, issue=target)
    Issue.update(support_count=3, follower_count=2).where(Issue.id == source.id).execute()
    Issue.update(support_count=1, follower_count=1).where(Issue.id == target.id).execute()

    login(auth, "councillor")
    response = client.post(f"/triage/{source.id}/merge", data={"target": str(target.id)})
    assert response.status_code == 303
    source, target = Issue.get_by_id(source.id), Issue.get_by_id(target.id)
    assert (source.status, source.merged_into_id) == ("merged", target.id)
    supporters = {s.user_id for s in Support.select().where(Support.issue == target)}
    assert supporters == {both.id, only_source.id}  # never the target's own author, never twice
    assert target.support_count == 2 == len(supporters)
    followers = {f.user_id for f in Follow.select().where(Follow.issue == target)}
    assert followers == {both.id, world.resident.id}
    assert target.follower_count == 2
    assert (source.support_count, source.follower_count) == (0, 0)
    assert Event.get((Event.issue == source) & (Event.to_status == "merged")).data["into"] == target.id
    assert Event.get((Event.issue == target) & (Event.kind == "merged_from")).data["source"] == source.id
    # The source's author followed it, so they hear about the merge once.
    assert Notification.select().where(Notification.user == world.resident.id).count() == 1


def test_merge_target_must_be_another_open_issue_of_the_venue(client, auth, world):
    source = world.issue(status="submitted")
    elsewhere = world.issue(status="accepted", venue=world.other_venue)
    merged = world.issue(status="merged")
    declined = world.issue(status="declined")
    world.issue(status="accepted", title="可以合并进去的")  # so the form is there to show the error
    login(auth, "councillor")
    for target in (elsewhere, merged, declined, source):
        response = client.post(f"/triage/{source.id}/merge", data={"target": str(target.id)}, headers=EN)
        assert response.status_code == 422
        assert "Please choose one of the options." in text(response)
    assert client.post(f"/triage/{source.id}/merge", data={"target": "abc"}).status_code == 422
    assert Issue.get_by_id(source.id).status == "submitted"


def test_merge_function_refuses_bad_targets(world):
    source = world.issue(status="submitted")
    with pytest.raises(workflow.TransitionError):
        workflow.merge(source, world.issue(status="accepted", venue=world.other_venue), world.councillor)
    with pytest.raises(workflow.TransitionError):
        workflow.merge(source, source, world.councillor)


def test_merged_issue_points_to_its_target(client, world):
    source = world.issue(status="submitted")
    target = world.issue(status="accepted", title="原来那件")
    workflow.merge(source, target, world.councillor)
    html = client.get(f"/issues/{source.id}").get_data(as_text=True)
    assert f'/issues/{target.id}"' in html and "原来那件" in html


def test_unknown_issue_is_404(client, auth, world):
    login(auth, "councillor")
    assert client.get("/triage/9999").status_code == 404
    assert client.post("/triage/9999/accept").status_code == 404


def test_every_triage_decision_is_audited_with_its_actor(world):
    from models import AuditLog

    accepted, declined, duplicate = (world.issue(status="submitted", title=t) for t in ("路灯坏了", "想要游泳池", "路灯又坏了"))
    workflow.accept(accepted, world.councillor)
    workflow.decline(declined, world.councillor, "不属于本议事亭议事范围")
    workflow.merge(duplicate, accepted, world.admin)
    entries = {e.action: e for e in AuditLog.select().where(AuditLog.object_type == "issue")}
    assert entries["issue.accept"].actor_id == world.councillor.id
    assert entries["issue.decline"].note == "不属于本议事亭议事范围"
    assert entries["issue.merge"].actor_id == world.admin.id
    assert entries["issue.merge"].after == {"status": "merged", "merged_into": accepted.id}


def test_an_accepted_issue_leads_on_to_routing(client, auth, world):
    issue = world.issue(status="submitted")
    login(auth, "councillor")
    swapped = client.post(f"/triage/{issue.id}/accept", headers={"HX-Request": "true"})
    assert f'href="/issues/{issue.id}/route"' in text(swapped)
    assert f'href="/issues/{issue.id}/route"' in text(client.get(f"/triage/{issue.id}"))


def timeline_of(html):
    return html[html.index('<ol class="timeline"'):html.index("</ol>", html.index('<ol class="timeline"'))]


def test_the_timelines_of_a_merge_link_each_other_and_go_by_date(client, world):
    """A duplicate merged in with its own dates (as the demo and imports do): both trails read in
    the order things happened, and each names the other issue with a link."""
    from datetime import timedelta

    from models import utcnow

    now = utcnow()
    target = world.issue(status="submitted", title="原来那件", created_at=now - timedelta(days=7))
    source = world.issue(status="submitted", created_at=now - timedelta(days=6))
    workflow.merge(source, target, world.councillor, at=now - timedelta(days=3))
    workflow.transition(target, "accepted", world.councillor, at=now - timedelta(days=5))
    trail = timeline_of(client.get(f"/issues/{target.id}", headers=EN).get_data(as_text=True))
    assert trail.index("accepted") < trail.index("a duplicate was merged into this issue")
    assert f'<a href="/issues/{source.id}">issue No. {source.id}</a>' in trail
    trail = timeline_of(client.get(f"/issues/{source.id}", headers=EN).get_data(as_text=True))
    assert f'<a href="/issues/{target.id}">into issue No. {target.id}</a>' in trail
    dates = re.findall(r'<time datetime="([^"]+)"', trail)
    assert dates == sorted(dates)
