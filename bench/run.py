"""Benchmark the pages people open most, on a database of a million issues, against hello world.

Builds (or reuses) a database holding the demo city plus ISSUES issues spread over its venues,
every one with 路灯 in its text (so a search for it matches them all), the routed ones assigned to
a department (so the ledger tracks them), and 300 comments on one issue. Then, for each page:
  * the SQL statements one request runs, counted in process once the connection pool is warm;
  * requests per second and p99 latency through gunicorn (2 sync workers) driven by wrk (or a
    Python client when wrk is missing), alternating with Flask's hello world (bench/hello.py) on
    the same gunicorn, so the ratio to hello world compares two measurements taken moments apart;
  * the search's time per request, and 附议 toggled by htmx from 8 connections at once, after
    which the counter on the row must equal the rows it counts;
  * the ledger's CSV and XLSX exports of every row, timed, with their peak Python memory.
The statistics' summary rows of the bulk-inserted issues are counted as stats.recount would count
them, but by kinds of issue rather than one by one (see _statistics).
Run with `make bench` (ISSUES=…, ENGINE=postgresql for PostgreSQL at PGURL). Absolute numbers
swing with the machine's load; ratios measured in one run are what to compare.
"""
import argparse
import contextlib
import http.client
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import quote, urlencode

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
BIN = os.path.join(HERE, ".venv", "bin")
CACHE = os.environ.get("BENCH_CACHE", os.path.join(HERE, "instance", "bench"))
BUILDER = 6  # bump when what build_database makes changes: a kept database is then rebuilt
WRITERS = 8
USER_AGENT = "yishi-bench"

# What the bench's issues say: every one mentions 路灯 (street lamps), as a busy city's would.
TEXTS = [
    ("小区路灯不亮，晚上出行不便", "阳光小区三号楼前的路灯坏了一个多月，晚上老人出门看不清路，希望尽快修好路灯。"),
    ("路灯和道路都需要维修", "进村道路坑洼不平，沿路的路灯有三盏不亮，雨天晚上很危险。"),
    ("建议在停车场加装路灯", "小区停车场没有路灯，晚上停车剐蹭多，建议加装两盏路灯。"),
    ("学校门口路灯太暗", "学校门口的路灯亮度不够，放学时天已经黑了，请加强照明。"),
    ("广场路灯整夜不关浪费电", "文化广场的路灯通宵亮着，建议设置定时开关，节约用电。"),
    ("河堤步道路灯损坏", "江边河堤步道的路灯被风刮坏，散步的居民反映多次，路灯一直没修。"),
    ("菜市场旁路灯电线裸露", "菜市场旁边一根路灯杆的电线裸露在外，下雨天有触电危险。"),
    ("新建小区路灯何时通电", "新建安置小区的路灯已经装好半年，一直没有通电，居民晚上回家摸黑。"),
]


# The database -----------------------------------------------------------------------------------

def engine():
    return os.environ.get("ENGINE", "sqlite")


def database_url(issues):
    if engine() == "postgresql":
        base = os.environ.get("PGURL", "postgresql://postgres@127.0.0.1:5432")
        return f"{base}/yishi_bench_{issues}"
    return f"sqlite:///{os.path.join(CACHE, f'bench-{issues}.db')}"


def fingerprint(issues):
    """What a kept database must have been built with: the builder, the migrations, the size."""
    migrations = sorted(n for n in os.listdir(os.path.join(HERE, "migrations")) if n.endswith(".py"))
    return f"{BUILDER} {issues} {' '.join(migrations)}"


def marker(issues):
    return os.path.join(CACHE, f"{engine()}-{issues}.built")


def kept(issues):
    try:
        with open(marker(issues)) as fh:
            return fh.read() == fingerprint(issues)
    except FileNotFoundError:
        return False


def fresh_database(url):
    if url.startswith("sqlite:///"):
        path = url[len("sqlite:///"):]
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    import psycopg2

    base, name = url.rsplit("/", 1)
    conn = psycopg2.connect(f"{base}/postgres")
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def _defaults(model, computed):
    """(columns, SQL expressions, parameters) for an INSERT … SELECT into `model`'s table: the
    `computed` columns as given (SQL, or (SQL, its parameters)), every other column its field's
    default, so a column added by a later migration gets what the application would write."""
    from models import db

    columns, expressions, params = [], [], []
    for field in model._meta.sorted_fields:
        if field.primary_key:
            continue
        columns.append(f'"{field.column_name}"')
        if field.column_name in computed:
            sql, more = computed[field.column_name], []
            if isinstance(sql, tuple):
                sql, more = sql
            expressions.append(sql)
            params.extend(more)
        else:
            default = field.default() if callable(field.default) else field.default
            expressions.append(db.param)
            params.append(field.db_value(default))
    return ", ".join(columns), ", ".join(expressions), params


