"""Names people can trust (issue 13): display names are normalised, visible, free of bidi and
zero-width controls and do not pass for an official's; officials' contributions carry role badges;
the author of an anonymous issue stays anonymous wherever they take part."""
from datetime import timedelta

import pytest
from world import EN, HX, LOOP_NOW, PASSWORD, DiscussionWorld, LoopWorld, text

import models
from domain import accounts, deliberation, handling, participation


@pytest.fixture
def world(make):
    """A DiscussionWorld with a deputy, a department with its staff, and a Latin-named councillor
    at the venue; 管理员 is the admin, 王议政 the councillor."""
    world = DiscussionWorld(make)
    world.deputy = world.person("deputy", "周代表")
    make.member(world.deputy, world.other_venue, role="deputy")
    region = world.venue.region
    world.department = models.Department.create(name="团结社区居委会", name_en="Tuanjie Committee", level="village",
                                                region=region)
    world.staff = world.person("staff", "吴办事")
    models.DepartmentStaff.create(department=world.department, user=world.staff)
    world.latin = world.person("latin", "Wang Li")
    make.member(world.latin, world.venue, role="councillor")
    return world


def register(client, name, username="newcomer"):
    return client.post("/register", data={
        "username": username, "display_name": name, "password": PASSWORD, "confirm": PASSWORD,
    }, headers=EN)


IMITATIONS = [
    ("王议政", "the councillor's name"),
    ("管理员", "the admin's name"),
    ("王 议 政", "an official's name with spaces"),
    ("王\u3000议\u3000政", "with ideographic spaces"),
    ("王·议政", "with confusable punctuation"),
    ("Ｗａｎｇ Ｌｉ", "a full-width lookalike (NFKC)"),
    ("wang li", "another case"),
    ("WangLi", "without the space"),
    ("Wаng Lі", "Cyrillic lookalike letters"),
    ("周代表", "a deputy's name"),
    ("吴办事", "department staff's name"),
    ("团结社区居委会", "a department's name"),
    ("tuanjie committee", "a department's English name"),
    ("议政员王议政", "an official's name with a title"),
    ("王议政(议政员)", "an official's name with a title in brackets"),
]


@pytest.mark.parametrize(("name", "why"), IMITATIONS)
def test_registration_refuses_a_name_that_imitates_an_official(client, world, name, why):
    before = models.User.select().count()
    response = register(client, name)
    page = text(response)
    assert response.status_code == 422, why
    assert "This name is too close to the name of a councillor, deputy, department or site admin." in page
    assert 'value="newcomer"' in page  # the input is kept
    assert models.User.select().count() == before


@pytest.mark.parametrize(("name", "message"), [
    ("\u200b\u200b\u200b", "A name cannot contain invisible characters"),
    ("\u200d\ufeff", "A name cannot contain invisible characters"),
    ("张\u200b三", "A name cannot contain invisible characters"),
    ("\u202e三张", "A name cannot contain invisible characters or characters that change the direction"),
    ("abc\u2066def\u2069", "A name cannot contain invisible characters"),
    ("\u3164\u3164", "A name cannot contain invisible characters"),
    ("...", "A name needs letters or digits that people can see."),
    ("管理员", "too close to the name"),  # the admin's name; a title besides
    ("Admin", "A title of office cannot be a name."),
    ("议政员", "A title of office cannot be a name."),
    ("人大代表", "A title of office cannot be a name."),
])
def test_registration_refuses_names_that_hide_or_show_nothing(client, world, name, message):
    response = register(client, name)
    assert response.status_code == 422
    assert message in text(response)
    assert not models.User.select().where(models.User.username == "newcomer").exists()


def test_zh_messages(client, world):
    response = client.post("/register", data={
        "username": "newcomer", "display_name": "王议政", "password": PASSWORD, "confirm": PASSWORD,
    })
    assert response.status_code == 422
    assert "这个名字和议政员、人大代表、承办单位或管理员的名字太像" in text(response)


def test_a_name_is_stored_in_its_canonical_form(client, world):
    response = register(client, "  Ｌｉ\u3000 Ｍｉｎｇ ")
    assert response.status_code == 303
    assert models.User.get(models.User.username == "newcomer").display_name == "Li Ming"


def test_ordinary_names_are_welcome(client, world):
    for n, name in enumerate(["张三", "李四 (团结路)", "Zhang San", "王议"]):
        client.post("/logout")
        assert register(client, name, username=f"person{n}").status_code == 303, name


def test_profile_refuses_an_officials_name_and_keeps_the_input(client, auth, world):
    auth.login("resident")
    response = client.post("/profile", data={"display_name": "王\u200b议政", "phone": "", "email": "",
                                             "locale": "en"}, headers=EN)
    assert response.status_code == 422
    assert "invisible characters" in text(response)
    response = client.post("/profile", data={"display_name": "王 议政", "phone": "", "email": "",
                                             "locale": "en"}, headers=EN)
    assert response.status_code == 422
    assert "too close to the name of a councillor" in text(response)
    assert 'value="王 议政"' in text(response)
    assert world.fresh(world.resident).display_name == "李居民"


