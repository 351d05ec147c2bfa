"""A small world for the discussion tests: one venue with an issue, and one person of every role."""
from werkzeug.security import generate_password_hash

import models
from domain import participation

# A cheap hash of the fixtures' password "password123": the default one costs a tenth of a second.
QUICK_HASH = generate_password_hash("password123", method="pbkdf2:sha256:1000")

HX = {"HX-Request": "true"}
EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
ROLES = ("visitor", "resident", "councillor", "outsider", "admin")


class World:
    def __init__(self, make):
        self.make = make
        self.venue = make.venue(name="团结路议事亭", slug="tuanjie")
        self.other_venue = make.venue(name="江汉议事亭", slug="jianghan")
        self.author = self.person("author", "张提出")
        self.resident = self.person("resident", "李居民")
        self.councillor = self.person("councillor", "王议政")
        self.outsider = self.person("outsider", "赵外站")  # a councillor of another venue
        self.admin = self.person("admin", "管理员", is_admin=True)
        make.member(self.author, self.venue)
        make.member(self.resident, self.venue)
        make.member(self.councillor, self.venue, role="councillor")
        make.member(self.outsider, self.other_venue, role="councillor")
        self.issue = self.new_issue()

    @staticmethod
    def person(username, display_name, **fields):
        """A user whose password is "password123"."""
        return models.User.create(
            username=username, display_name=display_name, password_hash=QUICK_HASH, **fields
        )

    def new_issue(self, title="路灯坏了", author=None, venue=None):
        author = author or self.author
        issue = models.Issue.create(
            venue=venue or self.venue, author=author, title=title, body="晚上小区门口很黑。"
        )
        participation.follow(author, issue)  # authors follow what they raise
        return models.Issue.get_by_id(issue.id)

    def user(self, role):
        return None if role == "visitor" else getattr(self, role)

    def login(self, auth, role):
        if role != "visitor":
            response = auth.login(role)
            assert response.status_code == 303, "login failed"

    def fresh(self, obj=None):
        obj = obj or self.issue
        return type(obj).get_by_id(obj.id)
