"""Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) as other people's clients use it:
every endpoint in XML and JSON, every filter and error, the spec's own example payloads, the JSON
conversion rule, API keys, and a request followed from filing to closed."""
import datetime
import io
import json
import os
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest
from peewee import IntegrityError
from PIL import ExifTags, Image
from test_photos import fetch, multipart, noise, picture
from werkzeug.datastructures import FileStorage, MultiDict

import models
from domain import handling, open311, photos, workflow
from models import ApiKey, AuditLog, Issue, Open311Request, Photo

API = "/open311/v2"
NOW = datetime.datetime(2026, 12, 3, 10, 0)
W3C = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})$")
REQUEST_FIELDS = [
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime",
    "address", "address_id", "zipcode", "lat", "long", "media_url",
]
# The spec's example POST body, with our service code and venue (its own attributes are unknown
# here, so they are ignored).
SPEC_EXAMPLE = (
    "api_key={key}&jurisdiction_id={jurisdiction}&service_code=roads&lat=37.76524078&long=-122.4212043"
    "&address_string=1234+5th+street&email=smit333%40sfgov.edu&device_id=tt222111&account_id=123456"
    "&first_name=john&last_name=smith&phone=111111111&description=A+large+sinkhole+is+destroying+the+street"
    "&media_url=http%3A%2F%2Ffarm3.static.flickr.com%2F2002%2F2212426634_5ed477a060.jpg"
    "&attribute[WHISPAWN]=123456&attribute[WHISDORN]=COISL001&attribute[venue]=tuanjie"
)
FORM = "application/x-www-form-urlencoded; charset=utf-8"


class World:
    """The closed loop's small world (see test_handling.Loop), with an Open311 key."""

    def __init__(self, make, app):
        self.city = make.region("枝江市", kind="city")
        self.town = make.region("马家店街道", kind="subdistrict", parent=self.city)
        self.village = make.region("团结社区", kind="community", parent=self.town)
        self.venue = make.venue("团结路议事亭", region=self.village, slug="tuanjie", address="团结路12号",
                                latitude=30.42, longitude=111.75)
        self.other = make.venue("阳光议事亭", region=self.village, slug="yangguang")
        self.closed_venue = make.venue("旧议事亭", region=self.village, slug="old", archived=True)
        dept = models.Department.create
        self.office = dept(name="马家店街道办事处", name_en="Majiadian Subdistrict Office", level="town",
                           region=self.town)
        self.water = dept(name="市水利和湖泊局", name_en="City Water Bureau", level="city", region=self.city)
        self.category = models.Category.create(
            code="roads", name="道路", name_en="Roads", time_limit_days=10, town_department=self.office,
            city_department=self.water, position=1,
        )
        self.lights = models.Category.create(code="street.lights", name="路灯", name_en="Street lights", position=2)
        self.gone = models.Category.create(code="gone", name="旧分类", name_en="Old", archived=True)
        self.admin = make.user("admin", is_admin=True)
        self.councillor = make.user("councillor")
        self.resident = make.user("resident")
        self.office_staff = make.user("office")
        make.member(self.councillor, self.venue, role="councillor")
        make.member(self.resident, self.venue)
        models.DepartmentStaff.create(department=self.office, user=self.office_staff)
        with app.app_context():
            self.key, self.clear = open311.issue_key("City hotline", self.admin)

    def issue(self, title="路口积水", category=None, at=None, status=None, **fields):
        issue = workflow.raise_issue(self.venue, self.resident, title, "一下雨就积水。",
                                     category=category or self.category, at=at)
        if status:
            issue.status = status
        for key, value in fields.items():
            setattr(issue, key, value)
        issue.save()
        return Issue.get_by_id(issue.id)


@pytest.fixture
def world(make, app):
    return World(make, app)


def fresh(row):
    return type(row).get_by_id(row.id)


def xml_of(response):
    assert response.content_type == "text/xml; charset=utf-8"
    text = response.get_data(as_text=True)
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.data)


def json_of(response):
    assert response.content_type == "application/json; charset=utf-8"
    return json.loads(response.data)


def children(element):
    return [child.tag for child in element]


def post(client, body=None, fmt="json", query="", **fields):
    if body is None:
        return client.post(f"{API}/requests.{fmt}{query}", data=fields)
    return client.post(f"{API}/requests.{fmt}{query}", data=body, content_type=FORM)


def filing(world, **more):
    fields = {"api_key": world.clear, "service_code": "roads", "lat": "30.42", "long": "111.75",
              "attribute[venue]": "tuanjie", "description": "路口积水\n一下雨就积水。"}
    fields.update(more)
    return {k: v for k, v in fields.items() if v is not None}


# The JSON conversion rule -----------------------------------------------------------------------

# Fields that are numbers, by their parent element: JSON writes them as numbers.
NUMBERS = {("request", "lat"): float, ("request", "long"): float, ("attribute", "order"): int, ("error", "code"): int}


