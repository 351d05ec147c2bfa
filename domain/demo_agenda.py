"""Demo meetings, agenda items, votes and outcomes for the Zhijiang demo (called by demo.load_demo).

Everything goes through the real functions (workflow, deliberation, memberships) with the clock set
back, so tallies, timelines and notifications are exactly what the site would have produced.
At 阳光小区议事亭 (the councillor's pavilion): two new issues waiting for triage, an accepted one
waiting for an agenda, a vote open now, and past meetings with minutes and published outcomes that
passed, were rejected and had no quorum. Its invite code is DEMO_INVITE_CODE.
"""
from datetime import timedelta

from domain import deliberation, participation, timefmt, workflow
from models import (
    Category,
    Department,
    Event,
    Follow,
    Meeting,
    Notification,
    Support,
    User,
    Venue,
    utcnow,
)

DEMO_INVITE_CODE = "YGXQ7K3M"
PAVILION = "pavilion-yangguang"
HALL = "hall-guanmiaoshan"


def _users(*usernames):
    found = {u.username: u for u in User.select().where(User.username.in_(usernames))}
    return [found[name] for name in usernames]


def _backdate(since_event, since_notice, when):
    """Give the events and notifications written since the markers the time `when`."""
    Event.update(created_at=when).where(Event.id > since_event).execute()
    Notification.update(created_at=when).where(Notification.id > since_notice).execute()


def _markers():
    return (
        Event.select(Event.id).order_by(Event.id.desc()).scalar() or 0,
        Notification.select(Notification.id).order_by(Notification.id.desc()).scalar() or 0,
    )


def _issue(venue, author, title, body, category, created, supporters=()):
    issue = workflow.raise_issue(venue, author, title, body, category=category, at=created)
    for user in supporters:
        participation.support(user, issue)  # supporters follow the issue too
    when = created + timedelta(hours=3)
    Support.update(created_at=when).where(Support.issue == issue.id).execute()
    Follow.update(created_at=when).where((Follow.issue == issue.id) & (Follow.user != author.id)).execute()
    return issue


def _step(when, action, *args, **kwargs):
    """Run a workflow or deliberation step as if at `when`."""
    markers = _markers()
    result = action(*args, **kwargs)
    _backdate(*markers, when)
    return result


def _local(days, hour, minute=0, now=None):
    """A time `days` from today at hour:minute Beijing time, as naive UTC."""
    local_today = timefmt.utc_to_local(now).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return timefmt.local_to_utc(local_today + timedelta(days=days))


def _next_fifth(now):
    """9:00 on the next 5th of a month, Beijing time, at least two days ahead."""
    local = timefmt.utc_to_local(now) + timedelta(days=2)
    year, month = local.year, local.month
    if local.day > 5:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return timefmt.local_to_utc(local.replace(year=year, month=month, day=5, hour=9, minute=0, second=0,
                                              microsecond=0))


def _vote(item, voters, choices, when):
    for user, choice in zip(voters, choices, strict=True):
        deliberation.cast(item, user, choice, now=when)


