"""Screenshots of the main pages of the demo city, in Chinese and English, 1280 and 360 px wide.

Starts the app on a fresh temporary database (migrated, the demo loaded) on a free local port, drives
the system's Chromium with Playwright (as the browser tests do) and writes
docs/screenshots/<page>-<language>-<width>.png: what the window shows on opening the page (not the
whole length of it), at one pixel per CSS pixel, reduced to 256 colours when Pillow is installed so the
files stay small. The README shows a few of them; docs/screenshots/.gitignore lists the ones committed.

Run with `make screenshots` (or `.venv/bin/python bench/screenshots.py [--only home,issue]`).
"""
import argparse
import os
import re
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

OUT = os.path.join(ROOT, "docs", "screenshots")
CHROMIUM = "/usr/bin/chromium"
# The same flags as the browser tests (tests/conftest.py).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
WIDTHS = {1280: 800, 360: 740}
LANGUAGES = {"zh_Hans": "zh", "en": "en"}


def pages():
    """(name, who is signed in or None, path) of each page to take, read from the demo's data."""
    import models
    from domain import demo

    issue = models.Issue.select().order_by(models.Issue.comment_count.desc(), models.Issue.id).get()
    report = models.Report.published().order_by(models.Report.id).get()
    return [
        ("home", None, "/"),
        ("venue", None, f"/v/{demo.DEMO_PAVILION_SLUG}"),
        ("issue", None, f"/issues/{issue.id}"),
        ("outcomes", None, "/outcomes"),
        ("stats", None, "/stats"),
        ("report", None, f"/reports/{report.id}"),
        ("ledger", "admin", "/ledger"),
        ("handling", "staff", "/handling"),
    ]


def start_demo(folder):
    """The app on the demo city in `folder`, served in a thread; returns its address."""
    from playhouse.migrations import Runner
    from werkzeug.serving import make_server

    import models
    from app import create_app
    from domain import demo

    app = create_app({
        "DATABASE_URL": f"sqlite:///{os.path.join(folder, 'yishi.db')}",
        "SECRET_KEY": os.urandom(16).hex(),
        "RATELIMIT_ENABLED": False,
    })
    app.instance_path = folder
    with app.app_context(), models.db.connection_context():  # the demo's photos go to its instance/media
        Runner(models.db.obj, directory=os.path.join(ROOT, "migrations")).up()
        demo.load_demo()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}"


def log_in(page, site, username):
    from domain import demo

    page.goto(f"{site}/login")
    page.fill("#username", username)
    page.fill("#password", demo.DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"^(?!.*/login).*$"))


def shrink(path):
    """The PNG in 256 colours, when Pillow is at hand (a third of the size, text still sharp)."""
    try:
        from PIL import Image
    except ImportError:
        return
    with Image.open(path) as image:
        small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT)
    small.save(path, optimize=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated page names (default: all)")
    args = parser.parse_args()
    if not os.path.exists(CHROMIUM):
        sys.exit("Chromium is not installed: apt-get install -y chromium fonts-noto-cjk")
    from playwright.sync_api import sync_playwright

    import models

    os.makedirs(OUT, exist_ok=True)
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as folder:
        site = start_demo(folder)
        with models.db.connection_context():
            chosen = [p for p in pages() if not args.only or p[0] in args.only.split(",")]
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
            for lang, short in LANGUAGES.items():
                for who in dict.fromkeys(user for _name, user, _path in chosen):
                    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 800})
                    context.add_cookies([{"name": "lang", "value": lang, "url": site}])
                    page = context.new_page()
                    if who:
                        log_in(page, site, who)
                    for name, user, path in chosen:
                        if user != who:
                            continue
                        page.goto(site + path)
                        for width, height in WIDTHS.items():
                            page.set_viewport_size({"width": width, "height": height})
                            target = os.path.join(OUT, f"{name}-{short}-{width}.png")
                            page.screenshot(path=target)
                            shrink(target)
                            print(f"{os.path.relpath(target, ROOT)}  {os.path.getsize(target) // 1024} KB")
                    context.close()
            browser.close()
    print(f"done in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main()