def _q(sql):
    """`sql` as the driver wants it: psycopg2 reads % as the start of a parameter, so SQL's modulo
    is written %% there (and %s stays a parameter)."""
    return re.sub(r"%(?!s)", "%%", sql) if engine() == "postgresql" else sql


def _numbers(n):
    if engine() == "postgresql":
        return f"SELECT generate_series(0, {n - 1}) AS n"
    return f"WITH RECURSIVE seq(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM seq WHERE n < {n - 1}) SELECT n FROM seq"


def _days_before(expression, days, seconds=None):
    """SQL for the time `days` (and `seconds`) before `expression` (a timestamp)."""
    if engine() == "postgresql":
        out = f"CAST({expression} AS timestamp) - ({days}) * INTERVAL '1 day'"
        return out + (f" - ({seconds}) * INTERVAL '1 second'" if seconds else "")
    parts = f"'-' || ({days}) || ' days'" + (f", '-' || ({seconds}) || ' seconds'" if seconds else "")
    return f"datetime({expression}, {parts})"


def _date_after(expression, days):
    if engine() == "postgresql":
        return f"CAST(CAST({expression} AS timestamp) + ({days}) * INTERVAL '1 day' AS date)"
    return f"date({expression}, '+' || ({days}) || ' days')"


@contextlib.contextmanager
def _indexes_later(db, *tables):
    """Drop the secondary indexes of `tables` for a bulk insert and make them again after: sorting
    a million rows once per index is quicker than keeping a dozen indexes up to date row by row."""
    if engine() == "postgresql":
        found = db.execute_sql(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename IN %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint)", (tables,)
        ).fetchall()
    else:
        marks = ", ".join("?" * len(tables))
        found = db.execute_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
            f"AND tbl_name IN ({marks})", tables
        ).fetchall()
    for name, _sql in found:
        db.execute_sql(f'DROP INDEX "{name}"')
    try:
        yield
    finally:
        for _name, sql in found:
            db.execute_sql(sql)


@contextlib.contextmanager
def _triggers_later(db, table):
    """`table`'s triggers off for a bulk insert, and every venue's revision moved once after. On the
    issue table each new issue would move its venue's revision (on PostgreSQL a million updates of 46
    venue rows in one transaction, each walking the row's ever longer chain of versions); on the
    assignment table each lead would mark its issue tracked, which the builder writes itself."""
    if engine() == "postgresql":
        db.execute_sql(f"ALTER TABLE {table} DISABLE TRIGGER USER")
        found = []
    else:
        found = db.execute_sql(
            f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = '{table}'"
        ).fetchall()
        for name, _sql in found:
            db.execute_sql(f'DROP TRIGGER "{name}"')
    try:
        yield
    finally:
        if engine() == "postgresql":
            db.execute_sql(f"ALTER TABLE {table} ENABLE TRIGGER USER")
        for _name, sql in found:
            db.execute_sql(sql)
        db.execute_sql("UPDATE venue SET revision = revision + 1")


