"""Benchmark the pages people open most, on a database much bigger than the demo.

Builds a SQLite database with the demo city plus --issues issues (spread over the venues, with
comments and supports on one of them, each assigned to a department so the ledger tracks them all),
then for each page:
  * counts the SQL statements one request runs (must not grow with the database), and
  * measures requests per second through gunicorn (2 workers) with a threaded HTTP client,
alongside a static file served by the same gunicorn as the floor to compare with. The ledger is
opened as the demo admin, who sees every row; its CSV and XLSX exports of every row are timed and
their peak Python memory traced.
The statistics page reads the summary rows, counted once after the bulk insert (stats.recount).
Run with `make bench`; numbers swing with the machine's load, so compare ratios within one run.
"""
import argparse
import datetime
import http.client
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from urllib.parse import quote

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)


def build_database(path, issues):
    import models
    from app import create_app
    from domain import demo

    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    runner = app.test_cli_runner()
    assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
    with models.db.connection_context():
        demo.load_demo(reset=True)
        venues = [v.id for v in models.Venue.select(models.Venue.id)]
        users = [u.id for u in models.User.select(models.User.id)]
        categories = [c.id for c in models.Category.select(models.Category.id)]
        rng = random.Random(7)
        start = models.utcnow()
        rows = []
        for n in range(issues):
            rows.append({
                "venue": rng.choice(venues), "author": rng.choice(users), "category": rng.choice(categories),
                "title": f"第{n}号意见：小区路灯和道路需要维修", "body": "居民反映的情况，需要尽快处理。" * 3,
                "status": rng.choice(["submitted", "accepted", "assigned", "resolved"]),
                "support_count": rng.randint(0, 50), "comment_count": rng.randint(0, 20),
                "created_at": start, "updated_at": start,
            })
        with models.db.atomic():
            for i in range(0, len(rows), 500):
                models.Issue.insert_many(rows[i:i + 500]).execute()
            models.Venue.update(issue_count=models.Venue.issue_count + issues // len(venues)).execute()
            hot = models.Issue.select().order_by(models.Issue.id.desc()).first()
            models.Comment.insert_many(
                [{"issue": hot.id, "author": rng.choice(users), "body": f"评论 {i}"} for i in range(300)]
            ).execute()
            models.Issue.update(comment_count=300).where(models.Issue.id == hot.id).execute()
            departments = [d.id for d in models.Department.select(models.Department.id)]
            issue_rows = models.Issue.select(models.Issue.id, models.Issue.status).order_by(models.Issue.id)
            assignments = []
            for issue in issue_rows.iterator():
                assigned_at = start - datetime.timedelta(days=rng.randint(0, 60))
                answered = issue.status == "resolved"
                assignments.append({
                    "issue": issue.id, "department": rng.choice(departments), "role": "lead",
                    "state": "answered" if answered else "assigned", "created_at": assigned_at,
                    "due_on": (assigned_at + datetime.timedelta(days=rng.randint(7, 30))).date(),
                    "closed_at": assigned_at + datetime.timedelta(days=5) if answered else None,
                })
                if len(assignments) == 500:
                    models.Assignment.insert_many(assignments).execute()
                    assignments = []
            if assignments:
                models.Assignment.insert_many(assignments).execute()
        from domain import search, stats

        search.reindex_all()
        # The rows above bypassed the domain, so the statistics are counted as after a migration.
        began = time.monotonic()
        stats.recount()
        print(f"statistics recounted in {time.monotonic() - began:.1f} s", flush=True)
        town = models.Region.get(models.Region.level == "town")
        return {"venue": demo.DEMO_PAVILION_SLUG, "issue": hot.id, "town": town.id}


def bench_client(path, login=False):
    """A test client of the bench database, logged in as the demo admin when `login`."""
    from app import create_app
    from domain import demo

    # The login form's CSRF token is beside the point here.
    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": not login})
    client = app.test_client()
    if login:
        response = client.post("/login", data={"username": "admin", "password": demo.DEMO_PASSWORD})
        assert response.status_code == 303, response.status_code
    return client


def count_queries(path, urls, login=False):
    client = bench_client(path, login)
    logger = logging.getLogger("peewee")
    counts = {}

    class Counter(logging.Handler):
        n = 0

        def emit(self, record):
            Counter.n += 1

    handler = Counter()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    for url in urls:
        client.get(url)  # warm up
        Counter.n = 0
        status = client.get(url).status_code
        counts[url] = (status, Counter.n)
    logger.removeHandler(handler)
    return counts


def export(path, url):
    """(rows or None, megabytes sent, seconds, peak MiB of Python memory) of one streamed export;
    the rows are counted in a CSV only (an XLSX is a zip)."""
    import tracemalloc

    client = bench_client(path, login=True)
    tracemalloc.start()
    began = time.monotonic()
    response = client.get(url, buffered=False)
    size = 0
    newlines = 0
    for block in response.response:
        size += len(block)
        newlines += block.count(b"\n") if isinstance(block, bytes) else block.count("\n")
    response.close()
    seconds = time.monotonic() - began
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows = newlines - 1 if url.endswith(".csv") else None
    return rows, size / 2**20, seconds, peak / 2**20


def session_cookie(path):
    """The demo admin's session cookie, for gunicorn (it shares the SECRET_KEY)."""
    return bench_client(path, login=True).get_cookie("session").value


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port, url, seconds, threads, cookie=None):
    done = [0] * threads
    headers = {"Cookie": f"session={cookie}"} if cookie else {}
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", quote(url, safe="/?=&"), headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status < 400:
                done[i] += 1

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(done) / seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=100_000)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()

    workdir = tempfile.mkdtemp(prefix="yishi-bench-")
    path = os.path.join(workdir, "bench.db")
    print(f"building {path} with {args.issues} issues …", flush=True)
    ids = build_database(path, args.issues)
    urls = [
        "/static/style.css",
        "/",
        "/?q=马家店",
        f"/v/{ids['venue']}",
        f"/issues/{ids['issue']}",
        "/search?q=路灯",
        f"/v/{ids['venue']}?q=道路维修",
        "/outcomes",
        "/stats",
        f"/stats?period=all&town={ids['town']}&category=roads",
    ]
    ledger = ["/ledger", "/ledger?sort=assigned", "/ledger?overdue=1", "/ledger?q=路灯"]
    counts = count_queries(path, urls)
    counts.update(count_queries(path, ledger, login=True))
    cookie = session_cookie(path)
    port = free_port()
    env = dict(os.environ, DATABASE_URL=f"sqlite:///{path}", SECRET_KEY="bench")
    server = subprocess.Popen(
        [os.path.join(HERE, ".venv", "bin", "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}",
         "app:create_app()"],
        cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(50):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        floor = None
        print(f"{'page':<40} {'status':>6} {'queries':>7} {'req/s':>8} {'× floor':>8}")
        for url in urls + ledger:
            rate = load(port, url, args.seconds, args.threads, cookie if url in ledger else None)
            floor = floor or rate
            status, queries = counts[url]
            print(f"{url:<40} {status:>6} {queries:>7} {rate:>8.0f} {rate / floor:>8.2f}", flush=True)
        print(f"\n{'export':<40} {'rows':>7} {'MiB':>7} {'seconds':>8} {'peak MiB':>8}")
        for url in ("/ledger.csv", "/ledger.xlsx"):
            rows, size, seconds, peak = export(path, url)
            print(f"{url:<40} {rows if rows is not None else '—':>7} {size:>7.1f} {seconds:>8.1f} {peak:>8.1f}",
                  flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