def spark(element):
    """The spec's XML → JSON mapping (the Spark convention), written independently of the server:
    the root dropped, a list element's children as an array, text as strings, empty as null,
    true/false as booleans, numeric fields as numbers."""
    lists = {"services", "service_requests", "errors", "attributes", "values", "endpoints", "formats"}

    def value(node, parent=None):
        if node.tag in lists:
            return [value(child, node.tag) for child in node]
        if len(node):
            return {child.tag: value(child, node.tag) for child in node}
        text = node.text
        if text is None or text == "":
            return None
        if text in ("true", "false") and node.tag in ("metadata", "variable", "required"):
            return text == "true"
        if (parent, node.tag) in NUMBERS:
            return NUMBERS[parent, node.tag](text)
        return text

    return value(element)


def both(client, path, headers=None):
    """The XML and JSON answers to `path`, checking the JSON is the XML by the conversion rule."""
    as_xml = client.get(f"{API}/{path.format(fmt='xml')}", headers=headers)
    as_json = client.get(f"{API}/{path.format(fmt='json')}", headers=headers)
    assert as_xml.status_code == as_json.status_code
    root = xml_of(as_xml)
    data = json_of(as_json)
    assert spark(root) == data
    return as_xml.status_code, root, data


# Discovery -------------------------------------------------------------------------------------------

def test_discovery_names_the_endpoint_its_specification_and_formats(client, world):
    status, root, data = both(client, "discovery.{fmt}")
    assert status == 200 and root.tag == "discovery"
    assert children(root) == ["changeset", "contact", "key_service", "endpoints"]
    assert W3C.match(root.findtext("changeset"))
    endpoint = root.find("endpoints/endpoint")
    assert children(endpoint) == ["specification", "url", "changeset", "type", "formats"]
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://localhost/open311/v2"
    assert endpoint.findtext("type") == "production"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    assert client.get(f"{API}/").data == client.get(f"{API}/discovery.xml").data


# Services ---------------------------------------------------------------------------------------------

def test_services_list_every_open_category_in_the_readers_language(client, world):
    status, root, data = both(client, "services.{fmt}", headers={"Accept-Language": "en"})
    assert status == 200 and root.tag == "services"
    services = root.findall("service")
    assert [s.findtext("service_code") for s in services] == ["roads", "street.lights"]
    roads = services[0]
    assert children(roads) == ["service_code", "service_name", "description", "metadata", "type", "keywords",
                               "group"]
    assert roads.findtext("service_name") == "Roads"
    assert roads.findtext("metadata") == "true" and roads.findtext("type") == "realtime"
    assert roads.findtext("keywords") == "道路, Roads, roads"
    assert roads.findtext("group") == "City Water Bureau"
    assert "10 working days" in roads.findtext("description")
    assert services[1].findtext("group") == ""
    assert data[1]["group"] is None and data[0]["service_code"] == "roads"
    chinese = json_of(client.get(f"{API}/services.json", headers={"Accept-Language": "zh-CN"}))
    assert [s["service_name"] for s in chinese] == ["道路", "路灯"]
    assert chinese[0]["group"] == "市水利和湖泊局"


def test_a_json_list_is_an_array_even_of_one(client, world):
    world.lights.archived = True
    world.lights.save()
    data = json_of(client.get(f"{API}/services.json"))
    assert isinstance(data, list) and len(data) == 1
    definition = json_of(client.get(f"{API}/services/roads.json"))
    assert isinstance(definition["attributes"][1].get("values", []), list)


def test_service_definition_asks_for_the_venue_as_a_list_of_venue_slugs(client, world):
    status, root, data = both(client, "services/roads.{fmt}")
    assert status == 200 and root.tag == "service_definition"
    assert children(root) == ["service_code", "attributes"]
    assert root.findtext("service_code") == "roads"
    venue, title = root.findall("attributes/attribute")
    assert children(venue) == ["variable", "code", "datatype", "required", "datatype_description", "order",
                               "description", "values"]
    assert (venue.findtext("code"), venue.findtext("datatype"), venue.findtext("required"),
            venue.findtext("variable"), venue.findtext("order")) == ("venue", "singlevaluelist", "true", "true", "1")
    values = venue.findall("values/value")
    assert [(v.findtext("key"), v.findtext("name")) for v in values] == [
        ("tuanjie", "团结路议事亭"), ("yangguang", "阳光议事亭"),
    ]
    assert (title.findtext("code"), title.findtext("datatype"), title.findtext("required"),
            title.findtext("order")) == ("title", "string", "false", "2")
    assert data["attributes"][0]["values"][0] == {"key": "tuanjie", "name": "团结路议事亭"}


def test_a_service_code_with_a_dot_is_found(client, world):
    assert json_of(client.get(f"{API}/services/street.lights.json"))["service_code"] == "street.lights"


@pytest.mark.parametrize("code", ["nope", "gone"])
def test_an_unknown_or_archived_service_is_404_in_both_formats(client, world, code):
    status, root, data = both(client, f"services/{code}.{{fmt}}")
    assert status == 404 and root.tag == "errors"
    assert children(root.find("error")) == ["code", "description"]
    assert root.findtext("error/code") == "404"
    assert data == [{"code": 404, "description": f"service_code provided was not found: {code}"}]