def build_database(url, issues):
    """The demo city and `issues` more issues, written by INSERT … SELECT (a million in about a
    minute); returns nothing, the pages find what they need by name."""
    import models
    from app import create_app
    from domain import demo, search
    from models import Assignment, Comment, Issue, db

    fresh_database(url)
    phase = time.monotonic()
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context(), db.connection_context():
        if engine() == "sqlite":
            # One long build: no waiting on the disk (a crash means building again), and a cache
            # that holds the transaction, or its pages spill to the WAL again and again.
            db.execute_sql("PRAGMA synchronous = OFF")
            db.execute_sql("PRAGMA cache_size = -1048576")
            db.execute_sql("PRAGMA temp_store = MEMORY")
        demo.load_demo(reset=True)
        print(f"demo city loaded in {time.monotonic() - phase:.0f} s", flush=True)
        phase = time.monotonic()
        first = (Issue.select(models.fn.MAX(Issue.id)).scalar() or 0) + 1
        start = models.utcnow().replace(microsecond=0)
        picks = {
            "v": [v.id for v in models.Venue.select(models.Venue.id).where(models.Venue.kind.in_(("hall", "pavilion")))],
            "u": [u.id for u in models.User.select(models.User.id)],
            "c": [c.id for c in models.Category.select(models.Category.id)],
            "d": [d.id for d in models.Department.select(models.Department.id)],
        }
        db.execute_sql("CREATE TABLE bench_pick (kind VARCHAR(1), i INTEGER, id INTEGER, PRIMARY KEY (kind, i))")
        db.execute_sql("CREATE TABLE bench_text (i INTEGER PRIMARY KEY, title TEXT, body TEXT)")
        with db.atomic():
            for kind, ids in picks.items():
                for i, id_ in enumerate(ids):
                    db.execute_sql(f"INSERT INTO bench_pick VALUES ({db.param}, {db.param}, {db.param})", (kind, i, id_))
            for i, (title, body) in enumerate(TEXTS):
                db.execute_sql(f"INSERT INTO bench_text VALUES ({db.param}, {db.param}, {db.param})", (i, title, body))

        def pick(kind, of):
            return f"(SELECT id FROM bench_pick WHERE kind = '{kind}' AND i = ({of}) % {len(picks[kind])})"

        created = _days_before(db.param, "seq.n % 400", "seq.n % 86400")
        columns, expressions, params = _defaults(Issue, {
            "venue_id": pick("v", "seq.n"), "author_id": pick("u", "seq.n"), "category_id": pick("c", "seq.n"),
            "title": f"(SELECT title FROM bench_text WHERE i = seq.n % {len(TEXTS)})",
            "body": f"(SELECT body FROM bench_text WHERE i = seq.n % {len(TEXTS)})",
            "status": "CASE seq.n % 10 WHEN 0 THEN 'submitted' WHEN 1 THEN 'submitted' WHEN 2 THEN 'accepted' "
                      "WHEN 3 THEN 'accepted' WHEN 4 THEN 'assigned' WHEN 5 THEN 'assigned' "
                      "WHEN 6 THEN 'in_progress' WHEN 7 THEN 'resolved' WHEN 8 THEN 'resolved' ELSE 'closed' END",
            "support_count": "seq.n % 50", "comment_count": "0",
            "tracked": "(seq.n % 10 >= 4)",  # the routed ones, which get a lead assignment below
            "created_at": (created, [start]), "updated_at": (created, [start]),
        })
        # Issue ids follow seq.n in order: issue first + n holds text n % len(TEXTS).
        with db.atomic(), _triggers_later(db, "issue"), _indexes_later(db, "issue"):
            db.execute_sql(
                _q(f"INSERT INTO issue ({columns}) SELECT {expressions} FROM ({_numbers(issues)}) AS seq ORDER BY seq.n"),
                params,
            )
        routed = "('assigned', 'in_progress', 'resolved', 'closed')"
        assigned_at = "issue.created_at"
        columns, expressions, params = _defaults(Assignment, {
            "issue_id": "issue.id", "department_id": pick("d", "issue.id"), "role": "'lead'",
            "state": "CASE issue.status WHEN 'assigned' THEN 'assigned' WHEN 'in_progress' THEN 'signed' ELSE 'answered' END",
            "created_at": assigned_at, "due_on": _date_after(assigned_at, "20 + issue.id % 10"),
            "sign_due_on": _date_after(assigned_at, "1"),
            "closed_at": f"CASE WHEN issue.status IN ('resolved', 'closed') THEN {assigned_at} END",
        })
        with db.atomic():
            with _triggers_later(db, "assignment"), _indexes_later(db, "assignment"):
                db.execute_sql(
                    _q(f"INSERT INTO assignment ({columns}) SELECT {expressions} FROM issue "
                       f"WHERE issue.id >= {first} AND issue.status IN {routed} ORDER BY issue.id"),
                    params,
                )
            db.execute_sql(
                "UPDATE venue SET issue_count = (SELECT COUNT(*) FROM issue WHERE issue.venue_id = venue.id)"
            )
            hot = Issue.select().where(Issue.id >= first).order_by(Issue.id.desc()).first()
            users = picks["u"]
            Comment.insert_many(
                [{"issue": hot.id, "author": users[i % len(users)], "body": f"评论 {i}：同意，路灯确实该修了。"}
                 for i in range(300)]
            ).execute()
            Issue.update(comment_count=300).where(Issue.id == hot.id).execute()
            # The writers of the 附议 benchmark: plain residents who support the hot issue.
            password = models.User.get(models.User.username == "resident").password_hash
            models.User.insert_many(
                [{"username": f"bench{i}", "display_name": f"压测居民{i}", "password_hash": password}
                 for i in range(WRITERS)]
            ).execute()
            db.execute_sql("DROP TABLE bench_pick")
        print(f"issues and assignments inserted in {time.monotonic() - phase:.0f} s", flush=True)
        began = time.monotonic()
        _index(db, first, search, picks["c"])
        db.execute_sql("DROP TABLE bench_text")
        print(f"search index built in {time.monotonic() - began:.0f} s", flush=True)
        began = time.monotonic()
        print(f"statistics counted for {_statistics(db, first):,} issues in {time.monotonic() - began:.0f} s",
              flush=True)
        if engine() == "postgresql":
            db.execute_sql("ANALYZE")
        else:
            db.execute_sql("PRAGMA optimize")


