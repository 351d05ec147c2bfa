"""The vote storm: many residents vote and change their votes at once, through gunicorn.

Builds a temporary database (SQLite by default; with DATABASE_URL=postgresql://… a temporary
database on that server, dropped afterwards), with one venue, --items agenda items open for votes
and --voters verified residents. Every resident then votes on every item, in a random order, from
--threads concurrent clients, and about a third of them change one vote; each answer is checked.
Afterwards the database is compared with what the server acknowledged (a 303 after a ballot):

  lost       acknowledged ballots the database does not hold (or holds with another choice)
  duplicate  ballots or participations beyond one per resident per item, or counters above the ballots
  5xx        server errors

All three must be zero: the script exits 1 otherwise. It then closes the votes and checks that
the close unlinked every ballot (no key, no reference left) without changing any count.
Run: `python bench/stress_votes.py` (or `make stress`, which runs every bench/stress_*.py).
"""
import argparse
import http.client
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from urllib.parse import urlencode, urlsplit, urlunsplit

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)

PASSWORD = "storm-password"
CHOICES = ("yes", "no", "abstain")


# The temporary database ----------------------------------------------------------------------

def temporary_database(base_url):
    """(url, drop): a fresh database and how to remove it."""
    if not base_url or base_url.startswith("sqlite"):
        workdir = tempfile.mkdtemp(prefix="yishi-storm-")
        path = os.path.join(workdir, "storm.db")
        return f"sqlite:///{path}", lambda: None
    import psycopg2

    parts = urlsplit(base_url)
    name = f"yishi_storm_{os.getpid()}"
    admin_url = urlunsplit(parts._replace(path="/postgres"))

    def run(sql):
        connection = psycopg2.connect(admin_url)
        connection.autocommit = True
        try:
            connection.cursor().execute(sql)
        finally:
            connection.close()

    run(f'DROP DATABASE IF EXISTS "{name}"')
    run(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), lambda: run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def make_app(url):
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "storm", "WTF_CSRF_ENABLED": True})


def build(app, voters, items):
    """The venue, its open items and its residents; returns (item ids, {username: user id})."""
    from werkzeug.security import generate_password_hash

    import models
    from domain import deliberation, memberships

    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")  # the storm is not about hashing
    with models.db.connection_context():
        city = models.Region.create(name="枝江市", kind="city", level="city")
        venue = models.Venue.create(name="风暴议事亭", slug="storm", kind="pavilion", region=city)
        councillor = models.User.create(username="stormcouncillor", display_name="议政员", password_hash=cheap)
        memberships.grant_role(councillor, venue, "councillor", None)
        people = {}
        for n in range(voters):
            user = models.User.create(username=f"storm{n:03d}", display_name=f"居民{n:03d}", password_hash=cheap)
            memberships.grant_role(user, venue, "resident", None)
            people[user.username] = user.id
        now = models.utcnow()
        meeting = deliberation.schedule(venue, councillor, title="风暴测试议事会", kind="regular", starts_at=now)
        ids = []
        for n in range(items):
            item = deliberation.add_item(meeting, councillor, f"第{n + 1}项", quorum_value=1)
            deliberation.set_window(item, councillor, now - timedelta(seconds=1), now + timedelta(hours=2))
            ids.append(item.id)
    return ids, people


def session_cookies(app, usernames):
    """{username: session cookie}: each resident logs in once, through the login form."""
    cookies = {}
    for username in usernames:
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
            r'name="csrf-token" content="([^"]+)"', page)
        response = client.post("/login", data={"username": username, "password": PASSWORD,
                                               "csrf_token": token.group(1)})
        assert response.status_code == 303, (username, response.status_code)
        cookies[username] = client.get_cookie("session").value
    return cookies


