"""Administration: every page as admin, councillor, resident and visitor; validation; audit."""
import audit
from models import AuditLog

# audit.py ----------------------------------------------------------------------------------------

def test_snapshot_leaves_out_the_password_and_keeps_ids(make):
    user = make.user(display_name="张三")
    venue = make.venue()
    data = audit.snapshot(user)
    assert "password_hash" not in data
    assert data["display_name"] == "张三"
    assert isinstance(data["created_at"], str)
    assert audit.snapshot(venue)["region"] == venue.region_id


def test_record_and_changes(make):
    admin = make.user(is_admin=True)
    venue = make.venue(name="旧名")
    before = audit.snapshot(venue)
    venue.name = "新名"
    venue.save()
    entry = audit.record(admin, "venue.update", venue, before, audit.snapshot(venue), note="typo")
    entry = AuditLog.get_by_id(entry.id)
    assert entry.object_type == "venue" and entry.object_id == venue.id
    assert entry.actor_id == admin.id and entry.note == "typo"
    assert audit.changes(entry) == [("name", "旧名", "新名")]
    assert audit.title(entry) == "新名"