def _index(db, first, search, categories):
    """The search index of the new issues: the tokens of each text (and category) worked out once,
    stored for every issue that holds them. Issue first + n holds text n % len(TEXTS) and category
    n % len(categories)."""
    from models import Category

    names = {c.id: search.category_text(c) for c in Category.select()}
    docs = {
        (t, c): search.document(title, names[categories[c]], body)
        for t, (title, body) in enumerate(TEXTS) for c in range(len(categories))
    }
    sql = search.index_sql(db.obj)
    ids = [row[0] for row in db.execute_sql(f"SELECT id FROM issue WHERE id >= {first} ORDER BY id")]
    with db.atomic():
        cursor = db.cursor()
        for block in range(0, len(ids), 5000):
            chunk = ids[block:block + 5000]
            _many(cursor, sql, [
                (id_, *docs[(id_ - first) % len(TEXTS), (id_ - first) % len(categories)]) for id_ in chunk
            ])


def _local_date(column):
    """SQL for the date on the site's calendar of a stored UTC time (the site's zone keeps one
    offset all year: Asia/Shanghai has no summer time)."""
    import datetime

    from domain import timefmt

    noon = datetime.datetime(2026, 1, 15, 12)
    seconds = int((timefmt.utc_to_local(noon) - noon).total_seconds())
    if engine() == "postgresql":
        return f"CAST({column} + ({seconds}) * INTERVAL '1 second' AS date)"
    return f"date({column}, '{seconds:+d} seconds')"


