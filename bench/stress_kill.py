"""kill -9 during writes: no acknowledged write may be lost, and no retried one duplicated.

Serves the app with gunicorn (2 workers) on a fresh database, and has --writers residents post
comments as fast as they can, each comment with its form's one-time submission key. Meanwhile it
kills with SIGKILL a worker, then the whole server (master and workers at once, as a crash would),
in turn, restarting the server after each crash. A writer whose request got no answer (the
connection dropped) sends the very same form again, key and all, until it is answered, as a
browser's retry would.

At the end every comment is looked for in the database:
  lost         acknowledged (303) but not in the database
  duplicate    in the database more than once
  5xx          answers with a server error
  unanswered   never acknowledged, even after retrying until the end
  counter      the issue's comment_count differs from its comments
All must be zero; the exit status is 1 otherwise.

    python bench/stress_kill.py                       # SQLite, in a temporary folder
    python bench/stress_kill.py --database-url postgresql://postgres@127.0.0.1:5432/yishi_stress

The PostgreSQL database is emptied first (its public schema dropped): give it one of its own.
Traffic goes to 127.0.0.1 only, and the run stops by itself (--seconds, default 20).
"""
import argparse
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import requests

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
PASSWORD = "stress-password"
CSRF = re.compile(r'name="comment-csrf_token"[^>]*value="([^"]+)"><input type="hidden" name="_once" value="([^"]+)"')


def prepare(url, writers):
    """A migrated database holding one venue, one issue and `writers` verified residents."""
    from werkzeug.security import generate_password_hash

    import models
    from app import make_database
    from commands import runner

    database = make_database(url)
    if url.startswith("postgres"):
        ensure_database(url)
        with database.connection_context():
            database.execute_sql("DROP SCHEMA public CASCADE")
            database.execute_sql("CREATE SCHEMA public")
    models.db.initialize(database)
    with database.connection_context():
        runner().up()
        city = models.Region.create(name="枝江市", kind="city", level="city")
        venue = models.Venue.create(name="压力测试议事亭", slug="stress", kind="pavilion", region=city)
        author = models.User.create(username="author", display_name="提出人",
                                    password_hash=generate_password_hash(PASSWORD, "pbkdf2:sha256:1000"))
        issue = models.Issue.create(venue=venue, author=author, title="压力测试", body="写入时被杀掉进程。")
        hashed = generate_password_hash(PASSWORD, "pbkdf2:sha256:1000")
        for n in range(writers):
            user = models.User.create(username=f"writer{n}", display_name=f"写入者{n}", password_hash=hashed)
            models.Membership.create(user=user, venue=venue, role="resident", status="verified")
        issue_id = issue.id
    database.close()
    return issue_id


def ensure_database(url):
    """Create the PostgreSQL database `url` names when it does not exist yet."""
    import psycopg2
    from playhouse.db_url import parse

    params = parse(url)
    name = params.pop("database")
    try:
        psycopg2.connect(dbname=name, **params).close()
    except psycopg2.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise
        connection = psycopg2.connect(dbname="postgres", **params)
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """gunicorn in its own process group, so the whole server can be killed at once."""

    def __init__(self, url, port, log, folder):
        self.url, self.port, self.log, self.folder = url, port, log, folder
        self.process = None

    def start(self):
        env = {**os.environ, "DATABASE_URL": self.url, "SECRET_KEY": "stress-kill", "YISHI_RATE_LIMITS": "0"}
        self.process = subprocess.Popen(
            [os.path.join(os.path.dirname(sys.executable), "gunicorn"), "--workers", "2", "--bind",
             f"127.0.0.1:{self.port}", "--graceful-timeout", "1",
             "--no-control-socket", "app:create_app()"],
            cwd=HERE, env=env, stdout=self.log, stderr=self.log, start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/privacy", timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    def workers(self):
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True, text=True).stdout
        return [int(pid) for pid in out.split()]

    def kill_worker(self):
        workers = self.workers()
        if workers:
            os.kill(random.choice(workers), signal.SIGKILL)

    def crash(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)


