"""Personal data (PIPL): a person downloads what the site holds about them and deletes their
account; what they wrote stays, shown as by a former resident; the audit trail keeps no phone
number in clear; the privacy notice says what is kept, why and for how long."""
import json

import pytest
from world import EN, PASSWORD, DiscussionWorld, text

from domain import audit, participation, privacy
from models import AuditLog, Comment, Issue, Membership, User, Venue


@pytest.fixture
def world(make):
    world = DiscussionWorld(make)
    world.author.phone = "13812345678"
    world.author.email = "zhang@example.cn"
    world.author.save()
    world.comment = participation.add_comment(world.issue, world.author, "我家门口也很黑。")
    participation.add_comment(world.issue, world.resident, "同意，支持修一下。")
    participation.support(world.resident, world.issue)
    return world


def test_a_person_downloads_what_the_site_holds_about_them(client, auth, world):
    auth.login("author")
    assert "/profile/data.json" in text(client.get("/profile"))
    response = client.get("/profile/data.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    data = json.loads(text(response))
    assert data["account"]["username"] == "author" and data["account"]["phone"] == "13812345678"
    assert data["account"]["email"] == "zhang@example.cn"
    assert [i["title"] for i in data["issues"]] == [world.issue.title]
    assert [c["body"] for c in data["comments"]] == ["我家门口也很黑。"]
    assert [m["venue"] for m in data["memberships"]] == ["团结路议事亭"]
    assert [f["issue"] for f in data["follows"]] == [world.issue.id]
    # Nobody else's data.
    assert "同意，支持修一下。" not in text(response) and "李居民" not in text(response)


def test_only_a_signed_in_person_downloads_their_data(client):
    response = client.get("/profile/data.json")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_deleting_the_account_keeps_what_they_wrote_as_a_former_residents(client, auth, world):
    venue_before = Venue.get_by_id(world.venue.id).resident_count
    followers_before = Issue.get_by_id(world.issue.id).follower_count
    auth.login("author")
    page = client.get("/profile/delete")
    assert page.status_code == 200 and "永久注销我的账号" in text(page)
    wrong = client.post("/profile/delete", data={"password": "not-my-password"})
    assert wrong.status_code == 422 and User.get_by_id(world.author.id).deleted_at is None
    response = client.post("/profile/delete", data={"password": PASSWORD})
    assert response.status_code == 303
    assert client.get("/profile").status_code == 302  # signed out

    gone = User.get_by_id(world.author.id)
    assert gone.deleted_at is not None and not gone.active
    assert gone.username != "author" and gone.phone is None and gone.email is None
    assert not gone.check_password(PASSWORD)
    # What they wrote stays.
    assert Issue.get_by_id(world.issue.id).author_id == world.author.id
    assert Comment.get_by_id(world.comment.id).body == "我家门口也很黑。"
    # Their roles ended, and the venue's count of residents with them.
    assert not Membership.select().where((Membership.user == gone.id) & (Membership.status == "verified")).exists()
    assert Venue.get_by_id(world.venue.id).resident_count == venue_before - 1
    assert Issue.get_by_id(world.issue.id).follower_count == followers_before - 1
    # The old login no longer works, and the username is free again.
    assert auth.login("author").status_code == 422


def test_a_deleted_author_shows_as_former_resident_everywhere(client, auth, world, make):
    privacy.delete_account(world.author)
    issue_page = text(client.get(f"/issues/{world.issue.id}"))
    assert "前居民" in issue_page and "张提出" not in issue_page
    assert "former resident" in text(client.get(f"/issues/{world.issue.id}", headers=EN))
    auth.login("councillor")
    for path in (f"/issues/{world.issue.id}", "/v/tuanjie", "/v/tuanjie/members?show=all", "/notifications",
                 "/v/tuanjie/moderation"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "张提出" not in text(response), path
    auth.logout()
    auth.login("admin")
    for path in ("/admin/users", f"/admin/users/{world.author.id}", "/admin/audit"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert "13812345678" not in text(response), path


def test_the_last_site_admin_cannot_delete_their_account(client, auth, world):
    auth.login("admin")
    response = client.post("/profile/delete", data={"password": PASSWORD})
    assert response.status_code == 422 and "最后一位网站管理员" in text(response)
    assert User.get_by_id(world.admin.id).deleted_at is None


def test_audit_snapshots_keep_no_phone_number_in_clear(db, world):
    snapshot = audit.snapshot(User.get_by_id(world.author.id))
    assert snapshot["phone"] == "*******5678"
    assert audit.mask_phone("+86 138-1234-5678") == "+** ***-****-5678"
    assert audit.mask_phone(None) is None and audit.mask_phone("") == ""


def test_an_admin_changing_a_phone_leaves_no_number_in_the_audit_trail(client, auth, world):
    auth.login("admin")
    client.post(f"/admin/users/{world.author.id}", data={
        "display_name": "张提出", "phone": "13900001111", "locale": "zh_Hans",
    })
    stored = [json.dumps([e.before, e.after]) for e in AuditLog.select()]
    assert stored and not any("13812345678" in s or "13900001111" in s for s in stored)


def test_the_privacy_notice_says_what_is_kept_why_and_for_how_long(client):
    home = text(client.get("/"))
    assert 'href="/privacy"' in home
    assert 'href="/privacy"' in text(client.get("/register"))
    page = text(client.get("/privacy"))
    for words in ("我们保存什么，为什么", "保存多久", "您的权利", "个人信息保护法"):
        assert words in page
    english = text(client.get("/privacy", headers=EN))
    assert "What we keep, and why" in english and "For how long" in english


def test_the_migration_masks_phone_numbers_the_audit_trail_held_before(db, world):
    import importlib

    migration = importlib.import_module("migrations.0015_sessions_submissions")
    param = db.obj.param
    db.execute_sql(
        f"INSERT INTO audit_log (action, object_type, object_id, before, after, note, created_at, automatic) "
        f"VALUES ('user.update', 'user', 1, {param}, {param}, '', {param}, {param})",
        (json.dumps({"phone": "13812345678", "display_name": "张"}), json.dumps({"phone": None}),
         "2026-01-01 00:00:00", False),
    )
    migration.mask_audit_phones(db.obj)
    entry = AuditLog.select().order_by(AuditLog.id.desc()).get()
    assert entry.before == {"phone": "*******5678", "display_name": "张"} and entry.after == {"phone": None}
