"""Open311 GeoReport v2 under /open311/v2/: each route parses the request, calls domain/open311.py,
and answers in the format its extension names (XML or JSON), errors included.

No CSRF token here: other software posts without a session, and a valid api_key is what a POST
must carry instead. Unknown parameters are ignored, as the spec asks.
"""
from flask import Blueprint, current_app, jsonify, request
from werkzeug.datastructures import CombinedMultiDict
from werkzeug.routing import PathConverter

from domain import open311, photos
from domain.open311 import Open311Error
from extensions import csrf

bp = Blueprint("open311", __name__, url_prefix="/open311/v2")
csrf.exempt(bp)


class AnyText(PathConverter):
    """A path that may hold any character, line breaks too: an identifier no route matched would
    otherwise be the site's HTML 404 rather than the spec's errors document."""

    regex = r"(?s:[^/].*?)"


bp.record_once(lambda state: state.app.url_map.converters.setdefault("open311_text", AnyText))

FMT = "<any(xml, json):fmt>"


def respond(fmt, root, content, status=200):
    response = current_app.response_class(
        open311.serialize(fmt, root, content), status=status, content_type=open311.CONTENT_TYPES[fmt]
    )
    return response


def _format_of_path():
    return "json" if request.path.endswith(".json") else "xml"


@bp.app_template_global("open311_source")
def open311_source(issue):
    """The name of the key a matter was filed with, for the issue page."""
    return open311.source_of(issue)


@bp.errorhandler(Open311Error)
def spec_error(error):
    fmt = (request.view_args or {}).get("fmt") or _format_of_path()
    response = respond(fmt, "errors", open311.errors_document(error.status, error.description), error.status)
    if error.retry_after:
        response.headers["Retry-After"] = str(error.retry_after)
    return response


@bp.errorhandler(413)
def too_large(error):
    """A request over its size limit gets the spec's errors document, not the site's page."""
    return spec_error(Open311Error(413, open311.too_large_description(
        request.max_content_length, request.mimetype == "multipart/form-data")))


@bp.after_request
def open_to_other_sites(response):
    # Public data, and no cookies needed: any site's scripts may read it (and post with a key).
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "no-cache"
    return response


def _values():
    """The form and the query string together: api_key and jurisdiction_id may come in either."""
    return CombinedMultiDict([request.form, request.args]) if request.method == "POST" else request.args


def _jurisdiction():
    open311.check_jurisdiction(_values().get("jurisdiction_id"))


@bp.get(f"/discovery.{FMT}")
def discovery(fmt):
    return respond(fmt, "discovery", open311.discovery())


@bp.get("/")
def root():
    """The endpoint's own address, opened as it is, says what it serves (in the required format)."""
    return respond("xml", "discovery", open311.discovery())


@bp.get(f"/services.{FMT}")
def services(fmt):
    _jurisdiction()
    return respond(fmt, "services", open311.services())


@bp.get(f"/services/<open311_text:service_code>.{FMT}")
def service_definition(service_code, fmt):
    _jurisdiction()
    return respond(fmt, "service_definition", open311.service_definition(open311.find_service(service_code)))


@bp.post(f"/requests.{FMT}")
def create_request(fmt):
    values = _values()
    _jurisdiction()
    key = open311.authenticate(values.get("api_key"))
    open311.consume(key)
    issue = open311.file_request(key, values, request.files)
    return respond(fmt, "service_requests", open311.filed_document(issue, values))


# A multipart POST may carry one picture (`media`) beside its text (see app.Request).
create_request.max_content_length = open311.request_limit


@bp.get(f"/requests.{FMT}")
def requests(fmt):
    _jurisdiction()
    return respond(fmt, "service_requests", open311.query(request.args))


@bp.get(f"/requests/<open311_text:service_request_id>.{FMT}")
def show_request(service_request_id, fmt):
    _jurisdiction()
    return respond(fmt, "service_requests", open311.find_request(service_request_id))


@bp.get(f"/tokens/<open311_text:token>.{FMT}")
def token(token, fmt):
    # Every service is realtime: a POST answers with the request's id at once, so no token is
    # ever issued and none can be found.
    _jurisdiction()
    raise Open311Error(404, f"token not found: {token}")