def test_an_official_keeps_their_own_name(client, auth, world):
    auth.login("councillor")
    response = client.post("/profile", data={"display_name": "王议政", "phone": "", "email": "",
                                             "locale": "en"}, headers=EN)
    assert response.status_code == 303
    assert accounts.check_display_name("王议政", world.councillor) == ("王议政", None)
    assert accounts.check_display_name("王议政", world.resident)[1] is not None


def test_a_departments_account_may_bear_its_name(world):
    assert accounts.check_display_name("团结社区居委会", world.staff) == ("团结社区居委会", None)
    assert accounts.check_display_name("团结社区居委会", world.councillor)[1] is not None


def test_the_admin_cannot_give_an_account_an_officials_name(client, auth, world):
    auth.login("admin")
    response = client.post(f"/admin/users/{world.resident.id}", data={"display_name": "王议政", "phone": ""},
                           headers=EN)
    assert response.status_code == 422
    assert "too close to the name of a councillor" in text(response)
    assert world.fresh(world.resident).display_name == "李居民"
    response = client.post("/admin/users/new", data={
        "username": "fake", "display_name": "\u202e政议王", "phone": "", "password": "temp-pass-1",
    }, headers=EN)
    assert response.status_code == 422
    assert "change the direction of text" in text(response)
    # The councillor's own account keeps the councillor's name.
    response = client.post(f"/admin/users/{world.councillor.id}", data={"display_name": "王议政", "phone": ""},
                           headers=EN)
    assert response.status_code == 303


def test_fold_name_sees_what_a_reader_sees():
    assert accounts.fold_name("Ｗａｎｇ　Ｌｉ") == accounts.fold_name("wang-li") == "wangli"
    assert accounts.fold_name("王·议 政") == "王议政"
    assert accounts.normalise_name(" Ｌｉ   Ming ") == "Li Ming"


def test_create_admin_refuses_a_hidden_character(runner, db):
    result = runner.invoke(args=["create-admin", "chief", "--display-name", "主\u200b任"],
                           env={"YISHI_ADMIN_PASSWORD": "a-long-secret"})
    assert result.exit_code != 0
    assert not models.User.select().where(models.User.username == "chief").exists()


# Role badges -------------------------------------------------------------------------------------

def badge(label):
    return f'<span class="tag tag-role role-{label}">'


def test_an_officials_comment_carries_a_role_badge_and_a_residents_does_not(client, world):
    participation.add_comment(world.issue, world.resident, "居民的话")
    participation.add_comment(world.issue, world.councillor, "议政员的话")
    participation.add_comment(world.issue, world.outsider, "外站议政员的话")
    participation.add_comment(world.issue, world.deputy, "代表的话")
    participation.add_comment(world.issue, world.staff, "部门的话")
    participation.add_comment(world.issue, world.admin, "管理员的话")
    page = text(client.get(f"/issues/{world.issue.id}", headers=EN))
    comments = {c: page.split(c)[0].rsplit('<li id="comment-', 1)[1] for c in (
        "居民的话", "议政员的话", "外站议政员的话", "代表的话", "部门的话", "管理员的话")}
    assert "tag-role" not in comments["居民的话"]
    assert badge("councillor") in comments["议政员的话"] and ">Councillor<" in comments["议政员的话"]
    # A councillor of another venue is no councillor here.
    assert "tag-role" not in comments["外站议政员的话"]
    assert badge("deputy") in comments["代表的话"]
    assert badge("department") in comments["部门的话"]
    assert badge("admin") in comments["管理员的话"]


def test_badges_in_chinese(client, world):
    participation.add_comment(world.issue, world.councillor, "议政员的话")
    participation.add_comment(world.issue, world.deputy, "代表的话")
    participation.add_comment(world.issue, world.staff, "部门的话")
    participation.add_comment(world.issue, world.admin, "管理员的话")
    page = text(client.get(f"/issues/{world.issue.id}"))
    for word in ("议政员", "代表", "部门", "管理员"):
        assert f'">{word}</span>' in page


def test_badges_come_with_the_poll_too(client, world):
    participation.add_comment(world.issue, world.councillor, "新来的议政员的话")
    fragment = text(client.get(f"/issues/{world.issue.id}/comments?after=0&first=0", headers={**HX, **EN}))
    assert "新来的议政员的话" in fragment and badge("councillor") in fragment


def test_badges_cost_one_query_for_the_whole_page(world, statements):
    def queries(count):
        for n in range(count):
            who = (world.councillor, world.deputy, world.staff, world.admin, world.resident)[n % 5]
            participation.add_comment(world.issue, who, f"第{n}条")
        statements.clear()
        participation.thread_page(world.issue, 1, participation.last_comment_id(world.issue))
        return len(statements)

    few = queries(5)
    assert queries(40) == few


def test_roles_are_computed_in_one_place():
    assert accounts.OFFICIAL_ROLES == ("councillor", "deputy", "department", "admin")


