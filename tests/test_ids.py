"""No id in a URL or a query string can make a page fail: too big or odd, it names nothing (404)."""
import pytest

from models import MAX_ID


def int_rules(app):
    for rule in app.url_map.iter_rules():
        ints = [name for name, conv in rule._converters.items() if type(conv).__name__ == "IntegerConverter"]
        if ints:
            yield rule, ints


@pytest.mark.parametrize("value", [MAX_ID, MAX_ID + 1, 2**63, 10**30])
def test_every_id_route_answers_404_for_ids_that_name_nothing(app, client, make, auth, value):
    make.user("boss", is_admin=True)
    auth.login("boss")
    checked = 0
    for rule, names in int_rules(app):
        path = rule.rule
        for name in names:
            path = path.replace(f"<int:{name}>", str(value))
        method = "GET" if "GET" in rule.methods else "POST"
        response = client.open(path, method=method)
        # Not found, or sent on to a page that will say so.
        assert response.status_code in (302, 303, 404), (path, method, response.status_code)
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("query", ["parent=99999999999999", "region=-1", "region=abc", "object_id=1e99",
                                   "page=99999999999999999999", "page=-3"])
def test_admin_query_ids_are_harmless(client, make, auth, query):
    make.user("boss", is_admin=True)
    auth.login("boss")
    for path in ("/admin/regions/new", "/admin/venues", "/admin/venues/new", "/admin/audit", "/admin/users"):
        assert client.get(f"{path}?{query}").status_code < 500, (path, query)
