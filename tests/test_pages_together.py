"""The venue and issue pages bring the parts together: issues, discussion, meetings and votes."""
from domain.demo import DEMO_PAVILION_SLUG
from models import AgendaItem


def test_venue_page_shows_issues_meetings_and_votes(client, demo):
    page = client.get(f"/v/{DEMO_PAVILION_SLUG}").get_data(as_text=True)
    assert "我要反映" in page
    assert "正在议定的事" in page and "下次议事会" in page
    assert "正在表决" in page  # the demo pavilion has a vote open now


def test_issue_page_shows_its_agenda_items(client, demo):
    item = AgendaItem.select().where(AgendaItem.issue.is_null(False)).first()
    page = client.get(f"/issues/{item.issue_id}").get_data(as_text=True)
    assert "议程和表决" in page
    assert item.title in page


def test_venue_list_fragment_leaves_the_panels_out(client, demo):
    fragment = client.get(f"/v/{DEMO_PAVILION_SLUG}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in fragment and "正在议定的事" not in fragment


def test_venue_list_rows_show_the_vote_state(client, demo):
    page = client.get(f"/v/{DEMO_PAVILION_SLUG}").get_data(as_text=True)
    assert 'class="status agenda-voting_open"' in page or 'class="status agenda-passed"' in page