def load(now=None):
    """Add the agenda demo to a database that has the base demo (regions, venues, people)."""
    now = now or utcnow()
    venue = Venue.get(Venue.slug == PAVILION)
    hall = Venue.get(Venue.slug == HALL)
    councillor, resident, neighbour = _users("councillor", "resident", "neighbour")
    others = _users(*(f"resident{n:02d}" for n in range(1, 7)))
    voters = [resident, neighbour, *others]  # the pavilion's 8 verified residents
    categories = {c.code: c for c in Category.select()}
    office = Department.get(Department.name == "马家店街道城建办")

    Venue.update(invite_code=DEMO_INVITE_CODE).where(Venue.id == venue.id).execute()

    hour_now = now.replace(minute=0, second=0, microsecond=0)

    def day(n, hour=10):
        """n days from now, moved by (hour - 10) hours: whole hours read better on the pages."""
        return hour_now + timedelta(days=n, hours=hour - 10)

    # New issues, waiting in the triage queue.
    _issue(venue, others[0], "小区南门的路灯坏了三盏", "南门进来到3栋这一段，晚上黑漆漆的，老人出门不方便，"
           "希望尽快修好。", categories["roads"], day(-2), supporters=[neighbour, others[1]])
    _issue(venue, others[2], "楼道里堆放杂物，有消防隐患", "5栋2单元楼道堆了很多纸箱和旧家具，"
           "挡住了消防通道，建议物业和社区一起清理。", categories["public_safety"], day(-1))

    # Accepted, waiting for a meeting's agenda.
    waste = _issue(venue, resident, "垃圾分类投放点挪个位置", "现在的投放点紧挨着6栋的窗户，夏天气味大，"
                   "建议挪到停车场东边的空地。", categories["sanitation"], day(-6), supporters=[others[3]])
    _step(day(-5), workflow.accept, waste, councillor)

    # Past meeting 1: a vote that passed (two thirds) and one that was rejected.
    october = _step(day(-45), deliberation.schedule, venue, councillor, title="居民议事会：加装电梯和停车收费",
                    kind="regular", starts_at=_local(-40, 19, 0, now), ends_at=_local(-40, 20, 30, now),
                    place="阳光小区议事亭", description="议一议加装电梯的费用分摊，以及停车收费标准要不要调整。")
    deliberation.update_meeting(
        october, minutes="到会居民23人，议政员王议政主持。\n一、加装电梯费用分摊：按楼层分档，"
        "一楼不出钱，二楼以上逐层递增，大家基本同意，会后网上表决。\n二、停车收费标准：物业提出每月上调30元，"
        "多数居民认为涨幅太大，会后网上表决。",
    )
    lift = _issue(venue, others[1], "3栋加装电梯，费用怎么分摊", "3栋老人多，大家都想装电梯，"
                  "但费用分摊一直谈不拢，希望议事亭组织大家定个方案。", categories["old_compound"], day(-60),
                  supporters=[resident, neighbour, others[4]])
    _step(day(-58), workflow.accept, lift, councillor)
    lift_item = _step(day(-44), deliberation.add_item, october, councillor,
                      title="3栋加装电梯费用按楼层分摊方案",
                      body="赞成：按楼层分档分摊，一楼不出钱，二楼以上逐层递增。反对：不采用这个方案，另行协商。",
                      issue=lift, rule="two_thirds", quorum_kind="count", quorum_value=5)
    parking = _issue(venue, others[3], "停车费每月要涨30元，大家同意吗", "物业通知停车费从每月80元涨到110元，"
                     "希望在议事亭议一议。", categories["other"], day(-55), supporters=[others[5]])
    _step(day(-54), workflow.accept, parking, councillor)
    parking_item = _step(day(-44), deliberation.add_item, october, councillor,
                         title="同意停车费从每月80元调整为110元",
                         body="赞成：同意物业的调整方案。反对：不同意，请物业重新测算。",
                         issue=parking, rule="majority", quorum_kind="percent", quorum_value=50)
    for item in (lift_item, parking_item):
        _step(day(-40), deliberation.set_window, item, councillor, day(-40, 21), day(-37, 21), now=day(-40, 21))
    _vote(lift_item, voters[:7], ["yes", "yes", "yes", "yes", "yes", "no", "abstain"], day(-39))
    _vote(parking_item, voters[:7], ["no", "no", "yes", "no", "abstain", "no", "yes"], day(-39))
    for item in (lift_item, parking_item):
        _step(day(-37, 21) + timedelta(minutes=1), deliberation.settle, item, now=day(-37, 21) + timedelta(minutes=1))
    _step(day(-36), deliberation.publish_outcome, lift_item, councillor,
          "表决通过（赞成5票、反对1票、弃权1票，超过三分之二）。按楼层分档分摊：一楼不出钱，二楼每户3000元，"
          "以后每高一层加1500元。交马家店街道城建办牵头办理报建手续，议政员跟踪进度。",
          next_status="assigned", department=office, due_on=(day(-36) + timedelta(days=30)).date(), now=day(-36))
    _step(day(-36), deliberation.publish_outcome, parking_item, councillor,
          "表决未通过（赞成2票、反对4票、弃权1票）。停车费维持每月80元，请物业公开成本后再和居民商量。",
          next_status="closed", now=day(-36))

    # Past meeting 2 (a bench meeting): no quorum, and a free item that passed.
    bench = _step(day(-15), deliberation.schedule, venue, councillor, title="板凳会：广场舞和议事亭开放时间",
                  kind="bench_meeting", starts_at=_local(-12, 9, 30, now), ends_at=_local(-12, 11, 0, now),
                  place="小区中心广场", description="在广场边摆上板凳，大家坐下来聊聊。")
    deliberation.update_meeting(
        bench, minutes="到会居民15人。\n一、广场舞音量和时间：跳舞的和楼上住户都说了想法，建议晚上9点前结束、"
        "音量调小，会后网上表决。\n二、议事亭开放时间：建议改为每周六上午，会后网上表决。",
    )
    dance = _issue(venue, neighbour, "广场舞声音太大，晚上休息不好", "每天晚上广场舞放到10点，"
                   "声音很大，楼上的老人和孩子休息不好。", categories["other"], day(-25), supporters=[others[5]])
    _step(day(-24), workflow.accept, dance, councillor)
    dance_item = _step(day(-14), deliberation.add_item, bench, councillor,
                       title="广场舞晚上9点前结束，音量调到60分贝以下",
                       body="赞成：同意这个约定，写进小区公约。反对：不同意。",
                       issue=dance, rule="majority", quorum_kind="percent", quorum_value=60)
    hours_item = _step(day(-14), deliberation.add_item, bench, councillor,
                       title="议事亭开放时间改为每周六上午9点到11点",
                       body="赞成：改为每周六上午开放。反对：维持现在的时间。",
                       rule="majority", quorum_kind="count", quorum_value=3)
    for item in (dance_item, hours_item):
        _step(day(-12), deliberation.set_window, item, councillor, day(-12, 12), day(-9, 12), now=day(-12, 12))
    _vote(dance_item, voters[:3], ["yes", "no", "yes"], day(-11))
    _vote(hours_item, voters[:5], ["yes", "yes", "yes", "no", "yes"], day(-11))
    for item in (dance_item, hours_item):
        _step(day(-9, 12) + timedelta(minutes=1), deliberation.settle, item, now=day(-9, 12) + timedelta(minutes=1))
    _step(day(-8), deliberation.publish_outcome, dance_item, councillor,
          "参加表决的只有3人，不到小区核实居民的60%，表决无效。这件事放到下次议事会再议，请大家踊跃参加。",
          now=day(-8))
    _step(day(-8), deliberation.publish_outcome, hours_item, councillor,
          "表决通过（赞成4票、反对1票）。从下个月起，议事亭每周六上午9点到11点开放，议政员轮流值班。",
          now=day(-8))

    # Upcoming: a "Meet on the 5th" with a vote open now, and a bureau chief's visit.
    fifth = _step(day(-3), deliberation.schedule, venue, councillor, title="5号见：电动车充电桩建在哪里",
                  kind="fifth_day", starts_at=_next_fifth(now), place="阳光小区议事亭",
                  description="人大代表和议政员一起听取居民意见。会前先在网上表决充电桩的选址。")
    charging = _issue(venue, resident, "建议在小区空地增设电动车充电桩", "很多人把电动车推到楼道里充电，"
                      "很危险。建议在停车场西边的空地建一排充电桩。", categories["public_safety"], day(-20),
                      supporters=[neighbour, others[0], others[2], others[4]])
    _step(day(-19), workflow.accept, charging, councillor)
    charging_item = _step(day(-3), deliberation.add_item, fifth, councillor,
                          title="在停车场西边空地建设电动车充电桩（20个车位）",
                          body="赞成：同意在停车场西边空地建设充电桩，由社区申请改造资金。反对：不同意这个选址。",
                          issue=charging, rule="majority", quorum_kind="count", quorum_value=4)
    _step(day(-2), deliberation.set_window, charging_item, councillor, day(-2), day(3, 20), now=day(-2))
    _vote(charging_item, voters[2:5], ["yes", "yes", "no"], day(-1))
    _step(day(-1), deliberation.schedule, venue, councillor, title="局长进站：市住建局听取老旧小区改造意见",
          kind="bureau_visit", starts_at=_local(20, 15, 0, now), ends_at=_local(20, 17, 0, now),
          place="团结路社区党群服务中心", description="市住房和城乡建设局负责同志进站，听取居民对老旧小区改造的意见。")

    # The hall: one meeting coming up.
    _step(day(-2), deliberation.schedule, hall, councillor, title="湾落议事会：村道拓宽", kind="regular",
          starts_at=_local(9, 14, 30, now), place=hall.address, description="议一议关庙山村主干道拓宽的占地补偿办法。")
    return Meeting.select().where(Meeting.venue == venue).count()