def _statistics(db, first):
    """The statistics of the new issues, exactly as `stats.recount` would count them, but in SQL:
    each issue's snapshot (the JSON `stats.snapshot_of` makes) written by one INSERT … SELECT, and
    the facts summed by GROUP BY, then spread over the summary rows by the domain's own
    `stats._add_fact`. The bench's issues have no events, ratings, returns or urges, and one lead
    assignment at most, so their facts are: raised; accepted; and for the routed, assigned,
    answered or open (due on its day) for their department. Returns the number of issues."""
    import json
    from collections import Counter

    from domain import hot_topics, stats
    from models import ACTIVE_ASSIGNMENT_STATES, StatIssue

    postgresql = engine() == "postgresql"
    db.execute_sql("CREATE TABLE bench_town (venue_id INTEGER PRIMARY KEY, town INTEGER)")
    db.execute_sql("CREATE TABLE bench_words (i INTEGER PRIMARY KEY, words TEXT)")
    with db.atomic():
        for (venue_id,) in db.execute_sql("SELECT id FROM venue"):
            db.execute_sql(f"INSERT INTO bench_town VALUES ({db.param}, {db.param})",
                           (venue_id, stats.town_of(venue_id)))
        for i, (title, body) in enumerate(TEXTS):
            db.execute_sql(f"INSERT INTO bench_words VALUES ({db.param}, {db.param})",
                           (i, json.dumps(hot_topics.keywords(title, body), ensure_ascii=False)))
    raised = _local_date("issue.created_at")
    if postgresql:
        month = f"CAST(to_char({raised}, 'YYYYMM') AS INTEGER)"
        due = "((assignment.due_on - DATE '0001-01-01') + 1)"  # date.toordinal()
    else:
        month = f"CAST(strftime('%Y%m', {raised}) AS INTEGER)"
        due = "CAST(julianday(assignment.due_on) - 1721424.5 AS INTEGER)"
    accepted = ", ".join(f"'{s}'" for s in sorted(stats.ACCEPTED))
    active = ", ".join(f"'{s}'" for s in ACTIVE_ASSIGNMENT_STATES)
    rows = (
        f"SELECT issue.id AS id, {month} AS month, bench_town.town AS town, issue.venue_id AS venue, "
        f"COALESCE(issue.category_id, {stats.NO_CATEGORY}) AS category, issue.level AS level, "
        f"issue.channel AS channel, issue.hidden AS hidden, issue.status AS status, "
        f"assignment.department_id AS department, assignment.role AS role, assignment.state AS state, "
        f"{due} AS due FROM issue JOIN bench_town ON bench_town.venue_id = issue.venue_id "
        f"LEFT JOIN assignment ON assignment.issue_id = issue.id WHERE issue.id >= {first}"
    )
    # The facts of one issue, sorted as snapshot_of sorts them (by metric: each occurs once).
    snapshot = (
        "'[[' || month || ',' || town || ',' || venue || ',' || category || ',\"' || level || '\",\"' "
        "|| channel || '\"],[' "
        f"|| CASE WHEN status IN ({accepted}) THEN '[\"accepted\",0,null,1],' ELSE '' END "
        "|| CASE WHEN role = 'lead' AND state = 'answered' THEN '[\"answered\",0,' || department || ',1],' ELSE '' END "
        "|| CASE WHEN role = 'lead' THEN '[\"assigned\",0,' || department || ',1],' ELSE '' END "
        f"|| CASE WHEN role = 'lead' AND state IN ({active}) "
        "THEN '[\"open_due\",' || due || ',' || department || ',1],' ELSE '' END "
        "|| '[\"raised\",0,null,1]],' || CASE WHEN hidden THEN 'false' ELSE 'true' END || ']'"
    )
    table = StatIssue._meta.table_name
    with db.atomic():
        db.execute_sql(_q(
            f'INSERT INTO "{table}" ("issue_id", "snapshot", "words") SELECT facts.id, {snapshot}, '
            f"bench_words.words FROM ({rows}) AS facts "
            f"JOIN bench_words ON bench_words.i = (facts.id - {first}) % {len(TEXTS)}"
        ))
        dims = "month, town, venue, category, level, channel"
        lead = "role = 'lead'"
        sums = " UNION ALL ".join(
            f"SELECT {dims}, '{metric}' AS metric, {bucket} AS bucket, {department} AS department, COUNT(*) AS n "
            f"FROM ({rows}) AS facts WHERE {where} GROUP BY {dims}{', ' + group if group else ''}"
            for metric, bucket, department, where, group in (
                ("raised", "0", "CAST(NULL AS INTEGER)", "1 = 1", ""),
                ("accepted", "0", "CAST(NULL AS INTEGER)", f"status IN ({accepted})", ""),
                ("assigned", "0", "department", lead, "department"),
                ("answered", "0", "department", f"{lead} AND state = 'answered'", "department"),
                ("open_due", "due", "department", f"{lead} AND state IN ({active})", "department, due"),
            )
        )
        counts, keywords, issues = Counter(), Counter(), 0
        for *dims_, metric, bucket, department, n in db.execute_sql(_q(sums)):
            stats._add_fact(counts, tuple(dims_), metric, bucket, department, n)
            issues += n if metric == "raised" else 0
        words = f"SELECT month, town, venue, category, bench_words.words, COUNT(*) FROM ({rows}) AS facts " \
                f"JOIN bench_words ON bench_words.i = (facts.id - {first}) % {len(TEXTS)} " \
                "WHERE NOT hidden GROUP BY month, town, venue, category, bench_words.words"
        for month_, town, venue, category, listed, n in db.execute_sql(_q(words)):
            for word in json.loads(listed):
                stats._add_word(keywords, (month_, town, venue, category), word, n)
        stats._apply(counts, keywords)
    db.execute_sql("DROP TABLE bench_town")
    db.execute_sql("DROP TABLE bench_words")
    return issues


def _many(cursor, sql, rows):
    if engine() == "postgresql":
        from psycopg2.extras import execute_batch

        execute_batch(cursor, sql, rows, page_size=500)
    else:
        cursor.executemany(sql, rows)


# The pages --------------------------------------------------------------------------------------

def bench_app(url):
    from app import create_app

    return create_app({"DATABASE_URL": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
                       "RATELIMIT_ENABLED": False})