# Jurisdiction ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "services.{fmt}", "services/roads.{fmt}", "requests.{fmt}", "requests/1.{fmt}", "tokens/1.{fmt}",
])
def test_a_wrong_jurisdiction_is_404_and_the_right_or_none_is_accepted(client, world, path):
    issue = world.issue()
    path = path.replace("requests/1", f"requests/{issue.id}")
    status, root, data = both(client, path + "?jurisdiction_id=sfgov.org")
    assert status == 404
    assert data == [{"code": 404, "description": "jurisdiction_id provided was not found: sfgov.org"}]
    expected = 404 if path.startswith("tokens") else 200
    assert client.get(f"{API}/{path.format(fmt='json')}?jurisdiction_id=yishi.local").status_code == expected
    assert client.get(f"{API}/{path.format(fmt='json')}?jurisdiction_id=").status_code == expected
    assert client.get(f"{API}/{path.format(fmt='json')}").status_code == expected


def test_the_jurisdiction_is_the_one_the_site_is_configured_with(app, client, world):
    app.config["OPEN311_JURISDICTION"] = "zhijiang.gov.cn"
    assert client.get(f"{API}/services.json?jurisdiction_id=zhijiang.gov.cn").status_code == 200
    assert client.get(f"{API}/services.json?jurisdiction_id=yishi.local").status_code == 404
    response = post(client, jurisdiction_id="elsewhere.gov", **filing(world))
    assert response.status_code == 404 and Issue.select().count() == 0


def test_unknown_parameters_are_ignored(client, world):
    plain = client.get(f"{API}/services.json").data
    assert client.get(f"{API}/services.json?foo=bar&page=2&api_key=whatever").data == plain
    assert post(client, foo="bar", **filing(world)).status_code == 200


# Filing a request ------------------------------------------------------------------------------------------

def test_the_specs_example_request_files_a_matter_at_the_chosen_venue(client, world):
    body = SPEC_EXAMPLE.format(key=world.clear, jurisdiction="yishi.local")
    response = post(client, body, fmt="xml")
    assert response.status_code == 200
    root = xml_of(response)
    assert root.tag == "service_requests"
    request = root.find("request")
    assert children(request) == ["service_request_id", "service_notice", "account_id"]
    issue = Issue.get()
    assert request.findtext("service_request_id") == str(issue.id)
    assert request.findtext("account_id") == "123456"
    assert f"/issues/{issue.id}" in request.findtext("service_notice")
    assert (issue.venue_id, issue.category_id, issue.channel, issue.status) == (
        world.venue.id, world.category.id, "open311", "submitted")
    assert issue.author_id is None and issue.recorded_by_id == world.admin.id
    assert (issue.reporter_name, issue.reporter_contact) == ("john smith", "smit333@sfgov.edu · 111111111")
    assert issue.anonymous  # the reporter's name is for the venue's councillors, not the public
    assert (issue.title, issue.body) == ("A large sinkhole is destroying the street",
                                         "A large sinkhole is destroying the street")
    assert (issue.address, issue.latitude, issue.longitude) == ("1234 5th street", 37.76524078, -122.4212043)
    extra = Open311Request.get(Open311Request.issue == issue.id)
    assert extra.api_key_id == world.key.id
    assert extra.media_url == "http://farm3.static.flickr.com/2002/2212426634_5ed477a060.jpg"
    assert (extra.account_id, extra.device_id) == ("123456", "tt222111")
    assert models.Event.get(models.Event.issue == issue.id).kind == "created"


def test_a_filed_request_answers_in_json_as_an_array(client, world):
    response = post(client, **filing(world))
    assert response.status_code == 200
    data = json_of(response)
    issue = Issue.get()
    assert data == [{"service_request_id": str(issue.id), "service_notice": data[0]["service_notice"],
                     "account_id": None}]


def test_a_filed_request_appears_on_the_venue_page_and_shows_its_source(client, world):
    post(client, **filing(world, **{"attribute[title]": "团结路口积水"}))
    issue = Issue.get()
    assert issue.title == "团结路口积水"
    venue_page = client.get("/v/tuanjie").get_data(as_text=True)
    assert "团结路口积水" in venue_page and f"/issues/{issue.id}" in venue_page
    issue_page = client.get(f"/issues/{issue.id}").get_data(as_text=True)
    assert "Open311" in issue_page and "City hotline" in issue_page


@pytest.mark.parametrize("where", ["body", "query"])
def test_the_api_key_and_jurisdiction_may_come_in_the_body_or_the_query_string(client, world, where):
    fields = filing(world, jurisdiction_id="yishi.local")
    if where == "query":
        key = fields.pop("api_key")
        fields.pop("jurisdiction_id")
        response = post(client, query=f"?api_key={key}&jurisdiction_id=yishi.local", **fields)
    else:
        response = post(client, **fields)
    assert response.status_code == 200


def test_the_post_needs_no_csrf_token_but_a_key(csrf_app, world):
    client = csrf_app.test_client()
    assert post(client, **filing(world)).status_code == 200
    assert post(client, **filing(world, api_key=None)).status_code == 403


