"""The first schema: every table of the domain model (see DESIGN.md)."""
from peewee import *


def up(migrator, db):
    class Region(Model):
        name = CharField(max_length=60)
        kind = CharField(max_length=12)
        level = CharField(index=True, max_length=8)
        parent = ForeignKeyField('self', null=True, on_delete='RESTRICT')
        position = IntegerField(default=0)
        archived = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'region'
            indexes = ((('parent', 'position', 'name'), False),)
    db.create_tables([Region])

    class Venue(Model):
        name = CharField(max_length=80)
        slug = CharField(unique=True, max_length=60)
        kind = CharField(index=True, max_length=10)
        region = ForeignKeyField(Region, on_delete='RESTRICT')
        address = CharField(max_length=200, default='')
        description = TextField(default='')
        opening_times = CharField(max_length=200, default='')
        voting_open_to_all = BooleanField(default=False)
        invite_code = CharField(unique=True, null=True, max_length=16)
        latitude = DoubleField(null=True)
        longitude = DoubleField(null=True)
        archived = BooleanField(default=False)
        issue_count = IntegerField(default=0)
        resident_count = IntegerField(default=0)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'venue'
            indexes = ((('region', 'name'), False),)
    db.create_tables([Venue])

    class User(Model):
        username = CharField(unique=True, max_length=40)
        display_name = CharField(max_length=40)
        password_hash = CharField(max_length=256)
        phone = CharField(index=True, null=True, max_length=20)
        locale = CharField(null=True, max_length=10)
        is_admin = BooleanField(default=False)
        active = BooleanField(default=True)
        must_change_password = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([User])

    class Meeting(Model):
        venue = ForeignKeyField(Venue, on_delete='RESTRICT')
        title = CharField(max_length=120)
        kind = CharField(max_length=16, default='regular')
        starts_at = DateTimeField()
        ends_at = DateTimeField(null=True)
        place = CharField(max_length=200, default='')
        description = TextField(default='')
        minutes = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        cancelled = BooleanField(default=False)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'meeting'
            indexes = ((('venue', 'starts_at'), False),)
    db.create_tables([Meeting])

    class Department(Model):
        name = CharField(max_length=80)
        name_en = CharField(max_length=120, default='')
        level = CharField(index=True, max_length=8)
        region = ForeignKeyField(Region, on_delete='RESTRICT')
        archived = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'department'
            indexes = ((('region', 'name'), True),)
    db.create_tables([Department])

    class Category(Model):
        code = CharField(unique=True, max_length=30)
        name = CharField(max_length=40)
        name_en = CharField(max_length=60)
        village_department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        town_department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        city_department = ForeignKeyField(Department, null=True, on_delete='SET NULL')
        time_limit_days = IntegerField(default=15)
        position = IntegerField(default=0)
        archived = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'category'
    db.create_tables([Category])

    class Issue(Model):
        venue = ForeignKeyField(Venue, on_delete='RESTRICT')
        author = ForeignKeyField(User, null=True, on_delete='SET NULL')
        recorded_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        reporter_name = CharField(max_length=40, default='')
        reporter_contact = CharField(max_length=60, default='')
        anonymous = BooleanField(default=False)
        title = CharField(max_length=120)
        body = TextField()
        category = ForeignKeyField(Category, null=True, on_delete='SET NULL')
        level = CharField(max_length=8, default='village')
        status = CharField(max_length=14, default='submitted')
        channel = CharField(max_length=20, default='web')
        address = CharField(max_length=200, default='')
        latitude = DoubleField(null=True)
        longitude = DoubleField(null=True)
        merged_into = ForeignKeyField('self', null=True, on_delete='SET NULL')
        decline_reason = TextField(default='')
        award = BooleanField(default=False)
        hidden = BooleanField(default=False)
        support_count = IntegerField(default=0)
        comment_count = IntegerField(default=0)
        follower_count = IntegerField(default=0)
        flag_count = IntegerField(default=0)
        due_on = DateField(null=True)
        reopened = BooleanField(default=False)
        created_at = DateTimeField(index=True)
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'issue'
            indexes = ((('venue', 'created_at'), False), (('venue', 'support_count'), False), (('venue', 'status'), False), (('status', 'due_on'), False))
    db.create_tables([Issue])

    class AgendaItem(Model):
        meeting = ForeignKeyField(Meeting, on_delete='CASCADE')
        issue = ForeignKeyField(Issue, null=True, on_delete='SET NULL')
        title = CharField(max_length=120)
        body = TextField(default='')
        position = IntegerField(default=0)
        opens_at = DateTimeField(null=True)
        closes_at = DateTimeField(null=True)
        rule = CharField(max_length=12, default='majority')
        quorum_kind = CharField(max_length=8, default='count')
        quorum_value = IntegerField(default=0)
        yes_count = IntegerField(default=0)
        no_count = IntegerField(default=0)
        abstain_count = IntegerField(default=0)
        close_reason = TextField(default='')
        result = CharField(null=True, max_length=10)
        outcome = TextField(default='')
        outcome_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        outcome_published_at = DateTimeField(index=True, null=True)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'agenda_item'
            indexes = ((('meeting', 'position'), False),)
    db.create_tables([AgendaItem])

    class Assignment(Model):
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        department = ForeignKeyField(Department, on_delete='RESTRICT')
        assigned_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        due_on = DateField()
        response = TextField(default='')
        responded_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'assignment'
            indexes = ((('department', 'due_on'), False),)
    db.create_tables([Assignment])

    class AuditLog(Model):
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        action = CharField(index=True, max_length=40)
        object_type = CharField(max_length=30)
        object_id = IntegerField(null=True)
        before = TextField(null=True)
        after = TextField(null=True)
        note = TextField(default='')
        created_at = DateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'audit_log'
            indexes = ((('object_type', 'object_id'), False),)
    db.create_tables([AuditLog])

    class Comment(Model):
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        author = ForeignKeyField(User, on_delete='CASCADE')
        parent = ForeignKeyField('self', null=True, on_delete='CASCADE')
        body = TextField()
        hidden = BooleanField(default=False)
        flag_count = IntegerField(default=0)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'comment'
            indexes = ((('issue', 'id'), False),)
    db.create_tables([Comment])

    class DepartmentStaff(Model):
        department = ForeignKeyField(Department, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'department_staff'
            indexes = ((('department', 'user'), True),)
    db.create_tables([DepartmentStaff])

    class DeputyGroup(Model):
        name = CharField(unique=True, max_length=60)
        name_en = CharField(max_length=80, default='')
        description = TextField(default='')
        archived = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'deputy_group'
    db.create_tables([DeputyGroup])

    class DeputyGroupMember(Model):
        group = ForeignKeyField(DeputyGroup, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        class Meta:
            database = db
            table_name = 'deputy_group_member'
            indexes = ((('group', 'user'), True),)
    db.create_tables([DeputyGroupMember])

    class Event(Model):
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        kind = CharField(max_length=30)
        from_status = CharField(null=True, max_length=14)
        to_status = CharField(null=True, max_length=14)
        note = TextField(default='')
        data = TextField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'event'
            indexes = ((('issue', 'id'), False),)
    db.create_tables([Event])

    class Feedback(Model):
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        user = ForeignKeyField(User, on_delete='CASCADE')
        rating = CharField(max_length=20)
        comment = TextField(default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'feedback'
    db.create_tables([Feedback])

    class Flag(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        target_type = CharField(max_length=8)
        target_id = IntegerField()
        reason = CharField(max_length=10)
        note = CharField(max_length=300, default='')
        status = CharField(max_length=10, default='open')
        resolved_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        resolved_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'flag'
            indexes = ((('target_type', 'target_id', 'user'), True), (('status', 'target_type'), False))
    db.create_tables([Flag])

    class Follow(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'follow'
            indexes = ((('issue', 'user'), True), (('user', 'issue'), False))
    db.create_tables([Follow])

    class Membership(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        venue = ForeignKeyField(Venue, on_delete='CASCADE')
        role = CharField(max_length=12)
        status = CharField(max_length=10, default='pending')
        verified_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        verified_at = DateTimeField(null=True)
        note = CharField(max_length=300, default='')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'membership'
            indexes = ((('user', 'venue', 'role'), True), (('venue', 'role', 'status'), False))
    db.create_tables([Membership])

    class Notification(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        kind = CharField(max_length=30)
        issue = ForeignKeyField(Issue, null=True, on_delete='CASCADE')
        actor = ForeignKeyField(User, null=True, on_delete='SET NULL')
        data = TextField(null=True)
        read = BooleanField(default=False)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'notification'
            indexes = ((('user', 'read', 'id'), False),)
    db.create_tables([Notification])

    class Report(Model):
        number = IntegerField(unique=True)
        title = CharField(max_length=120)
        summary = TextField(default='')
        created_by = ForeignKeyField(User, null=True, on_delete='SET NULL')
        published_at = DateTimeField(null=True)
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'report'
    db.create_tables([Report])

    class ReportItem(Model):
        report = ForeignKeyField(Report, on_delete='CASCADE')
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        position = IntegerField(default=0)
        note = TextField(default='')
        class Meta:
            database = db
            table_name = 'report_item'
            indexes = ((('report', 'issue'), True),)
    db.create_tables([ReportItem])

    class Support(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        issue = ForeignKeyField(Issue, on_delete='CASCADE')
        created_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'support'
            indexes = ((('issue', 'user'), True),)
    db.create_tables([Support])

    class Vote(Model):
        user = ForeignKeyField(User, on_delete='CASCADE')
        item = ForeignKeyField(AgendaItem, on_delete='CASCADE')
        choice = CharField(max_length=8)
        created_at = DateTimeField()
        updated_at = DateTimeField()
        class Meta:
            database = db
            table_name = 'vote'
            indexes = ((('item', 'user'), True),)
    db.create_tables([Vote])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('vote'))
    migrator.migrate(migrator.drop_table('support'))
    migrator.migrate(migrator.drop_table('report_item'))
    migrator.migrate(migrator.drop_table('report'))
    migrator.migrate(migrator.drop_table('notification'))
    migrator.migrate(migrator.drop_table('membership'))
    migrator.migrate(migrator.drop_table('follow'))
    migrator.migrate(migrator.drop_table('flag'))
    migrator.migrate(migrator.drop_table('feedback'))
    migrator.migrate(migrator.drop_table('event'))
    migrator.migrate(migrator.drop_table('deputy_group_member'))
    migrator.migrate(migrator.drop_table('deputy_group'))
    migrator.migrate(migrator.drop_table('department_staff'))
    migrator.migrate(migrator.drop_table('comment'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('assignment'))
    migrator.migrate(migrator.drop_table('agenda_item'))
    migrator.migrate(migrator.drop_table('issue'))
    migrator.migrate(migrator.drop_table('category'))
    migrator.migrate(migrator.drop_table('department'))
    migrator.migrate(migrator.drop_table('meeting'))
    migrator.migrate(migrator.drop_table('user'))
    migrator.migrate(migrator.drop_table('venue'))
    migrator.migrate(migrator.drop_table('region'))