class Writer(threading.Thread):
    def __init__(self, n, base, issue_id, stop_at, give_up_at, tally):
        super().__init__(daemon=True)
        self.n, self.base, self.issue_id = n, base, issue_id
        self.stop_at, self.give_up_at, self.tally = stop_at, give_up_at, tally
        self.session = requests.Session()

    def call(self, method, path, **kwargs):
        """One request; None when the connection dropped (the server died under it)."""
        try:
            response = self.session.request(method, self.base + path, allow_redirects=False, timeout=10, **kwargs)
        except requests.RequestException:
            return None
        if response.status_code >= 500:
            self.tally.add("5xx")
        return response

    def until_answered(self, method, path, **kwargs):
        while time.monotonic() < self.give_up_at:
            response = self.call(method, path, **kwargs)
            if response is not None and response.status_code < 500:
                return response
            self.tally.add("retries")
            time.sleep(0.05)
        return None

    def run(self):
        page = self.until_answered("GET", "/login")
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.text).group(1) if page is not None else ""
        login = self.until_answered("POST", "/login", data={"username": f"writer{self.n}", "password": PASSWORD,
                                                             "csrf_token": token})
        if login is None or login.status_code != 303:
            self.tally.add("login failures")
            return
        sent = 0
        while time.monotonic() < self.stop_at:
            page = self.until_answered("GET", f"/issues/{self.issue_id}")
            match = CSRF.search(page.text) if page is not None else None
            if match is None:
                continue
            body = f"stress-{self.n}-{sent}"
            sent += 1
            form = {"comment-csrf_token": match.group(1), "_once": match.group(2), "comment-body": body}
            self.tally.sent(body)
            # The same form, key and all, until the site answers it.
            answer = self.until_answered("POST", f"/issues/{self.issue_id}/comments", data=form)
            if answer is not None and answer.status_code == 303:
                self.tally.acknowledged(body)


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.counts = {"5xx": 0, "retries": 0, "login failures": 0}
        self.sent_bodies, self.acked = [], set()

    def add(self, name):
        with self.lock:
            self.counts[name] += 1

    def sent(self, body):
        with self.lock:
            self.sent_bodies.append(body)

    def acknowledged(self, body):
        with self.lock:
            self.acked.add(body)


def count_rows(url, issue_id):
    import models
    from app import make_database

    database = make_database(url)
    models.db.initialize(database)
    with database.connection_context():
        bodies = [c.body for c in models.Comment.select(models.Comment.body).where(models.Comment.issue == issue_id)]
        counter = models.Issue.get_by_id(issue_id).comment_count
    return bodies, counter


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=os.environ.get("STRESS_DATABASE_URL", ""),
                        help="PostgreSQL database to empty and use (default: SQLite in a temporary folder)")
    parser.add_argument("--writers", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--kills", type=int, default=4, help="kills during the run: a worker, then the server, …")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="yishi-stress-kill-")
    url = args.database_url or f"sqlite:///{folder}/yishi.db"
    engine = "postgresql" if url.startswith("postgres") else "sqlite"
    issue_id = prepare(url, args.writers)
    port = free_port()
    tally = Tally()
    with open(os.path.join(folder, "gunicorn.log"), "w") as log:
        server = Server(url, port, log, folder)
        server.start()
        stop_at = time.monotonic() + args.seconds
        writers = [Writer(n, f"http://127.0.0.1:{port}", issue_id, stop_at, stop_at + 30, tally)
                   for n in range(args.writers)]
        for writer in writers:
            writer.start()
        kills = 0
        try:
            for k in range(args.kills):
                time.sleep(args.seconds / (args.kills + 1))
                if k % 2 == 0:
                    server.kill_worker()  # gunicorn's master starts another
                else:
                    server.crash()
                    server.start()
                kills += 1
            for writer in writers:
                writer.join()
        finally:
            server.stop()
    bodies, counter = count_rows(url, issue_id)
    seen = {}
    for body in bodies:
        seen[body] = seen.get(body, 0) + 1
    lost = len([b for b in tally.acked if b not in seen])
    duplicate = sum(n - 1 for n in seen.values() if n > 1)
    unanswered = len(set(tally.sent_bodies) - tally.acked)
    drift = abs(counter - len(bodies))
    print(f"stress_kill [{engine}]: {len(tally.sent_bodies)} comments sent by {args.writers} writers in "
          f"{args.seconds:.0f} s, {len(tally.acked)} acknowledged, {tally.counts['retries']} retries, "
          f"{kills} kills -9")
    print(f"lost={lost} duplicate={duplicate} 5xx={tally.counts['5xx']} unanswered={unanswered} "
          f"counter={drift} login_failures={tally.counts['login failures']}")
    bad = lost or duplicate or tally.counts["5xx"] or unanswered or drift or tally.counts["login failures"]
    if not tally.acked:
        print("no write was acknowledged: nothing was tested")
        bad = True
    if bad:
        print(f"FAILED (gunicorn's log: {folder}/gunicorn.log)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
