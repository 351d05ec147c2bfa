"""Every route, for every role: the answer agrees with the permission function of its act.

ROUTES maps each endpoint of the URL map to the permission function that decides it, or PUBLIC.
A route missing from the table fails the test, so a new route cannot forget its check. For each role the test walks every rule and method once, on a world with
one of each object, sending empty or minimal forms: the point is the permission answer, so a 422 for
an empty form counts as let through. Allowed: anything but 401, 403 or the login redirect (and no
500). Refused: 403, or the login redirect for a visitor.
"""
from datetime import timedelta

import pytest
from conftest import Auth
from flask_login import AnonymousUserMixin

import models
from domain import permissions as p
from domain import workflow

PUBLIC = None


def signed_in(user):
    return bool(user.is_authenticated)


def holds_an_api_key(user):
    """Open311 files with an api_key, never with a login: without a key, everyone gets the spec's 403."""
    return False


# endpoint: PUBLIC, or (permission function, the names of the world's things it is asked about).
# The blueprints whose every route one check guards (the admin's before_request):
BLUEPRINTS = {"admin": (p.is_admin,)}

ROUTES = {
    "agenda.close": (p.can_manage_item, "item"),
    "agenda.edit_item": (p.can_manage_item, "item"),
    "agenda.edit_meeting": (p.can_manage_meeting, "meeting"),
    "agenda.item": PUBLIC,
    "agenda.meeting": PUBLIC,
    "agenda.meetings_ics": PUBLIC,
    "agenda.minutes": (p.can_manage_meeting, "meeting"),
    "agenda.new_item": (p.can_manage_meeting, "meeting"),
    "agenda.new_meeting": (p.can_schedule_meeting, "venue"),
    "agenda.outcome": (p.can_manage_item, "item"),
    "agenda.outcomes": PUBLIC,
    "agenda.outcomes_atom": PUBLIC,
    "agenda.remove_item": (p.can_manage_item, "item"),
    "agenda.tally": PUBLIC,
    "agenda.venue_meetings": PUBLIC,
    "agenda.venue_meetings_ics": PUBLIC,
    "agenda.venue_outcomes": PUBLIC,
    "agenda.venue_outcomes_atom": PUBLIC,
    "agenda.vote": (p.can_vote, "item"),
    "agenda.window": (p.can_manage_item, "item"),
    "auth.delete_account": (signed_in,),
    "auth.end_sessions": (signed_in,),
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.my_data": (signed_in,),
    "auth.password": (signed_in,),
    "auth.privacy_notice": PUBLIC,
    "auth.profile": (signed_in,),
    "auth.register": PUBLIC,
    "discussion.comment": (p.can_comment, "issue"),
    "discussion.comments": PUBLIC,
    "discussion.follow": (p.can_follow, "issue"),
    "discussion.mark_read": (signed_in,),
    "discussion.moderate": (p.can_moderate_content, "venue"),
    "discussion.moderation": (p.can_moderate_content, "venue"),
    "discussion.moderation_index": (p.moderates_anywhere,),
    "discussion.notification_count": PUBLIC,
    "discussion.notifications": (signed_in,),
    "discussion.permalink": PUBLIC,
    "discussion.reply": (p.can_reply, "issue", "comment"),
    "discussion.report": (p.can_report, "issue"),
    "discussion.support": (p.can_support, "issue"),
    "handling.inbox": (p.handles_anywhere,),
    "handling.item": (p.can_handle, "assignment"),
    "handling.sign": (p.can_handle, "assignment"),
    "handling.progress": (p.can_handle, "assignment"),
    "handling.answer": (p.can_handle, "assignment"),
    "handling.opinion": (p.can_handle, "assignment"),
    "handling.return_": (p.can_handle, "assignment"),
    "handling.extension": (p.can_handle, "assignment"),
    "handling.route": (p.can_assign, "issue"),
    "handling.classify": (p.can_assign, "issue"),
    "handling.assign": (p.can_assign, "issue"),
    "handling.escalate": (p.can_assign, "issue"),
    "handling.decide_extension": (lambda user, a: p.can_assign(user, a.issue), "assignment"),
    "handling.urge": (lambda user, a: p.can_urge(user, a.issue), "assignment"),
    "handling.rate": (p.can_rate, "issue"),
    "issues.new": (p.can_raise_issue, "venue"),
    "issues.record": (p.can_record_issue, "venue"),
    "issues.search": PUBLIC,
    "issues.show": PUBLIC,
    "issues.similar": PUBLIC,
    "issues.status": PUBLIC,
    "issues.validate": (signed_in,),
    "ledger.index": (p.can_see_ledger,),
    "ledger.export_csv": (p.can_see_ledger,),
    "ledger.export_xlsx": (p.can_see_ledger,),
    "admin.settings": (p.is_admin,),
    "main.about": PUBLIC,
    "main.favicon": PUBLIC,
    "main.index": PUBLIC,
    "main.language": PUBLIC,
    "main.large_text": PUBLIC,
    "members.change": (p.can_verify, "membership"),
    "members.index": (p.can_manage_members, "venue"),
    "members.my_venues": (p.can_manage_own_venues,),
    "reports.add_item": (p.can_edit_report, "report"),
    "reports.correct": (p.can_edit_report, "report"),
    "reports.discard": (p.can_edit_report, "report"),
    "reports.docx": (p.can_see_report, "report"),
    "reports.edit": (p.can_edit_report, "report"),
    "reports.index": PUBLIC,
    "reports.move": (p.can_edit_report, "report"),
    "reports.new": (p.can_compile_reports,),
    "reports.note": (p.can_edit_report, "report"),
    "reports.print_view": (p.can_see_report, "report"),
    "reports.publish": (p.can_edit_report, "report"),
    "reports.remove_item": (p.can_edit_report, "report"),
    "reports.show": (p.can_see_report, "report"),
    "reports.update": (p.can_edit_report, "report"),
    "static": PUBLIC,
    "stats.index": PUBLIC,
    "triage.accept": (p.can_triage, "issue"),
    "triage.decline": (p.can_triage, "issue"),
    "triage.merge": (p.can_triage, "issue"),
    "open311.create_request": (holds_an_api_key,),
    "photos.manage": (p.can_change_photos, "issue"),
    "photos.remove": (p.can_change_photos, "issue"),
    "photos.show": PUBLIC,
    "photos.thumb": PUBLIC,
    "open311.discovery": PUBLIC,
    "open311.not_found": PUBLIC,
    "open311.openapi": PUBLIC,
    "open311.requests": PUBLIC,
    "open311.root": PUBLIC,
    "open311.service_definition": PUBLIC,
    "open311.services": PUBLIC,
    "open311.show_request": PUBLIC,
    "open311.token": PUBLIC,
    "people.award": (p.can_award, "issue"),
    "people.group": PUBLIC,
    "people.groups": PUBLIC,
    "people.list_awards": PUBLIC,
    "people.record": PUBLIC,
    "people.withdraw_award": (p.can_award, "issue"),
    "triage.queue": (p.can_moderate, "venue"),
    "triage.show": (p.can_triage, "issue"),
    "venues.poster": (p.can_print_poster, "venue"),
    "venues.show": PUBLIC,
    "verification.codes": (p.can_manage_members, "venue"),
    "verification.invite": (p.can_manage_members, "venue"),
    "verification.join": (p.can_join, "venue"),
    "verification.join_with_code": PUBLIC,
    "verification.make_codes": (p.can_manage_members, "venue"),
    "verification.refuse": (p.can_verify, "membership"),
    "verification.requests": (p.can_manage_members, "venue"),
    "verification.revoke_code": (p.can_manage_members, "venue"),
    "verification.rotate": (p.can_manage_members, "venue"),
    "verification.verify": (p.can_verify, "membership"),
    "verification.voting_rule": (p.can_manage_members, "venue"),
}

