import pytest

import models
from domain.demo import DEMO_PAVILION_SLUG

TOWNS = ["马家店街道", "安福寺镇", "白洋镇", "顾家店镇", "董市镇", "仙女镇", "问安镇", "七星台镇", "百里洲镇"]


def test_home_shows_the_city_its_towns_and_venues(client, demo):
    page = client.get("/").get_data(as_text=True)
    assert "<h1>枝江市" in page
    for town in TOWNS:
        assert town in page
    assert "团结路社区阳光小区议事亭" in page
    assert "湾落议事厅" in page and "代表联络站" in page and "人大代表之家" in page
    assert f'href="/v/{DEMO_PAVILION_SLUG}"' in page


def test_home_in_english(client, demo):
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Find a venue" in page
    assert "residential pavilion" in page and "subdistrict" in page


def test_home_on_an_empty_site(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert "还没有议事场所。" in response.get_data(as_text=True)


def test_search_as_a_full_page(client, demo):
    response = client.get("/?q=阳光")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" in page
    assert "团结路社区阳光小区议事亭" in page
    assert "关庙山村湾落议事厅" not in page
    assert 'value="阳光"' in page


def test_search_as_an_htmx_fragment(client, demo):
    response = client.get("/?q=阳光", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "<html" not in page
    assert "团结路社区阳光小区议事亭" in page
    assert "关庙山村湾落议事厅" not in page
    assert "HX-Request" in response.headers["Vary"]


def test_boosted_and_history_restore_requests_get_the_whole_page(client, demo):
    boosted = client.get("/?q=阳光", headers={"HX-Request": "true", "HX-Boosted": "true"})
    restore = client.get("/?q=阳光", headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in boosted.get_data(as_text=True)
    assert "<html" in restore.get_data(as_text=True)


def test_search_by_region_name_finds_its_venues(client, demo):
    page = client.get("/?q=团结路社区").get_data(as_text=True)
    assert "团结路社区阳光小区议事亭" in page


def test_search_without_matches_says_so(client, demo):
    page = client.get("/?q=火星", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "没有找到相符的议事场所" in page


@pytest.mark.parametrize("q", ["%", "_", "<script>alert(1)</script>", "'; drop table venue; --", "x" * 500])
def test_odd_search_text_is_harmless(client, demo, q):
    response = client.get("/", query_string={"q": q})
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_archived_venues_are_not_listed(client, demo):
    models.Venue.update(archived=True).where(models.Venue.slug == DEMO_PAVILION_SLUG).execute()
    assert "团结路社区阳光小区议事亭" not in client.get("/").get_data(as_text=True)


def test_venue_page_shows_what_and_who(client, demo):
    response = client.get(f"/v/{DEMO_PAVILION_SLUG}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<h1>团结路社区阳光小区议事亭</h1>" in page
    assert "小区议事亭" in page
    assert "团结路社区" in page and "马家店街道" in page
    venue = models.Venue.get(models.Venue.slug == DEMO_PAVILION_SLUG)
    assert venue.address in page
    assert "王议政" in page  # the councillor
    assert "张大姐" not in page  # residents are not listed publicly


def test_venue_page_in_english(client, demo):
    page = client.get(f"/v/{DEMO_PAVILION_SLUG}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Councillors" in page and "residential pavilion" in page


def test_deputies_show_on_their_home(client, demo):
    page = client.get("/v/home-majiadian").get_data(as_text=True)
    assert "李代表" in page


def test_unknown_venue_is_404_in_the_users_language(client, db):
    zh = client.get("/v/no-such-place")
    assert zh.status_code == 404
    assert "找不到这个页面" in zh.get_data(as_text=True)
    en = client.get("/v/no-such-place", headers={"Accept-Language": "en"})
    assert "Page not found" in en.get_data(as_text=True)