@pytest.mark.parametrize("fields, status, description", [
    ({"api_key": None}, 403, "api_key was not provided"),
    ({"api_key": "ys311_wrong"}, 403, "Invalid api_key received -- can't proceed with create_request."),
    ({"service_code": None}, 400, "service_code was not provided"),
    ({"service_code": "nope"}, 404, "service_code provided was not found: nope"),
    ({"service_code": "gone"}, 404, "service_code provided was not found: gone"),
    ({"lat": None, "long": None}, 400,
     "A full location parameter must be submitted: lat and long, address_string or address_id"),
    ({"long": None}, 400, "lat and long must both be sent"),
    ({"lat": "north"}, 400, "lat must be a number"),
    ({"lat": "91"}, 400, "lat must be between -90 and 90"),
    ({"long": "nan"}, 400, "long must be between -180 and 180"),
    ({"attribute[venue]": None}, 400, "attribute[venue] was not provided: the venue to raise the matter at"),
    ({"attribute[venue]": "nowhere"}, 400, "attribute[venue] is not a key of the service definition: nowhere"),
    ({"attribute[venue]": "old"}, 400, "attribute[venue] is not a key of the service definition: old"),
    ({"description": "长" * 4001}, 400, "description is limited to 4000 characters"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url must be an http or https URL of at most 500 characters"),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_a_bad_request_gets_the_specs_error_and_files_nothing(client, world, fields, status, description, fmt):
    response = post(client, fmt=fmt, **filing(world, **fields))
    assert response.status_code == status
    if fmt == "xml":
        root = xml_of(response)
        assert root.tag == "errors" and children(root) == ["error"]
        assert (root.findtext("error/code"), root.findtext("error/description")) == (str(status), description)
    else:
        assert json_of(response) == [{"code": status, "description": description}]
    assert Issue.select().count() == 0


@pytest.mark.parametrize("location", [{"address_string": "团结路与建设路交叉口"}, {"address_id": "ZJ-000123"}])
def test_an_address_or_an_address_id_is_location_enough(client, world, location):
    response = post(client, **filing(world, lat=None, long=None, **location))
    assert response.status_code == 200
    document = json_of(client.get(f"{API}/requests/{Issue.get().id}.json"))[0]
    if "address_id" in location:
        assert document["address_id"] == "ZJ-000123"
        assert document["lat"] == 30.42  # the venue's place, where nothing more precise was given
    else:
        assert document["address"] == "团结路与建设路交叉口"


def test_a_request_without_a_description_is_titled_by_its_service(client, world):
    assert post(client, **filing(world, description=None)).status_code == 200
    assert (Issue.get().title, Issue.get().body) == ("道路", "道路")


# A picture sent with the request (multipart/form-data, as FixMyStreet sends it) ------------------------

def media_files(app):
    with app.app_context():
        media = photos.media_dir()
    return sorted(name for _d, _s, names in os.walk(media) for name in names)


def test_a_picture_sent_as_media_becomes_the_issues_photo_and_its_media_url(app, client, world):
    app.config["PUBLIC_URL"] = "https://yishi.zhijiang.example"
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    sent = picture((2400, 1800), exif=exif)
    response = post(client, **filing(world, media=(io.BytesIO(sent), "hole.jpg")))
    assert response.status_code == 200, response.data
    issue = Issue.get()
    photo = Photo.own(issue.id).get()
    # Kept as the issue form keeps one: re-encoded, resized, without its EXIF, with a thumbnail;
    # described by the request's description, as no media_alt came.
    assert (photo.format, photo.width, photo.height, photo.thumb_width) == ("jpeg", 1600, 1200, 320)
    assert photo.alt == "路口积水 一下雨就积水。" and photo.created_by_id == world.admin.id
    with app.app_context(), Image.open(photos.path_of(photo.key, photo.format)) as kept:
        assert not kept.getexif() and os.path.exists(photos.path_of(photo.key, photo.format, thumb=True))

    url = f"https://yishi.zhijiang.example/photos/{photo.key}"
    assert json_of(client.get(f"{API}/requests/{issue.id}.json"))[0]["media_url"] == url
    assert xml_of(client.get(f"{API}/requests/{issue.id}.xml")).findtext("request/media_url") == url
    assert fetch(client, f"/photos/{photo.key}")[:2] == (200, "image/jpeg")
    assert f'alt="{photo.alt}"' in client.get(f"/issues/{issue.id}").get_data(as_text=True)


@pytest.mark.parametrize("more, alt", [
    ({"media_alt": "  团结路口的  积水  "}, "团结路口的 积水"),
    ({"description": "水" * 300}, "水" * 199 + "…"),
    ({"description": None}, "道路"),
])
def test_what_the_picture_shows_is_media_alt_else_the_start_of_the_description(client, world, more, alt):
    assert post(client, **filing(world, media=(io.BytesIO(picture()), "a.png"), **more)).status_code == 200
    assert Photo.get().alt == alt


@pytest.mark.parametrize("content, name, description", [
    (b"<html><script>alert(1)</script></html>", "hole.jpg", "media must be a JPEG, PNG or WebP picture"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "hole.svg", "media must be a JPEG, PNG or WebP picture"),
    (b"", "empty.jpg", "media must be a JPEG, PNG or WebP picture"),
    (picture()[:400], "cut.jpg", "media cannot be read as a picture: the file may be damaged"),
    (picture((10_000, 6_000), "PNG", mode="1", color=0), "bomb.png",
     "media has more than 50000000 pixels: send a smaller picture"),
])
@pytest.mark.parametrize("fmt", ["xml", "json"])
def test_media_that_is_not_a_picture_is_400_and_files_nothing(app, client, world, content, name, description, fmt):
    response = post(client, fmt=fmt, **filing(world, media=(io.BytesIO(content), name)))
    assert response.status_code == 400
    if fmt == "xml":
        assert xml_of(response).findtext("error/description") == description
    else:
        assert json_of(response) == [{"code": 400, "description": description}]
    assert Issue.select().count() == 0 and Photo.select().count() == 0 and Open311Request.select().count() == 0
    assert media_files(app) == []


def test_media_over_the_photo_size_limit_is_400_and_a_request_over_its_own_is_413(app, client, world):
    app.config["PHOTO_MAX_BYTES"] = 100 * 1024  # a request may then hold 100 KB + 1 MB
    big = noise((250, 250))
    assert 100 * 1024 < len(big) < 1024 * 1024
    response = post(client, **filing(world, media=(io.BytesIO(big), "big.png")))
    assert response.status_code == 400
    assert json_of(response) == [{"code": 400, "description": "media is larger than 100 KB: send a smaller picture"}]

    response = client.post(f"{API}/requests.json",
                           **multipart(filing(world), [("media", "huge.jpg", b"\xff" * (2 * 1024 * 1024))]))
    assert response.status_code == 413
    assert json_of(response) == [{"code": 413, "description": (
        "The request is larger than the 1 MB this endpoint takes: send a smaller picture as media")}]
    assert Issue.select().count() == 0 and media_files(app) == []


def test_a_filing_that_fails_after_its_picture_was_kept_takes_the_files_away(app, world, monkeypatch):
    def broken(*args, **kwargs):
        raise IntegrityError("the database refused it")

    monkeypatch.setattr(Open311Request, "create", broken)
    values = MultiDict(filing(world))
    files = MultiDict({"media": FileStorage(io.BytesIO(picture()), "hole.jpg")})
    with app.test_request_context(), pytest.raises(IntegrityError):
        open311.file_request(world.key, values, files)
    assert Issue.select().count() == 0 and Photo.select().count() == 0 and media_files(app) == []


def test_a_revoked_key_is_refused(client, world, app):
    with app.app_context():
        assert open311.revoke_key(world.key, world.admin)
        assert not open311.revoke_key(fresh(world.key), world.admin)
    response = post(client, **filing(world))
    assert response.status_code == 403
    assert json_of(response)[0]["code"] == 403


def test_each_key_is_rate_limited_in_fixed_windows(app, client, world):
    app.config.update(OPEN311_RATE_LIMIT=2, OPEN311_RATE_WINDOW=3600)
    assert post(client, **filing(world)).status_code == 200
    assert post(client, **filing(world)).status_code == 200
    third = post(client, fmt="xml", **filing(world))
    assert third.status_code == 429 and 1 <= int(third.headers["Retry-After"]) <= 3600
    assert xml_of(third).findtext("error/code") == "429"
    assert Issue.select().count() == 2
    # Another key has its own count; the next window starts afresh.
    with app.app_context():
        _other, clear = open311.issue_key("City app", world.admin)
        assert post(client, **filing(world, api_key=clear)).status_code == 200
        later = models.utcnow() + timedelta(hours=1)
        open311.consume(fresh(world.key), now=later)
    assert fresh(world.key).window_count == 1 and fresh(world.key).last_used_at is not None


# Querying requests ---------------------------------------------------------------------------------------------

def test_a_request_in_both_formats_element_by_element(client, world):
    post(client, **filing(world, media_url="https://example.org/a.jpg", zipcode="443200"))
    issue = Issue.get()
    status, root, data = both(client, f"requests/{issue.id}.{{fmt}}")
    assert status == 200 and root.tag == "service_requests"
    request = root.find("request")
    assert children(request) == REQUEST_FIELDS
    assert request.findtext("service_request_id") == str(issue.id)
    assert request.findtext("status") == "open"
    assert request.findtext("status_notes") == ""
    assert (request.findtext("service_code"), request.findtext("service_name")) == ("roads", "道路")
    assert request.findtext("description") == "路口积水\n一下雨就积水。"
    assert request.findtext("agency_responsible") == "" and request.findtext("expected_datetime") == ""
    for name in ("requested_datetime", "updated_datetime"):
        assert W3C.match(request.findtext(name)) and request.findtext(name).endswith("+08:00")
    assert (request.findtext("lat"), request.findtext("long")) == ("30.42", "111.75")
    assert request.findtext("media_url") == "https://example.org/a.jpg"
    assert request.findtext("zipcode") == "443200"
    assert isinstance(data[0]["service_request_id"], str) and data[0]["status_notes"] is None


@pytest.mark.parametrize("raw", ["999999", "abc", "99999999999", "1.5", "²"])
def test_an_unknown_request_is_404(client, world, raw):
    status, _root, data = both(client, f"requests/{raw}.{{fmt}}")
    assert status == 404
    assert data == [{"code": 404, "description": f"service_request_id provided was not found: {raw}"}]


def test_a_hidden_issue_is_not_served(client, world):
    issue = world.issue(hidden=True)
    assert client.get(f"{API}/requests/{issue.id}.json").status_code == 404
    assert json_of(client.get(f"{API}/requests.json")) == []


def test_requests_are_the_last_90_days_newest_first_by_default(client, world):
    now = models.utcnow()
    recent = world.issue("最近", at=now - timedelta(days=1))
    older = world.issue("上月", at=now - timedelta(days=40))
    world.issue("太久", at=now - timedelta(days=91))
    status, root, data = both(client, "requests.{fmt}")
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [str(recent.id), str(older.id)]


def test_requests_between_dates_and_the_90_day_limit(client, world):
    world.issue("十月", at=datetime.datetime(2026, 10, 15, 2))
    world.issue("九月", at=datetime.datetime(2026, 9, 1, 2))
    in_october = json_of(client.get(f"{API}/requests.json?start_date=2026-10-01T00:00:00Z&end_date=2026-10-31T00:00:00Z"))
    assert [r["description"] for r in in_october] == ["一下雨就积水。"]
    assert W3C.match(in_october[0]["requested_datetime"])
    # An unencoded + in the offset arrives as a space, and still means +08:00.
    spaced = json_of(client.get(f"{API}/requests.json?start_date=2026-10-15T10:00:00+08:00"))
    assert len(spaced) == 1
    only_start = json_of(client.get(f"{API}/requests.json?start_date=2026-08-20T00:00:00Z"))
    assert len(only_start) == 2  # 90 days from the start
    only_end = json_of(client.get(f"{API}/requests.json?end_date=2026-09-30T00:00:00Z"))
    assert len(only_end) == 1  # 90 days up to the end
    too_long = client.get(f"{API}/requests.xml?start_date=2026-01-01T00:00:00Z&end_date=2026-06-01T00:00:00Z")
    assert too_long.status_code == 400
    assert xml_of(too_long).findtext("error/description") == "start_date and end_date may not span more than 90 days"
    backwards = client.get(f"{API}/requests.json?start_date=2026-10-02T00:00:00Z&end_date=2026-10-01T00:00:00Z")
    assert backwards.status_code == 400
    bad = client.get(f"{API}/requests.json?start_date=yesterday")
    assert json_of(bad) == [{"code": 400, "description": "start_date must be a W3C datetime, eg 2010-01-01T00:00:00Z"}]


def test_requests_by_service_code_list_and_status(client, world):
    roads = world.issue("路")
    lights = world.issue("灯", category=world.lights)
    done = world.issue("完", status="closed")
    ids = lambda query: [r["service_request_id"] for r in json_of(client.get(f"{API}/requests.json?{query}"))]  # noqa: E731
    assert ids("service_code=street.lights") == [str(lights.id)]
    assert ids("service_code=roads,street.lights") == [str(done.id), str(lights.id), str(roads.id)]
    assert ids("service_code=roads&service_code=street.lights") == ids("service_code=roads,street.lights")
    assert ids("status=closed") == [str(done.id)]
    assert ids("status=open") == [str(lights.id), str(roads.id)]
    assert ids("status=open,closed") == [str(done.id), str(lights.id), str(roads.id)]
    assert ids("service_code=nothing") == []
    bad = client.get(f"{API}/requests.xml?status=pending")
    assert bad.status_code == 400 and xml_of(bad).findtext("error/code") == "400"


def test_service_request_id_list_overrides_every_other_filter(client, world):
    old = world.issue("旧", at=models.utcnow() - timedelta(days=400))
    new = world.issue("新")
    query = (f"service_request_id={old.id},{new.id},x,99999&status=closed&service_code=nothing"
             "&start_date=2000-01-01T00:00:00Z&end_date=2000-01-02T00:00:00Z")
    status, root, data = both(client, f"requests.{{fmt}}?{query}")
    assert status == 200
    assert [r["service_request_id"] for r in data] == [str(new.id), str(old.id)]


def test_at_most_1000_requests_are_returned(client, world):
    now = models.utcnow()
    Issue.insert_many([
        {"venue": world.venue.id, "title": f"事{i}", "body": "…", "category": world.category.id,
         "created_at": now - timedelta(minutes=i), "updated_at": now}
        for i in range(1005)
    ]).execute()
    data = json_of(client.get(f"{API}/requests.json"))
    assert len(data) == 1000
    newest = Issue.select().order_by(Issue.created_at.desc()).first()
    assert data[0]["service_request_id"] == str(newest.id)


def test_tokens_are_never_issued_so_none_is_found(client, world):
    status, root, data = both(client, "tokens/12345.{fmt}")
    assert status == 404 and data == [{"code": 404, "description": "token not found: 12345"}]


def test_anything_else_under_the_endpoint_is_the_specs_404(client, world):
    assert json_of(client.get(f"{API}/nothing.json"))[0]["code"] == 404
    assert xml_of(client.get(f"{API}/services.csv")).findtext("error/code") == "404"


# The round trip: filed through the API, followed to closed ------------------------------------------------

def test_status_and_notes_follow_the_matter_from_filing_to_closed(client, world):
    filed = json_of(post(client, **filing(world)))[0]["service_request_id"]
    issue = Issue.get_by_id(int(filed))

    def current():
        return json_of(client.get(f"{API}/requests/{filed}.json"))[0]

    assert (current()["status"], current()["status_notes"], current()["agency_responsible"]) == ("open", None, None)
    workflow.accept(fresh(issue), world.councillor)
    assert current()["status"] == "open"
    issue = fresh(issue)
    issue.level = "town"
    issue.save()
    lead = handling.assign(fresh(issue), world.councillor, world.office, now=NOW)
    assigned = current()
    assert (assigned["status"], assigned["agency_responsible"]) == ("open", "马家店街道办事处")
    assert assigned["expected_datetime"] == f"{lead.due_on.isoformat()}T23:59:59+08:00"
    english = json_of(client.get(f"{API}/requests/{filed}.json", headers={"Accept-Language": "en"}))[0]
    assert english["agency_responsible"] == "Majiadian Subdistrict Office" and english["service_name"] == "Roads"
    handling.answer(fresh(lead), world.office_staff, "resolved", "排水管已疏通，路口不再积水。", "A",
                    now=NOW + timedelta(days=1))
    answered = current()
    assert (answered["status"], answered["status_notes"]) == ("closed", "排水管已疏通，路口不再积水。")
    assert answered["agency_responsible"] == "马家店街道办事处"
    # The key's holder recorded it, so rates it, and the matter's loop ends closed.
    handling.rate(fresh(issue), world.admin, "satisfied", now=NOW + timedelta(days=2))
    rated = current()
    assert (rated["status"], rated["status_notes"]) == ("closed", "排水管已疏通，路口不再积水。")
    assert rated["updated_datetime"] == open311.w3c(NOW + timedelta(days=2))
    assert fresh(issue).status == "closed"
    closed = [r["service_request_id"] for r in json_of(client.get(f"{API}/requests.json?status=closed"))]
    assert filed in closed


def test_a_dissatisfied_rating_reopens_the_request(client, world):
    issue = world.issue(status="accepted", level="town")
    lead = handling.assign(issue, world.councillor, world.office, now=NOW)
    handling.answer(lead, world.office_staff, "explained", "明年列入计划。", "C", now=NOW)
    handling.rate(fresh(issue), world.resident, "dissatisfied", "还是积水", now=NOW)
    document = json_of(client.get(f"{API}/requests/{issue.id}.json"))[0]
    assert (document["status"], document["status_notes"]) == ("open", "明年列入计划。")


def test_a_declined_or_merged_request_is_closed_with_the_reason(client, world):
    declined = world.issue("重复")
    workflow.decline(declined, world.councillor, "不属于议事范围。")
    target = world.issue("原件")
    merged = world.issue("副本")
    workflow.merge(merged, target, world.councillor)
    by_id = {r["service_request_id"]: r for r in json_of(client.get(f"{API}/requests.json"))}
    assert (by_id[str(declined.id)]["status"], by_id[str(declined.id)]["status_notes"]) == ("closed", "不属于议事范围。")
    assert by_id[str(merged.id)]["status"] == "closed"
    assert str(target.id) in by_id[str(merged.id)]["status_notes"]


# API keys --------------------------------------------------------------------------------------------------------

def test_keys_are_stored_as_a_keyed_hash_only(app, world):
    key = fresh(world.key)
    assert world.clear.startswith("ys311_") and len(world.clear) > 30
    assert key.key_hash != world.clear and len(key.key_hash) == 64
    with app.app_context():
        assert open311.key_hash(world.clear) == key.key_hash
        app.config["OPEN311_KEY_PEPPER"] = "another pepper"
        assert open311.key_hash(world.clear) != key.key_hash
    entry = AuditLog.get(AuditLog.action == "api_key.create")
    assert entry.actor_id == world.admin.id and entry.after["name"] == "City hotline"
    assert "key_hash" not in entry.after and world.clear not in json.dumps(entry.after)


def test_admins_issue_see_once_and_revoke_keys(client, auth, world):
    auth.login("admin")
    page = client.get("/admin/api-keys")
    assert page.status_code == 200 and "City hotline" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    created = client.post("/admin/api-keys", data={"name": "市民热线 12345"})
    assert created.status_code == 201
    key = ApiKey.get(ApiKey.name == "市民热线 12345")
    clear = re.search(r"ys311_[\w-]+", created.get_data(as_text=True)).group(0)
    assert key.key_hash != clear and clear not in str(key.__data__)
    assert post(client, **filing(world, api_key=clear)).status_code == 200
    assert clear not in client.get("/admin/api-keys").get_data(as_text=True)
    revoked = client.post(f"/admin/api-keys/{key.id}/revoke")
    assert revoked.status_code == 303 and revoked.headers["Location"].endswith("/admin/api-keys")
    assert fresh(key).revoked_at is not None
    assert post(client, **filing(world, api_key=clear)).status_code == 403
    assert AuditLog.get(AuditLog.action == "api_key.revoke").object_id == key.id
    assert client.post("/admin/api-keys", data={"name": " "}).status_code == 422


def test_only_admins_manage_keys(client, auth, world):
    auth.login("councillor")
    assert client.get("/admin/api-keys").status_code == 403
    assert client.post("/admin/api-keys", data={"name": "x"}).status_code == 403
    assert client.post(f"/admin/api-keys/{world.key.id}/revoke").status_code == 403
    assert fresh(world.key).revoked_at is None


def test_the_key_page_speaks_both_languages(client, auth, world):
    auth.login("admin")
    client.set_cookie("lang", "en")
    english = client.get("/admin/api-keys").get_data(as_text=True)
    assert "Open311 API keys" in english and "Issue a key" in english
    client.set_cookie("lang", "zh_Hans")
    chinese = client.get("/admin/api-keys").get_data(as_text=True)
    assert "第三方接入密钥" in chinese and "签发密钥" in chinese


def test_keys_from_the_command_line(app, world):
    app.cli.add_command(open311.cli)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["open311", "key", "create", "Town app"])
    assert result.exit_code == 0, result.output
    key_id, name, clear = result.output.strip().split("\t")
    assert name == "Town app" and clear.startswith("ys311_")
    assert "Town app" in runner.invoke(args=["open311", "key", "list"]).output
    assert runner.invoke(args=["open311", "key", "revoke", key_id]).output.strip() == "revoked"
    assert runner.invoke(args=["open311", "key", "revoke", key_id]).output.strip() == "already revoked"
    assert runner.invoke(args=["open311", "key", "revoke", "9999"]).exit_code != 0
    held = runner.invoke(args=["open311", "key", "create", "Village app", "--by", "councillor"])
    assert ApiKey.get_by_id(int(held.output.split("\t")[0])).created_by_id == world.councillor.id
    assert runner.invoke(args=["open311", "key", "create", "X", "--by", "nobody"]).exit_code != 0


# The OpenAPI document, and schemathesis against the live app --------------------------------------------------

def test_the_openapi_document_describes_every_route_in_both_formats(client, world, app):
    document = json.loads(client.get(f"{API}/openapi.json").data)
    assert document["openapi"].startswith("3.")
    assert document["servers"] == [{"url": "http://localhost/open311/v2"}]
    for path in ("/discovery", "/services", "/services/{service_code}", "/requests",
                 "/requests/{service_request_id}", "/tokens/{token}"):
        assert f"{path}.json" in document["paths"] and f"{path}.xml" in document["paths"]
    assert set(document["paths"]["/requests.json"]) == {"get", "post"}
    body = document["paths"]["/requests.json"]["post"]["requestBody"]["content"]
    assert {"media", "media_alt"} <= set(body["multipart/form-data"]["schema"]["properties"])
    assert "media" not in body["application/x-www-form-urlencoded"]["schema"]["properties"]


def test_schemathesis_finds_no_server_error_and_every_answer_fits_the_schema(live_server, world):
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import negative_data_rejection, positive_data_acceptance

    schema = schemathesis.openapi.from_url(f"{live_server.url}{API}/openapi.json")
    # Valid-looking data may still be refused (a span over 90 days, an unknown venue), and unknown
    # parameters are ignored as the spec asks: those two checks do not apply.
    lenient = [positive_data_acceptance, negative_data_rejection]
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(excluded_checks=lenient)

        check()


# Clients written by other people ------------------------------------------------------------------

def test_other_peoples_client_lists_services_and_follows_a_request_to_closed(live_server, world):
    """The PyPI client `georeport`, used unchanged against the live app in JSON and XML (it reads
    only: the request is filed as the spec's example files it, a plain form POST)."""
    georeport = pytest.importorskip("georeport")
    import requests

    endpoint = f"{live_server.url}{API}"
    body = SPEC_EXAMPLE.format(key=world.clear, jurisdiction="yishi.local")
    filed = requests.post(f"{endpoint}/requests.json", data=body, headers={"Content-Type": FORM}, timeout=10)
    assert filed.status_code == 200
    request_id = filed.json()[0]["service_request_id"]
    issue = Issue.get_by_id(int(request_id))
    assert (issue.venue_id, issue.channel, issue.reporter_name) == (world.venue.id, "open311", "john smith")

    for fmt in ("json", "xml"):
        reader = georeport.GeoReport(endpoint, jurisdiction="yishi.local", output_format=fmt)
        assert [s["service_code"] for s in reader.get_service_list()] == ["roads", "street.lights"]
        assert reader.get_service_definition("roads")["service_code"] == "roads"
        assert reader.get_service_request(request_id)["status"] == "open"

    workflow.accept(fresh(issue), world.councillor)
    issue = fresh(issue)
    issue.level = "town"
    issue.save()
    lead = handling.assign(issue, world.councillor, world.office)
    handling.answer(lead, world.office_staff, "resolved", "井盖已更换。", "A")
    handling.rate(fresh(issue), world.admin, "satisfied")
    for fmt in ("json", "xml"):
        reader = georeport.GeoReport(endpoint, jurisdiction="yishi.local", output_format=fmt)
        followed = reader.get_service_request(request_id)
        assert (followed["status"], followed["status_notes"]) == ("closed", "井盖已更换。")
        assert followed["agency_responsible"] == "马家店街道办事处"
        closed = reader.get_service_requests(status="closed")
        closed = closed if isinstance(closed, list) else [closed]  # xmltodict makes a lone element a dict
        assert request_id in [r["service_request_id"] for r in closed]
