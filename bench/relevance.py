"""Measure the issue search's relevance on the relevance set of tests/search_relevance.py.

Builds the set's town in a fresh SQLite database (or the PostgreSQL database named by --database,
which it empties first: never point it at one that matters), answers every query, and prints for
each its precision@5 (of the first five results, the share that the set lists as relevant) and
recall@5 (of the issues the set lists, the share among the first five, out of at most five), then
the means and the time a query took; it fails when an issue a query must return is missing. Run with `make bench`.
"""
import argparse
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "tests"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a PostgreSQL URL to use instead of a temporary SQLite file")
    parser.add_argument("--quiet", action="store_true", help="print only the summary")
    args = parser.parse_args()

    import search_relevance as relevance

    import models
    from app import create_app

    with tempfile.TemporaryDirectory() as folder:
        url = args.database or f"sqlite:///{folder}/relevance.db"
        app = create_app({"DATABASE_URL": url, "SECRET_KEY": "bench"})
        if args.database:
            with models.db.connection_context():
                models.db.execute_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
        assert app.test_cli_runner().invoke(args=["db", "upgrade"]).exit_code == 0
        with app.app_context(), models.db.connection_context():
            ids = relevance.load()
            relevance.run(ids)  # warm up: jieba's dictionary loads on first use
            started = time.perf_counter()
            answers = relevance.run(ids)
            elapsed = time.perf_counter() - started
    rows, precision, recall = relevance.measure(answers)
    engine = "PostgreSQL" if args.database else "SQLite"
    if not args.quiet:
        print(f"{pad('query', 22)} P@5   recall  missing")
        for query, p, r, missing in rows:
            print(f"{pad(query, 22)} {p:4.2f}  {r:4.2f}    {' '.join(missing)}")
    print(f"search relevance on {engine}: {len(rows)} queries, precision@5 {precision:.3f}, "
          f"recall@5 {recall:.3f}, {1000 * elapsed / len(rows):.1f} ms a query")
    return 0 if not any(missing for *_r, missing in rows) else 1


def pad(text, width):
    """`text` padded to `width` columns, a CJK character taking two."""
    import unicodedata

    used = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(0, width - used)


if __name__ == "__main__":
    sys.exit(main())