def test_recorded_issue_answer_and_outcome_carry_badges(client, make, auth):
    loop = LoopWorld(make)
    issue = models.Issue.create(venue=loop.venue, recorded_by=loop.councillor, title="代录的事", body="正文",
                                reporter_name="老李", channel="phone")
    page = text(client.get(f"/issues/{issue.id}", headers=EN))
    recorded = page.split("Recorded by")[1].split("</dd>")[0]
    assert badge("councillor") in recorded
    # An answer comes from a department.
    assigned = loop.assigned()
    handling.sign(assigned, loop.office_staff, now=LOOP_NOW)
    handling.answer(assigned, loop.office_staff, "resolved", "修好了", grade="A", now=LOOP_NOW)
    page = text(client.get(f"/issues/{assigned.issue_id}", headers=EN))
    assert badge("department") in page.split("Answer from")[1].split("</h3>")[0]
    # An outcome is published by a councillor.
    meeting = models.Meeting.create(venue=loop.venue, title="议事会", starts_at=models.utcnow())
    now = models.utcnow()
    item = models.AgendaItem.create(meeting=meeting, title="装路灯", opens_at=now - timedelta(days=2),
                                    closes_at=now - timedelta(days=1), quorum_value=0)
    deliberation.publish_outcome(deliberation.load_item(item.id), loop.councillor, "通过，马上装。")
    page = text(client.get(f"/items/{item.id}", headers=EN))
    assert badge("councillor") in page.split("Published")[1].split("</p>")[0]


# Anonymous authors stay anonymous ------------------------------------------------------------------

@pytest.fixture
def anonymous(world):
    models.Issue.update(anonymous=True).where(models.Issue.id == world.issue.id).execute()
    participation.follow(world.resident, world.issue)
    participation.add_comment(world.fresh(), world.author, "我补充一点情况")
    return world


@pytest.mark.parametrize(("role", "named"), [
    ("visitor", False), ("resident", False), ("outsider", False), ("author", True), ("councillor", True),
    ("admin", True),
])
def test_the_anonymous_authors_comment_says_issue_author_without_a_name(client, auth, anonymous, role, named):
    anonymous.login(auth, role)
    for response in (
        client.get(f"/issues/{anonymous.issue.id}", headers=EN),
        client.get(f"/issues/{anonymous.issue.id}/comments?after=0&first=0", headers={**HX, **EN}),
    ):
        page = text(response)
        assert "我补充一点情况" in page
        assert ("张提出" in page) is named
        if not named:
            assert "The issue&#39;s author" in page or "The issue's author" in page


def test_the_anonymous_author_is_not_named_in_chinese_either(client, anonymous):
    page = text(client.get(f"/issues/{anonymous.issue.id}"))
    assert "张提出" not in page and '<span class="author">提出人</span>' in page


def test_the_anonymous_authors_comment_is_not_named_in_notifications(client, auth, anonymous):
    auth.login("resident")
    page = text(client.get("/notifications", headers=EN))
    assert "commented on" in page
    assert "张提出" not in page


def test_the_anonymous_author_is_not_named_to_department_staff(client, make, auth):
    loop = LoopWorld(make)
    issue = loop.issue()
    models.Issue.update(anonymous=True).where(models.Issue.id == issue.id).execute()
    issue = models.Issue.get_by_id(issue.id)
    models.User.update(display_name="匿名作者").where(models.User.id == loop.author.id).execute()
    assignment = handling.assign(issue, loop.councillor, loop.office, now=LOOP_NOW)
    issue = models.Issue.get_by_id(issue.id)
    handling.sign(assignment, loop.office_staff, now=LOOP_NOW)
    handling.answer(assignment, loop.office_staff, "resolved", "修好了", grade="A", now=LOOP_NOW)
    handling.rate(models.Issue.get_by_id(issue.id), loop.author, "satisfied", now=LOOP_NOW)
    auth.login("office")
    page = text(client.get(f"/handling/{assignment.id}", headers=EN))
    assert "匿名作者" not in page


def test_the_anonymous_author_is_named_on_no_public_surface(client, auth, world):
    from domain import workflow

    issue = workflow.raise_issue(world.venue, world.author, "匿名反映的路灯", "三号楼的路灯坏了很久。",
                                 anonymous=True)
    participation.add_comment(issue, world.author, "提出人补充")
    meeting = models.Meeting.create(venue=world.venue, title="议事会", starts_at=models.utcnow())
    now = models.utcnow()
    item = models.AgendaItem.create(meeting=meeting, issue=issue, title="匿名反映的路灯", quorum_value=0,
                                    opens_at=now - timedelta(days=2), closes_at=now - timedelta(days=1))
    deliberation.publish_outcome(deliberation.load_item(item.id), world.councillor, "马上修。")
    urls = [
        f"/issues/{issue.id}", "/search?q=路灯", "/v/tuanjie", "/outcomes", "/outcomes.atom",
        "/v/tuanjie/outcomes.atom", f"/items/{item.id}", "/open311/v2/requests.json",
        f"/open311/v2/requests/{issue.id}.json", f"/open311/v2/requests/{issue.id}.xml",
    ]
    for role in ("visitor", "resident"):
        world.login(auth, role)
        for url in urls:
            response = client.get(url, headers=EN)
            assert response.status_code == 200, url
            assert "张提出" not in text(response), (role, url)
        auth.logout()
