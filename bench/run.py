"""Benchmark the pages people open most, on a database much bigger than the demo.

Builds a SQLite database with the demo city plus --issues issues (spread over the venues, with
comments and supports on one of them), then for each page:
  * counts the SQL statements one request runs (must not grow with the database), and
  * measures requests per second through gunicorn (2 workers) with a threaded HTTP client,
alongside a static file served by the same gunicorn as the floor to compare with.
Run with `make bench`; numbers swing with the machine's load, so compare ratios within one run.
"""
import argparse
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
        from domain import search

        search.reindex_all()
        return {"venue": demo.DEMO_PAVILION_SLUG, "issue": hot.id}


def count_queries(path, urls):
    from app import create_app

    app = create_app({"DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "bench"})
    client = app.test_client()
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


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def load(port, url, seconds, threads):
    done = [0] * threads
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        while time.monotonic() < stop:
            conn.request("GET", quote(url, safe="/?=&"))
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
    ]
    counts = count_queries(path, urls)
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
        for url in urls:
            rate = load(port, url, args.seconds, args.threads)
            floor = floor or rate
            status, queries = counts[url]
            print(f"{url:<40} {status:>6} {queries:>7} {rate:>8.0f} {rate / floor:>8.2f}", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