@bp.get("/openapi.json")
def openapi():
    return jsonify(open311_openapi())


@bp.route("/<open311_text:anything>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(anything):
    """Anything else under the endpoint: the spec's 404, in the format the address asks for."""
    raise Open311Error(404, f"no such resource: {request.path}")


# The OpenAPI 3 description ---------------------------------------------------------------------------

def _nullable(kind, **more):
    return {"type": [kind, "null"], **more}


SCHEMAS = {
    "Errors": {
        "type": "array", "minItems": 1,
        "items": {"type": "object", "required": ["code", "description"],
                  "properties": {"code": {"type": "integer"}, "description": {"type": "string"}}},
    },
    "Discovery": {
        "type": "object", "required": ["changeset", "contact", "key_service", "endpoints"],
        "properties": {
            "changeset": {"type": "string", "format": "date-time"},
            "contact": {"type": "string"}, "key_service": {"type": "string"},
            "endpoints": {"type": "array", "items": {
                "type": "object", "required": ["specification", "url", "changeset", "type", "formats"],
                "properties": {
                    "specification": {"type": "string"}, "url": {"type": "string"},
                    "changeset": {"type": "string", "format": "date-time"},
                    "type": {"enum": ["production", "test"]},
                    "formats": {"type": "array", "items": {"type": "string"}},
                }}},
        },
    },
    "Services": {
        "type": "array",
        "items": {"type": "object",
                  "required": ["service_code", "service_name", "description", "metadata", "type", "keywords", "group"],
                  "properties": {
                      "service_code": {"type": "string"}, "service_name": {"type": "string"},
                      "description": _nullable("string"), "metadata": {"type": "boolean"},
                      "type": {"enum": ["realtime", "batch", "blackbox"]}, "keywords": _nullable("string"),
                      "group": _nullable("string"),
                  }},
    },
    "ServiceDefinition": {
        "type": "object", "required": ["service_code", "attributes"],
        "properties": {
            "service_code": {"type": "string"},
            "attributes": {"type": "array", "items": {
                "type": "object",
                "required": ["variable", "code", "datatype", "required", "datatype_description", "order",
                             "description"],
                "properties": {
                    "variable": {"type": "boolean"}, "code": {"type": "string"},
                    "datatype": {"enum": ["string", "number", "datetime", "text", "singlevaluelist",
                                          "multivaluelist"]},
                    "required": {"type": "boolean"}, "datatype_description": _nullable("string"),
                    "order": {"type": "integer", "minimum": 1}, "description": {"type": "string"},
                    "values": {"type": "array", "items": {
                        "type": "object", "required": ["key", "name"],
                        "properties": {"key": {"type": "string"}, "name": {"type": "string"}}}},
                }}},
        },
    },
    "Created": {
        "type": "array", "minItems": 1,
        "items": {"type": "object", "required": ["service_request_id"],
                  "properties": {"service_request_id": {"type": "string"}, "service_notice": _nullable("string"),
                                 "account_id": _nullable("string")}},
    },
    "ServiceRequests": {
        "type": "array", "maxItems": open311.MAX_RESULTS,
        "items": {"type": "object",
                  "required": ["service_request_id", "status", "requested_datetime", "updated_datetime"],
                  "properties": {
                      "service_request_id": {"type": "string"}, "status": {"enum": ["open", "closed"]},
                      "status_notes": _nullable("string"), "service_name": _nullable("string"),
                      "service_code": _nullable("string"), "description": _nullable("string"),
                      "agency_responsible": _nullable("string"), "service_notice": _nullable("string"),
                      "requested_datetime": {"type": "string", "format": "date-time"},
                      "updated_datetime": {"type": "string", "format": "date-time"},
                      "expected_datetime": _nullable("string", format="date-time"),
                      "address": _nullable("string"), "address_id": _nullable("string"),
                      "zipcode": _nullable("string"), "lat": _nullable("number"), "long": _nullable("number"),
                      "media_url": _nullable("string"),
                  }},
    },
}


def _param(name, where="query", required=False, description="", schema=None):
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


JURISDICTION = _param("jurisdiction_id", description="Optional: this endpoint serves one jurisdiction.")


def _responses(ok, schema, *errors):
    out = {str(ok): {"description": "OK", "content": {
        "application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}}
    for status in errors:
        out[str(status)] = {"description": "The spec's errors document", "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/Errors"}}}}
    return out


def _xml(operation):
    """The same operation answering text/xml (the spec's required format)."""
    copy = dict(operation)
    copy["responses"] = {
        status: {"description": r["description"], "content": {"text/xml": {"schema": {"type": "string"}}}}
        for status, r in operation["responses"].items()
    }
    copy["operationId"] = operation["operationId"] + "Xml"
    return copy


def open311_openapi():
    """The OpenAPI 3.1 document of the endpoint, both formats."""
    fields = {name: {"type": "string"} for name in (
        "api_key", "jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
        "email", "device_id", "account_id", "first_name", "last_name", "phone", "description",
        "media_url", "attribute[venue]", "attribute[title]",
    )}
    with_media = {
        **fields,
        "media": {"type": "string", "contentMediaType": "application/octet-stream", "description": (
            "A picture of the matter (JPEG, PNG or WebP, at most the site's photo size), kept as the "
            "issue's photo: re-encoded without its metadata, and given as media_url from then on.")},
        "media_alt": {"type": "string", "maxLength": photos.ALT_LENGTH, "description": (
            "What the picture shows, for people who cannot see it. Without it, the start of the "
            f"description (at most {photos.ALT_LENGTH} characters) says it.")},
    }
    post_body = {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {"schema": {
                "type": "object", "required": ["api_key", "service_code"], "properties": fields}},
            "multipart/form-data": {"schema": {
                "type": "object", "required": ["api_key", "service_code"], "properties": with_media}},
        },
    }
    code = _param("service_code", "path", True)
    request_id = _param("service_request_id", "path", True)
    token = _param("token", "path", True)
    operations = {
        "/discovery": {"get": {"operationId": "discovery", "parameters": [],
                               "responses": _responses(200, "Discovery")}},
        "/services": {"get": {"operationId": "services", "parameters": [JURISDICTION],
                              "responses": _responses(200, "Services", 404)}},
        "/services/{service_code}": {"get": {"operationId": "serviceDefinition", "parameters": [JURISDICTION, code],
                                             "responses": _responses(200, "ServiceDefinition", 400, 404)}},
        "/requests": {
            "get": {"operationId": "requests", "parameters": [
                JURISDICTION,
                _param("service_request_id", description="Comma delimited; overrides all other arguments."),
                _param("service_code", description="Comma delimited."),
                _param("start_date", description="W3C datetime.", schema={"type": "string", "format": "date-time"}),
                _param("end_date", description="W3C datetime.", schema={"type": "string", "format": "date-time"}),
                _param("status", description="open, closed or both, comma delimited.",
                       schema={"type": "string", "pattern": "^(open|closed)(,(open|closed))*$"}),
            ], "responses": _responses(200, "ServiceRequests", 400, 404)},
            "post": {"operationId": "createRequest", "parameters": [], "requestBody": post_body,
                     "responses": _responses(200, "Created", 400, 403, 404, 413, 429)},
        },
        "/requests/{service_request_id}": {"get": {
            "operationId": "request", "parameters": [JURISDICTION, request_id],
            "responses": _responses(200, "ServiceRequests", 404)}},
        "/tokens/{token}": {"get": {"operationId": "token", "parameters": [JURISDICTION, token],
                                    "responses": _responses(200, "ServiceRequests", 404)}},
    }
    paths = {}
    for path, methods in operations.items():
        paths[f"{path}.json"] = methods
        paths[f"{path}.xml"] = {method: _xml(operation) for method, operation in methods.items()}
    base = request.url_root.rstrip("/") + bp.url_prefix
    return {
        "openapi": "3.1.0",
        "info": {"title": "Yishi Open311 GeoReport v2", "version": "2",
                 "description": f"The GeoReport v2 specification ({open311.SPECIFICATION}), in XML and JSON."},
        "servers": [{"url": base}],
        "paths": paths,
        "components": {"schemas": SCHEMAS},
    }