# The least a request needs to reach its permission check (a vote without a choice is refused
# as a bad choice before anyone asks who votes; a toggle without `want` is a bad request).
FORMS = {
    "agenda.vote": {"choice": "yes"},
    "discussion.follow": {"want": "1"},
    "discussion.support": {"want": "1"},
}
QUERIES = {"issues.validate": "?form=raise&field=title"}
ROLES = ("visitor", "resident", "pending", "councillor", "other_councillor", "deputy", "staff", "admin")


def permission_of(endpoint):
    if endpoint in ROUTES:
        return ROUTES[endpoint]
    blueprint = endpoint.partition(".")[0]
    if "." in endpoint and blueprint in BLUEPRINTS:
        return BLUEPRINTS[blueprint]
    raise KeyError(endpoint)


def test_every_route_has_an_entry(app):
    missing = []
    for rule in app.url_map.iter_rules():
        try:
            permission_of(rule.endpoint)
        except KeyError:
            missing.append(rule.endpoint)
    assert not missing, f"routes without a permission entry in ROUTES: {sorted(set(missing))}"


class World:
    """One of each thing, at the venue "here"; the admin's routes act on spare things, so what
    the admin archives or removes leaves the rest of the walk as it was."""

    def __init__(self, make):
        self.venue = make.venue(slug="here")
        self.other_venue = make.venue(slug="there")
        self.spare_venue = make.venue(slug="spare")
        users = {role: make.user(role) for role in ROLES[1:]}
        users["admin"].is_admin = True
        users["admin"].save()
        self.users = users
        self.author, self.applicant, self.target = make.user("author"), make.user("applicant"), make.user("target")
        make.member(users["resident"], self.venue)
        make.member(users["pending"], self.venue, status="pending")
        make.member(users["councillor"], self.venue, role="councillor")
        make.member(users["other_councillor"], self.other_venue, role="councillor")
        make.member(users["deputy"], self.venue, role="deputy")
        make.member(self.author, self.venue)
        self.membership = make.member(self.applicant, self.venue, status="pending")
        self.spare_membership = make.member(self.target, self.spare_venue)
        self.region = make.region(kind="community", parent=self.venue.region.parent)
        self.department = models.Department.create(name="住建局", level="city", region=self.venue.region)
        models.DepartmentStaff.create(department=self.department, user=users["staff"])
        self.category = models.Category.create(code="roads", name="道路", name_en="Roads")
        self.group = models.DeputyGroup.create(name="柑橘产业组")
        self.api_key = models.ApiKey.create(name="市民热线", key_hash="0" * 64)
        self.personal_code = models.PersonalCode.create(venue=self.venue, number=1, code_hash="1" * 64)
        self.issue = workflow.raise_issue(self.venue, self.author, "路灯坏了", "三栋门口的路灯坏了一个月。")
        self.comment = models.Comment.create(issue=self.issue, author=self.author, body="我也看到了。")
        self.assignment = models.Assignment.create(
            issue=self.issue, department=self.department, due_on=models.utcnow().date() + timedelta(days=10),
        )
        self.meeting = models.Meeting.create(
            venue=self.venue, title="十二月议事会", starts_at=models.utcnow() + timedelta(days=3),
        )
        self.item = models.AgendaItem.create(
            meeting=self.meeting, title="修路灯", opens_at=models.utcnow() - timedelta(hours=1),
            closes_at=models.utcnow() + timedelta(days=1), quorum_value=1,
        )
        self.report = models.Report.create(title="民情专报草稿", created_by=users["deputy"])
        self.spare_report = models.Report.create(title="要删除的草稿", created_by=users["deputy"])

    def refresh(self):
        """Fresh copies of what the walk may have changed."""
        self.venue = models.Venue.get_by_id(self.venue.id)
        self.issue = models.Issue.get_by_id(self.issue.id)
        self.membership = models.Membership.get_by_id(self.membership.id)
        self.meeting = models.Meeting.get_by_id(self.meeting.id)
        self.item = models.AgendaItem.get_or_none(models.AgendaItem.id == self.item.id) or self.item
        self.assignment = models.Assignment.get_by_id(self.assignment.id)
        self.report = models.Report.get_by_id(self.report.id)

    def url_values(self, rule):
        admin = rule.endpoint.startswith("admin.")
        values = {
            "slug": self.venue.slug, "issue_id": self.issue.id, "comment_id": self.comment.id,
            "meeting_id": self.meeting.id, "item_id": self.item.id, "category_id": self.category.id,
            "membership_id": (self.spare_membership if admin else self.membership).id,
            "venue_id": self.spare_venue.id, "region_id": self.region.id,
            "department_id": self.department.id, "group_id": self.group.id, "user_id": self.target.id,
            "target_id": self.issue.id, "filename": "style.css", "action": "verify",
            "assignment_id": self.assignment.id, "key_id": self.api_key.id, "code_id": self.personal_code.id,
            "fmt": "json", "service_code": self.category.code, "service_request_id": self.issue.id,
            "token": "12345", "anything": "nothing", "key": "0" * 32,
            "report_id": (self.spare_report if rule.endpoint == "reports.discard" else self.report).id,
            "kind": "issues" if rule.endpoint == "discussion.report" else "issue",
        }
        return {name: values[name] for name in rule.arguments}


