"""The participation rules of domain/permissions.py, one test a rule, allowed and refused.

Routes and templates ask these same functions (see views/thread.py), so a rule tested here is the
rule the site applies; the last tests check that a page and its route agree with them."""
import pytest
from flask_login import AnonymousUserMixin

from domain import participation, permissions, workflow
from models import Issue, Venue

VISITOR = AnonymousUserMixin()


class People:
    """A venue with one person of each kind, an issue by `author` and a comment by `resident`."""

    def __init__(self, make):
        self.venue = make.venue()
        self.other_venue = make.venue()
        self.author = make.user("author")
        self.resident = make.user("resident")
        self.councillor = make.user("councillor")
        self.deputy = make.user("deputy")
        self.admin = make.user("admin", is_admin=True)
        self.elsewhere = make.user("elsewhere")  # a councillor of another venue
        self.inactive = make.user("inactive", active=False)
        make.member(self.resident, self.venue)
        make.member(self.councillor, self.venue, "councillor")
        make.member(self.deputy, self.venue, "deputy")
        make.member(self.elsewhere, self.other_venue, "councillor")
        self.issue = workflow.raise_issue(self.venue, self.author, "路灯坏了", "小区门口的路灯坏了。")
        self.comment = participation.add_comment(self.issue, self.resident, "我也看到了")

    def __getitem__(self, name):
        return VISITOR if name == "visitor" else getattr(self, name)

    def fresh(self):
        """The issue as a route loads it (with its venue)."""
        return Issue.select(Issue, Venue).join(Venue).where(Issue.id == self.issue.id).get()

    def hide(self, obj):
        type(obj).update(hidden=True).where(type(obj).id == obj.id).execute()
        obj.hidden = True

    def archive(self):
        Venue.update(archived=True).where(Venue.id == self.venue.id).execute()
        self.venue.archived = True


@pytest.fixture
def people(make):
    return People(make)


def verdicts(people, permission, *args):
    """{who: permission(who, *args)} for every kind of person."""
    names = ("visitor", "author", "resident", "councillor", "deputy", "admin", "elsewhere", "inactive")
    return {name: permission(people[name], *args) for name in names}


def allowed(table):
    return {name for name, verdict in table.items() if verdict}


# Who raised it ----------------------------------------------------------------------------------

def test_only_the_author_is_the_author(people):
    assert allowed(verdicts(people, permissions.is_author, people.issue)) == {"author"}


def test_an_issue_recorded_on_behalf_has_no_author_on_the_site(people):
    recorded = workflow.raise_issue(people.venue, None, "井盖松了", "路口井盖松动。", recorded_by=people.councillor)
    assert allowed(verdicts(people, permissions.is_author, recorded)) == set()


# Raising and recording --------------------------------------------------------------------------

def test_anyone_signed_in_raises_an_issue(people):
    assert allowed(verdicts(people, permissions.can_raise_issue, people.venue)) == {
        "author", "resident", "councillor", "deputy", "admin", "elsewhere", "inactive"
    }


def test_nobody_raises_an_issue_at_an_archived_venue(people):
    people.archive()
    assert allowed(verdicts(people, permissions.can_raise_issue, people.venue)) == set()


def test_councillors_deputies_and_admins_record_on_behalf(people):
    assert allowed(verdicts(people, permissions.can_record_issue, people.venue)) == {"councillor", "deputy", "admin"}


def test_nobody_records_at_an_archived_venue(people):
    people.archive()
    assert allowed(verdicts(people, permissions.can_record_issue, people.venue)) == set()


# Commenting, replying, supporting, following ----------------------------------------------------

def test_an_issue_is_open_until_its_venue_is_archived_or_it_is_hidden(people):
    assert permissions.closed_to_participation(people.fresh()) is None
    people.hide(people.issue)
    assert permissions.closed_to_participation(people.fresh()) == "hidden"
    people.archive()
    assert permissions.closed_to_participation(people.fresh()) == "archived"


def test_active_users_comment(people):
    assert allowed(verdicts(people, permissions.can_comment, people.fresh())) == {
        "author", "resident", "councillor", "deputy", "admin", "elsewhere"
    }


@pytest.mark.parametrize("close", ["hide", "archive"])
def test_nobody_comments_on_a_closed_issue(people, close):
    people.hide(people.issue) if close == "hide" else people.archive()
    assert allowed(verdicts(people, permissions.can_comment, people.fresh())) == set()


def test_whoever_comments_replies_to_a_comment_that_shows(people):
    issue = people.fresh()
    assert allowed(verdicts(people, permissions.can_reply, issue, people.comment)) == allowed(
        verdicts(people, permissions.can_comment, issue)
    )


