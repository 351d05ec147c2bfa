"""Printed notices with QR codes: a venue's A4 poster and the invite notice. The address in the code
is the configured public address, never the request's Host header."""
import os
import re
from pathlib import Path

import pytest
from world import EN, PASSWORD, World, browser_login, login, text

from domain import memberships, posters, site
from models import Venue

PUBLIC = "https://yishi.zhijiang.example"


@pytest.fixture
def world(make):
    return World(make)


@pytest.fixture
def public(app):
    app.config.update(PUBLIC_URL=PUBLIC, PUBLIC_URL_MISSING=False)
    return app


EVIL = {"Host": "evil.example", **EN}


def login_through(client, headers, username):
    """Log in with these headers (a Host of one's choosing keeps its own cookies)."""
    response = client.post("/login", data={"username": username, "password": PASSWORD}, headers=headers)
    assert response.status_code == 303


def qr_path(url):
    """The drawing of the QR code of `url`, as the poster must hold it: the same modules, so the
    code scans to `url` (segno draws one code the same way each time)."""
    svg = str(posters.qr_svg(url, "x"))
    return svg[svg.index(' d="'):]


def test_visitor_prints_the_poster_of_a_venue(client, world, public):
    response = client.get("/v/yangguang/poster", headers=EN)
    assert response.status_code == 200
    page = text(response)
    assert "<h1 class=\"poster-name\">阳光议事亭</h1>" in page
    assert "阳光小区1栋旁" in page and "How to take part" in page
    assert "王议政" in page  # who serves there
    assert '<svg role="img" aria-label="QR code of the page of 阳光议事亭: ' + PUBLIC + '/v/yangguang" ' in page
    assert qr_path(PUBLIC + "/v/yangguang") in page
    assert f'<span class="url">{PUBLIC}/v/yangguang</span>' in page  # the address in words too
    assert "poster-print.css" in page


def test_the_poster_carries_the_admins_site_name_in_its_language(client, world, public):
    assert '<p class="poster-foot">议事</p>' in text(client.get("/v/yangguang/poster"))
    site.save_settings(world.admin, {"name": "枝江议事", "name_en": "Zhijiang Deliberation"})
    chinese = text(client.get("/v/yangguang/poster"))
    assert '<p class="poster-foot">枝江议事</p>' in chinese and "· 枝江议事</title>" in chinese
    english = text(client.get("/v/yangguang/poster", headers=EN))
    assert '<p class="poster-foot">Zhijiang Deliberation</p>' in english
    assert "· Zhijiang Deliberation</title>" in english


def test_the_host_header_never_reaches_the_poster(client, world, public):
    """Whoever sends the request chooses its Host: a printed code must not point to them."""
    page = text(client.get("/v/yangguang/poster", headers=EVIL))
    assert "evil.example" not in page
    assert qr_path(PUBLIC + "/v/yangguang") in page
    assert qr_path("http://evil.example/v/yangguang") not in page


def test_poster_warns_those_who_run_the_venue_when_the_address_is_not_set(app, client, auth, world):
    assert app.config["PUBLIC_URL_MISSING"] and app.config["PUBLIC_URL"] == "http://127.0.0.1:5000"
    page = text(client.get("/v/yangguang/poster", headers=EN))
    assert "public address is not configured" not in page  # visitors are not bothered
    assert qr_path("http://127.0.0.1:5000/v/yangguang") in page
    login(auth, "councillor")
    page = text(client.get("/v/yangguang/poster", headers=EN))
    assert "public address is not configured" in page and "YISHI_PUBLIC_URL" in page


def test_archived_venue_has_no_poster(client, world, public):
    Venue.update(archived=True).where(Venue.id == world.venue.id).execute()
    assert client.get("/v/yangguang/poster").status_code == 404
    assert client.get("/v/nowhere/poster").status_code == 404


def test_venue_page_links_the_poster_for_its_councillors(client, auth, world):
    assert "/v/yangguang/poster" not in text(client.get("/v/yangguang"))
    login(auth, "councillor")
    assert "/v/yangguang/poster" in text(client.get("/v/yangguang"))


def test_invite_notice_has_a_qr_code_of_its_join_page(client, auth, world, public):
    memberships.rotate_code(world.venue, world.councillor)
    code = Venue.get_by_id(world.venue.id).invite_code
    login_through(client, EVIL, "councillor")
    page = text(client.get("/v/yangguang/invite", headers=EVIL))
    join_url = f"{PUBLIC}/join?code={code}"
    assert qr_path(join_url) in page
    assert f'<span class="url">{join_url}</span>' in page
    assert f"Open {PUBLIC}/ and register" in page
    assert "evil.example" not in page
    assert 'aria-label="QR code of the page to join 阳光议事亭: ' in page


def test_invite_notice_keeps_its_permission(client, auth, world):
    memberships.rotate_code(world.venue, world.councillor)
    assert client.get("/v/yangguang/invite").status_code == 302
    login(auth, "resident")
    assert client.get("/v/yangguang/invite").status_code == 403


def test_invite_notice_warns_when_the_address_is_not_set(client, auth, world):
    memberships.rotate_code(world.venue, world.councillor)
    login(auth, "councillor")
    page = text(client.get("/v/yangguang/invite", headers=EN))
    assert "public address is not configured" in page
    assert qr_path(f"http://127.0.0.1:5000/join?code={Venue.get_by_id(world.venue.id).invite_code}") in page


def test_personal_code_sheet_names_the_public_address(client, world, public):
    login_through(client, EVIL, "councillor")
    page = text(client.post("/v/yangguang/codes", data={"count": "2"}, headers=EVIL))
    assert f"{PUBLIC}/join" in page and "evil.example" not in page


# In a browser: at 360 px, and for axe-core ---------------------------------------------------

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__test__/axe.min.js"  # answered by the browser itself, so the CSP stays as visitors get it


def axe_problems(page):
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    found = [f"scrolls sideways by {overflow}px"] if overflow > 0 else []
    found += [f"{n} <h1>" for n in [page.locator("h1").count()] if n != 1]
    page.add_script_tag(url=page.url.split("/v/")[0] + AXE_PATH)
    violations = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    found += [f"{v['id']} ({v['impact']}): {v['help']}" for v in violations if v["impact"] in ("serious", "critical")]
    return found


@pytest.mark.browser
def test_poster_and_notice_pass_axe_on_a_phone(page, live_server, world, public):
    if not AXE.exists():
        if os.environ.get("CI") == "true":
            pytest.fail("axe-core is not installed: run `make axe`")
        pytest.skip("axe-core is not installed: run `make axe`")
    memberships.rotate_code(world.venue, world.councillor)
    page.route(live_server.url + AXE_PATH, lambda route: route.fulfill(path=AXE, content_type="text/javascript"))
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(live_server.url + "/v/yangguang/poster")
    qr = page.get_by_role("img", name=f"{world.venue.name}页面的二维码：{PUBLIC}/v/yangguang")
    assert qr.bounding_box()["width"] >= 200  # big enough to scan off a phone screen too
    assert axe_problems(page) == []
    browser_login(page, live_server.url, "councillor")
    page.goto(live_server.url + "/v/yangguang/invite")
    assert page.get_by_role("img", name=re.compile("加入阳光议事亭的页面的二维码")).is_visible()
    assert axe_problems(page) == []