# The storm -------------------------------------------------------------------------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(url, port, workers):
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="storm")
    server = subprocess.Popen(
        [os.path.join(HERE, ".venv", "bin", "gunicorn"), "--workers", str(workers), "--bind",
         f"127.0.0.1:{port}", "--timeout", "60", "app:create_app()"],
        cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not start")


class Tally:
    """What the clients saw, shared by the threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = Counter()
        self.acknowledged = {}  # (item id, username) -> the last choice the server accepted
        self.failures = []

    def saw(self, status, detail):
        with self.lock:
            self.statuses[status] += 1
            if status >= 500 or status == 0 or 400 <= status < 500:
                self.failures.append(detail)


def resident(port, username, cookie, items, rng, tally):
    """One resident: opens an item page for the form's token, then votes on every item, and
    changes one vote about a third of the time."""
    headers = {"Cookie": f"session={cookie}"}
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def request(method, path, body=None, extra=None):
        try:
            connection.request(method, path, body=body, headers={**headers, **(extra or {})})
            response = connection.getresponse()
            data = response.read()
            return response.status, data
        except (OSError, http.client.HTTPException) as exc:
            connection.close()
            return 0, str(exc).encode()

    status, page = request("GET", f"/items/{items[0]}")
    tally.saw(status, f"GET /items/{items[0]} as {username}")
    match = re.search(rb'name="csrf-token" content="([^"]+)"', page)
    if status != 200 or not match:
        return
    token = match.group(1).decode()
    plan = [(item, rng.choice(CHOICES)) for item in rng.sample(items, len(items))]
    if rng.random() < 0.34:
        item, choice = rng.choice(plan)
        plan.append((item, rng.choice([c for c in CHOICES if c != choice])))
    for item, choice in plan:
        body = urlencode({"choice": choice, "csrf_token": token})
        status, _ = request("POST", f"/items/{item}/vote", body,
                            {"Content-Type": "application/x-www-form-urlencoded"})
        tally.saw(status, f"POST /items/{item}/vote {choice} as {username}: {status}")
        if status == 303:
            with tally.lock:
                tally.acknowledged[(item, username)] = choice
    connection.close()


# Checking -------------------------------------------------------------------------------------

def check(app, items, people, tally):
    """(lost, duplicate, wrong counters) comparing the database with what was acknowledged."""
    import models
    from domain import voting
    from models import AgendaItem, Ballot, Participation

    lost = duplicate = 0
    with models.db.connection_context():
        for item_id in items:
            item = AgendaItem.get_by_id(item_id)
            expected = {name: choice for (i, name), choice in tally.acknowledged.items() if i == item_id}
            taken = Counter(user for (user,) in Participation.select(Participation.user)
                            .where(Participation.item == item_id).tuples())
            duplicate += sum(n - 1 for n in taken.values() if n > 1)
            ballots = {b.ref: b.choice for b in Ballot.select().where(Ballot.item == item_id)}
            stored = Counter(ballots.values())
            want = Counter(expected.values())
            # Each acknowledged resident: took part once, and their ballot holds their last choice.
            for name, choice in expected.items():
                user_id = people[name]
                if not taken.get(user_id):
                    lost += 1
                    continue
                ref = voting.ballot_ref(item.ballot_key, user_id, item_id)
                if ballots.get(ref) != choice:
                    lost += 1
            extra_people = set(taken) - {people[name] for name in expected}
            duplicate += len(extra_people)  # took part without an acknowledged ballot
            duplicate += max(0, len(ballots) - len(expected))
            counters = Counter(yes=item.yes_count, no=item.no_count, abstain=item.abstain_count)
            for choice in CHOICES:
                duplicate += max(0, counters[choice] - want[choice]) + max(0, stored[choice] - want[choice])
                lost += max(0, want[choice] - counters[choice])
    return lost, duplicate


def close_and_check(items):
    """Close every vote and confirm the close unlinked the ballots and kept the counts."""
    import models
    from domain import deliberation
    from models import AgendaItem, Ballot

    problems = 0
    with models.db.connection_context():
        councillor = models.User.get(models.User.username == "stormcouncillor")
        for item_id in items:
            before = AgendaItem.get_by_id(item_id)
            deliberation.close_early(before, councillor, "风暴测试结束")
            after = AgendaItem.get_by_id(item_id)
            refs = Ballot.select().where((Ballot.item == item_id) & Ballot.ref.is_null(False)).count()
            counted = Counter(choice for (choice,) in Ballot.select(Ballot.choice)
                              .where(Ballot.item == item_id).tuples())
            same = (after.yes_count, after.no_count, after.abstain_count) == (
                before.yes_count, before.no_count, before.abstain_count)
            matches = (counted["yes"], counted["no"], counted["abstain"]) == (
                after.yes_count, after.no_count, after.abstain_count)
            if after.ballot_key or refs or not same or not matches:
                problems += 1
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--items", type=int, default=5)
    parser.add_argument("--threads", type=int, default=32)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    url, drop = temporary_database(os.environ.get("DATABASE_URL", ""))
    engine = "PostgreSQL" if url.startswith("postgres") else "SQLite"
    print(f"vote storm on {engine}: {args.voters} voters × {args.items} items, {args.threads} clients, "
          f"gunicorn with {args.workers} workers", flush=True)
    server = None
    try:
        app = make_app(url)
        items, people = build(app, args.voters, args.items)
        cookies = session_cookies(app, people)
        port = free_port()
        server = serve(url, port, args.workers)
        tally = Tally()
        rng = random.Random(args.seed)
        seeds = {name: rng.random() for name in people}
        began = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.threads) as pool:
            futures = [pool.submit(resident, port, name, cookies[name], items, random.Random(seeds[name]), tally)
                       for name in people]
            for future in futures:
                future.result()
        seconds = time.monotonic() - began
        server.terminate()
        server.wait()
        server = None
        lost, duplicate = check(app, items, people, tally)
        errors = sum(n for status, n in tally.statuses.items() if status >= 500)
        refused = sum(n for status, n in tally.statuses.items() if 400 <= status < 500 or status == 0)
        unsealed = close_and_check(items)
        requests = sum(tally.statuses.values())
        print(f"{requests} requests in {seconds:.1f} s ({requests / seconds:.0f}/s); statuses {dict(tally.statuses)}")
        print(f"acknowledged ballots: {len(tally.acknowledged)} of {args.voters * args.items}")
        print(f"lost: {lost}")
        print(f"duplicate: {duplicate}")
        print(f"5xx: {errors}")
        print(f"refused or unanswered: {refused}")
        print(f"votes not unlinked at the close: {unsealed}")
        for failure in tally.failures[:10]:
            print(f"  {failure}")
        complete = len(tally.acknowledged) == args.voters * args.items
        ok = not (lost or duplicate or errors or refused or unsealed) and complete
        print("vote storm: OK" if ok else "vote storm: FAILED", flush=True)
        return 0 if ok else 1
    finally:
        if server is not None:
            server.terminate()
            server.wait()
        try:
            import models

            models.db.close()
        except Exception:  # the database may never have opened
            pass
        drop()


if __name__ == "__main__":
    sys.exit(main())