def login_redirect(response):
    return response.status_code in (302, 303) and response.headers["Location"].startswith("/login")


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_as_its_permission_says(app, client, make, role):
    world = World(make)
    auth = Auth(client)
    if role != "visitor":
        assert auth.login(role).status_code == 303
    mismatches = []
    # The routes that end the session go last.
    rules = sorted(app.url_map.iter_rules(),
                   key=lambda rule: (rule.endpoint in ("auth.logout", "auth.end_sessions"), rule.endpoint))
    for rule in rules:
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            world.refresh()
            user = models.User.get_by_id(world.users[role].id) if role != "visitor" else AnonymousUserMixin()
            check = permission_of(rule.endpoint)
            allowed = check is PUBLIC or check[0](user, *(getattr(world, name) for name in check[1:]))
            with app.test_request_context():
                url = app.url_for(rule.endpoint, **world.url_values(rule)) + QUERIES.get(rule.endpoint, "")
            response = client.open(url, method=method, data=FORMS.get(rule.endpoint, {}))
            status = response.status_code
            response.close()
            if allowed:
                right = status not in (401, 403, 500) and not login_redirect(response)
            elif role == "visitor":
                right = login_redirect(response) or status == 403
            else:
                right = status == 403
            if not right:
                said = "allowed" if allowed else "refused"
                mismatches.append(f"{method} {url} ({rule.endpoint}): {said}, answered {status}")
    assert not mismatches, f"{role}:\n" + "\n".join(mismatches)