def logged_in(app, username):
    from domain import demo

    client = app.test_client()
    # The browser that signed in, as wrk names it (Flask-Login's session protection compares them).
    client.environ_base["HTTP_USER_AGENT"] = USER_AGENT
    response = client.post("/login", data={"username": username, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 303, (username, response.status_code)
    client.get("/privacy")  # the welcome message shown: the session cookie is the one a reader then has
    return client


def find_targets(app):
    from domain import demo
    from models import Issue, Venue, db

    with app.app_context(), db.connection_context():
        venue = Venue.get(Venue.slug == demo.DEMO_PAVILION_SLUG)
        hot = Issue.select().where(Issue.comment_count == 300).order_by(Issue.id.desc()).first()
        return venue.slug, hot.id


class Counter(logging.Handler):
    """Counts the statements peewee logs (as (sql, params)), not its pool's messages."""
    n = 0

    def emit(self, record):
        Counter.n += isinstance(record.msg, tuple)


def statements(client, url, headers=None):
    """(status, SQL statements) of a GET, the second time (the pool warm, the caches as in use)."""
    logger = logging.getLogger("peewee")
    handler = Counter()
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    try:
        client.get(url, headers=headers)
        client.get(url, headers=headers)  # a signed-in reader's first plain GET keeps the page
        Counter.n = 0
        status = client.get(url, headers=headers).status_code
        return status, Counter.n
    finally:
        logger.removeHandler(handler)
        logger.setLevel(logging.WARNING)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(app_spec, env):
    port = free_port()
    process = subprocess.Popen(
        [os.path.join(BIN, "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", app_spec],
        cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    for _ in range(150):
        try:  # the port opens before the workers have booted: wait for an answer
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/")
            conn.getresponse().read()
            idle(port)
            return process, port
        except OSError:
            time.sleep(0.2)
    process.terminate()
    raise RuntimeError(f"gunicorn did not start: {app_spec}")


def idle(port, workers=2):
    """Wait until every worker is free: each answers one of `workers` requests sent at once. After
    start (a worker loads the word lists first), and after wrk, whose last requests a slow page
    may still be working through long after it stopped counting."""
    def ask():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1800)
        conn.request("GET", "/")
        conn.getresponse().read()

    pool = [threading.Thread(target=ask) for _ in range(workers)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()


def wrk(port, url, seconds, headers, connections=16, script=None):
    """(requests per second, p99 milliseconds) from wrk -t2 -c16 (or `connections`), running the
    Lua `script` when given."""
    args = ["wrk", "-t2", f"-c{connections}", f"-d{max(1, round(seconds))}s", "--timeout", "30s", "--latency"]
    if script:
        args += ["-s", script]
    for name, value in headers.items():
        args += ["-H", f"{name}: {value}"]
    out = subprocess.run(args + [f"http://127.0.0.1:{port}{quote(url, safe='/?=&%')}"],
                         capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{url}: {non2xx.group(1)} failed responses")
    return rate, float(p99.group(1)) * scale


def python_load(port, url, seconds, headers, threads=16):
    """The same as wrk, from Python threads (slower: the ratios then flatter the pages)."""
    latencies = [[] for _ in range(threads)]
    stop = time.monotonic() + seconds

    def worker(i):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while time.monotonic() < stop:
            began = time.monotonic()
            conn.request("GET", quote(url, safe="/?=&%"), headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status >= 400:
                raise RuntimeError(f"{url}: {response.status}")
            latencies[i].append(time.monotonic() - began)

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    every = sorted(x for per in latencies for x in per)
    return len(every) / seconds, every[int(len(every) * 0.99) - 1] * 1000 if every else 0.0


def load(port, url, seconds, headers=None):
    headers = headers or {}
    if shutil.which("wrk"):
        return wrk(port, url, seconds, headers)
    return python_load(port, url, seconds, headers)


# wrk's script for the 附议 storm: each of its two threads presses for every other writer in turn,
# each writer's presses alternating between giving and withdrawing.
STORM_LUA = """
local writers = {%s}
local started = 0
function setup(thread)
  started = started + 1
  thread:set("first", started)
end
local at, want = nil, {}
function request()
  at = at or first
  local i = (at - 1) %% #writers + 1
  at = at + 2
  want[i] = 1 - (want[i] or 0)
  return wrk.format("POST", "%s", {["Cookie"] = writers[i][1], ["X-CSRFToken"] = writers[i][2],
    ["HX-Request"] = "true", ["Content-Type"] = "application/x-www-form-urlencoded",
    ["User-Agent"] = "%s"}, "want=" .. want[i])
end
"""


def support_storm(port, issue_id, cookies, seconds):
    """附议 toggled from WRITERS connections at once, each its own resident, as htmx sends it.
    Returns (writes per second, p99 ms, the wants each writer sent last, or None when wrk sent
    them: its connections take turns among the writers, so which press came last is not known)."""
    if shutil.which("wrk"):
        import tempfile

        writers = ", ".join(f"{{{json.dumps(cookie)}, {json.dumps(token)}}}" for cookie, token in cookies)
        with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
            script.write(STORM_LUA % (writers, f"/issues/{issue_id}/support", USER_AGENT))
            script.flush()
            rate, p99 = wrk(port, "/", seconds, {}, connections=len(cookies), script=script.name)
        return rate, p99, None
    last = [None] * len(cookies)
    latencies = [[] for _ in cookies]
    failures = []
    stop = time.monotonic() + seconds

    def writer(i):
        cookie, token = cookies[i]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        want = 1
        while time.monotonic() < stop:
            began = time.monotonic()
            conn.request("POST", f"/issues/{issue_id}/support", body=urlencode({"want": want}), headers={
                "Cookie": cookie, "X-CSRFToken": token, "HX-Request": "true",
                "Content-Type": "application/x-www-form-urlencoded", "User-Agent": USER_AGENT,
            })
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(response.status)
                return
            latencies[i].append(time.monotonic() - began)
            last[i] = want
            want = 1 - want

    pool = [threading.Thread(target=writer, args=(i,)) for i in range(len(cookies))]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    if failures:
        raise RuntimeError(f"附议 failed: {failures[:5]}")
    every = sorted(x for per in latencies for x in per)
    return len(every) / seconds, every[int(len(every) * 0.99) - 1] * 1000, last


def writer_sessions(app, issue_id):
    """(cookie header, CSRF token) of each bench writer, signed in through the login form."""
    from app import create_app

    secure = create_app({**{k: app.config[k] for k in ("DATABASE_URL", "SECRET_KEY")}, "RATELIMIT_ENABLED": False})
    out = []
    for i in range(WRITERS):
        client = secure.test_client()
        client.environ_base["HTTP_USER_AGENT"] = USER_AGENT  # the browser wrk names
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf-token" content="([^"]+)"', page)
        token = token.group(1) or token.group(2)
        response = client.post("/login", data={"username": f"bench{i}", "password": "yishi-demo", "csrf_token": token})
        assert response.status_code == 303, response.status_code
        page = client.get(f"/issues/{issue_id}").get_data(as_text=True)
        token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
        out.append((f"session={client.get_cookie('session').value}", token))
    return out


def export(client, url):
    """(rows or None, MiB sent, seconds, peak MiB of Python memory) of one streamed export."""
    import tracemalloc

    tracemalloc.start()
    began = time.monotonic()
    response = client.get(url, buffered=False)
    size = newlines = 0
    for block in response.response:
        size += len(block)
        newlines += block.count(b"\n") if isinstance(block, bytes) else block.count("\n")
    response.close()
    seconds = time.monotonic() - began
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return (newlines - 1 if url.endswith(".csv") else None), size / 2**20, seconds, peak / 2**20


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--issues", type=int, default=int(os.environ.get("ISSUES") or 1_000_000))
    parser.add_argument("--seconds", type=float, default=float(os.environ.get("SECONDS_PER_PAGE") or 5))
    parser.add_argument("--rebuild", action="store_true", help="build the database even if one is kept")
    parser.add_argument("--no-exports", action="store_true", help="skip the ledger exports")
    args = parser.parse_args()
    os.makedirs(CACHE, exist_ok=True)

    url = database_url(args.issues)
    if args.rebuild or not kept(args.issues):
        print(f"building {url} with {args.issues:,} issues …", flush=True)
        began = time.monotonic()
        build_database(url, args.issues)
        with open(marker(args.issues), "w") as fh:
            fh.write(fingerprint(args.issues))
        print(f"built in {time.monotonic() - began:.0f} s", flush=True)
    else:
        print(f"reusing {url} ({args.issues:,} issues)", flush=True)

    from peewee import fn

    from models import Issue, Support, User, db

    app = bench_app(url)
    slug, hot = find_targets(app)
    visitor = app.test_client()
    resident = logged_in(app, "resident")
    admin = logged_in(app, "admin")
    etag = visitor.get(f"/issues/{hot}/status", headers={"HX-Request": "true"}).headers["ETag"]
    poll_headers = {"HX-Request": "true", "If-None-Match": etag}
    cookie = {"resident": f"session={resident.get_cookie('session').value}",
              "admin": f"session={admin.get_cookie('session').value}"}
    pages = [
        # (name, url, who, extra headers)
        ("venue page, visitor", f"/v/{slug}", None, {}),
        ("venue page, signed-in resident", f"/v/{slug}", "resident", {}),
        ("issue page, 300 comments, visitor", f"/issues/{hot}", None, {}),
        ("home page", "/", None, {}),
        ("outcomes", "/outcomes", None, {}),
        ("statistics", "/stats", None, {}),
        ("statistics, all time, one category", "/stats?period=all&category=roads", None, {}),
        ("status poll answering 304", f"/issues/{hot}/status", None, poll_headers),
        ("ledger, admin", "/ledger", "admin", {}),
        ("ledger overdue, admin", "/ledger?overdue=1", "admin", {}),
    ]
    clients = {None: visitor, "resident": resident, "admin": admin}
    counted = {name: statements(clients[who], page_url, headers) for name, page_url, who, headers in pages}

    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench", YISHI_RATE_LIMITS="0")
    yishi, yishi_port = serve("app:create_app()", env)
    hello, hello_port = serve("bench.hello:app", env)
    tool = "wrk -t2 -c16" if shutil.which("wrk") else "a Python client, 16 threads (install wrk for true figures)"
    print(f"\n{args.issues:,} issues on {engine()}; {args.seconds:g} s a page with {tool}, "
          f"alternating with hello world on the same gunicorn (2 sync workers)\n")
    print(f"{'page':<36} {'status':>6} {'SQL':>4} {'req/s':>7} {'p99 ms':>7} {'hello':>7} {'ratio':>6}")
    try:
        for name, page_url, who, headers in pages:
            floor, _p99 = load(hello_port, "/", args.seconds)
            headers = {**headers, **({"Cookie": cookie[who], "User-Agent": USER_AGENT} if who else {})}
            rate, p99 = load(yishi_port, page_url, args.seconds, headers)
            idle(yishi_port)
            status, n = counted[name]
            slow = ""
            if not rate:  # no request finished within the run: time one alone
                began = time.monotonic()
                conn = http.client.HTTPConnection("127.0.0.1", yishi_port, timeout=1800)
                conn.request("GET", quote(page_url, safe="/?=&%"), headers=headers)
                conn.getresponse().read()
                slow = f"  one request alone: {time.monotonic() - began:.1f} s"
            print(f"{name:<36} {status:>6} {n:>4} {rate:>7.0f} {p99:>7.1f} {floor:>7.0f} {rate / floor:>6.3f}{slow}",
                  flush=True)

        times = []
        search_url = "/search?q=" + quote("路灯")
        conn = http.client.HTTPConnection("127.0.0.1", yishi_port, timeout=600)
        for _ in range(11):
            began = time.monotonic()
            conn.request("GET", search_url)
            conn.getresponse().read()
            times.append((time.monotonic() - began) * 1000)
        times.sort()
        status, n = statements(visitor, "/search?q=路灯")
        print(f"{'/search?q=路灯 (every issue matches)':<36} {status:>6} {n:>4} {'':>7} "
              f"{'':>7} {'':>7}  median {times[5]:.0f} ms, slowest {times[-1]:.0f} ms", flush=True)

        def supports():
            """(the counter on the row, the rows it counts, the bench writers' rows), read in one
            statement: one snapshot, whatever else commits meanwhile."""
            with app.app_context(), db.connection_context():
                rows = Support.select(fn.COUNT(Support.id)).where(Support.issue == hot)
                writers = rows.join(User).where(User.username.startswith("bench"))
                return Issue.select(Issue.support_count, rows, writers).where(Issue.id == hot).tuples().get()

        counter_before, rows_before, _writers = supports()
        sessions = writer_sessions(app, hot)
        floor, _p99 = load(hello_port, "/", args.seconds)
        rate, p99, last = support_storm(yishi_port, hot, sessions, args.seconds)
        idle(yishi_port)  # wrk leaves presses the workers are still answering: let them commit
        counter, rows, writers = supports()
        # The counter moved exactly as the rows did, and the rows are what the last presses say.
        exact = counter - counter_before == rows - rows_before and (
            last is None or writers == sum(1 for want in last if want))
        print(f"{'附议 toggled by htmx, 8 connections':<36} {200:>6} {'':>4} {rate:>7.0f} {p99:>7.1f} "
              f"{floor:>7.0f} {rate / floor:>6.3f}  counter +{counter - counter_before}, rows "
              f"+{rows - rows_before}: {'exact' if exact else 'WRONG'}", flush=True)
    finally:
        for process in (yishi, hello):
            process.terminate()
            process.wait()

    if not args.no_exports:
        print(f"\n{'export of every ledger row':<36} {'rows':>8} {'MiB':>7} {'seconds':>8} {'peak MiB':>8}")
        for export_url in ("/ledger.csv", "/ledger.xlsx"):
            rows, size, seconds, peak = export(admin, export_url)
            shown = f"{rows:,}" if rows is not None else "—"
            print(f"{export_url:<36} {shown:>8} {size:>7.1f} {seconds:>8.1f} {peak:>8.1f}", flush=True)
    if not exact:
        sys.exit(1)


if __name__ == "__main__":
    main()