def test_nobody_replies_to_a_hidden_comment(people):
    people.hide(people.comment)
    assert allowed(verdicts(people, permissions.can_reply, people.fresh(), people.comment)) == set()


def test_everyone_who_comments_supports_except_the_author(people):
    assert allowed(verdicts(people, permissions.can_support, people.fresh())) == {
        "resident", "councillor", "deputy", "admin", "elsewhere"
    }


def test_nobody_supports_an_issue_of_an_archived_venue(people):
    people.archive()
    assert allowed(verdicts(people, permissions.can_support, people.fresh())) == set()


def test_support_refuses_what_the_permission_refuses(people):
    with pytest.raises(permissions.NotAllowed, match="can_support"):
        participation.support(people.author, people.fresh())
    people.hide(people.issue)
    with pytest.raises(permissions.NotAllowed):
        participation.support(people.resident, people.fresh())
    assert Issue.get_by_id(people.issue.id).support_count == 0


def test_support_is_given_when_allowed(people):
    assert participation.support(people.resident, people.fresh())
    assert Issue.get_by_id(people.issue.id).support_count == 1


def test_anyone_signed_in_follows_even_in_an_archived_venue(people):
    people.archive()
    assert allowed(verdicts(people, permissions.can_follow, people.fresh())) == {
        "author", "resident", "councillor", "deputy", "admin", "elsewhere", "inactive"
    }


# Reporting and moderating -----------------------------------------------------------------------

def test_people_report_what_others_wrote(people):
    assert "author" not in allowed(verdicts(people, permissions.can_report, people.issue))
    assert allowed(verdicts(people, permissions.can_report, people.comment)) == {
        "author", "councillor", "deputy", "admin", "elsewhere", "inactive"
    }


def test_nobody_reports_hidden_content(people):
    people.hide(people.comment)
    assert allowed(verdicts(people, permissions.can_report, people.comment)) == set()


def test_councillors_of_the_venue_and_admins_moderate_its_content(people):
    assert allowed(verdicts(people, permissions.can_moderate_content, people.venue)) == {"councillor", "admin"}
    assert allowed(verdicts(people, permissions.can_moderate_content, people.venue.id)) == {"councillor", "admin"}


# Seeing -----------------------------------------------------------------------------------------

def test_everyone_sees_an_issue_that_shows(people):
    assert all(verdicts(people, permissions.can_see_issue, people.issue).values())


def test_a_hidden_issue_is_seen_by_its_author_and_its_moderators(people):
    people.hide(people.issue)
    assert allowed(verdicts(people, permissions.can_see_issue, people.issue)) == {"author", "councillor", "admin"}


def test_everyone_sees_the_name_on_an_issue_that_is_not_anonymous(people):
    assert all(verdicts(people, permissions.can_see_author, people.issue).values())


def test_the_name_behind_an_anonymous_issue(people):
    Issue.update(anonymous=True).where(Issue.id == people.issue.id).execute()
    issue = Issue.get_by_id(people.issue.id)
    assert allowed(verdicts(people, permissions.can_see_author, issue)) == {
        "author", "councillor", "deputy", "admin"
    }


def test_the_contact_of_a_resident_recorded_on_behalf(people):
    recorded = workflow.raise_issue(
        people.venue, None, "井盖松了", "路口井盖松动。", recorded_by=people.deputy, reporter_contact="138"
    )
    assert allowed(verdicts(people, permissions.can_see_contact, recorded)) == {"councillor", "deputy", "admin"}


# Routes and pages ask the same functions ---------------------------------------------------------

@pytest.mark.parametrize("who", ["author", "resident"])
def test_the_support_button_and_route_agree_with_can_support(client, auth, people, who):
    auth.login(who)
    may = permissions.can_support(people[who], people.fresh())
    page = client.get(f"/issues/{people.issue.id}").text
    assert (f'id="support-button-{people.issue.id}"' in page) == may
    response = client.post(f"/issues/{people.issue.id}/support", data={"want": "1"})
    assert response.status_code == (303 if may else 403)


@pytest.mark.parametrize("hidden", [False, True])
def test_the_report_link_and_route_agree_with_can_report(client, auth, people, hidden):
    if hidden:
        people.hide(people.comment)
    auth.login("author")
    may = permissions.can_report(people.author, people.comment)
    page = client.get(f"/issues/{people.issue.id}").text
    assert (f"/comments/{people.comment.id}/report" in page) == may
    # What moderation hid is not even shown to exist to those who may not see it.
    shown = permissions.can_open_report_form(people.author, people.comment, people.fresh())
    assert client.get(f"/comments/{people.comment.id}/report").status_code == (200 if may else 403 if shown else 404)
