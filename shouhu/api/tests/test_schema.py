"""The OpenAPI schema (valid, without warnings, for every app's endpoints) and its viewers."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from drf_spectacular.drainage import GENERATOR_STATS
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.validation import validate_schema

from shouhu.accounts.choices import Role
from shouhu.api.testing import TOKEN, api_client, assert_api_error, assert_api_permission_matrix
from shouhu.core.testing import assert_permission_matrix, login

SCHEMA = "/api/schema/"
VIEWERS = ["/api/schema/swagger/", "/api/schema/redoc/"]
# Attribute values and CSS urls that load or link something.
REFERENCE = re.compile(r"""(?:src|href|action|spec-url)\s*=\s*["']([^"']*)["']|url\(\s*["']?([^"')]*)""", re.I)
EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)


def generate_schema() -> tuple[dict[str, Any], list[str]]:
    """What ``manage.py spectacular --validate --fail-on-warn`` does, keeping the messages."""
    GENERATOR_STATS.reset()
    with GENERATOR_STATS.silence():
        schema = SchemaGenerator().get_schema(request=None, public=True)
    problems = [*GENERATOR_STATS._warn_cache, *GENERATOR_STATS._error_cache]
    GENERATOR_STATS.reset()
    return schema, problems


@pytest.mark.django_db
def test_schema_of_every_app_generates_without_warnings_and_validates():
    schema, problems = generate_schema()
    assert problems == [], "schema generation warned:\n" + "\n".join(problems)
    validate_schema(schema)  # raises on an invalid OpenAPI 3 document


@pytest.mark.django_db
def test_schema_describes_the_accounts_endpoints_and_bearer_tokens():
    schema, _ = generate_schema()
    for path in ["/api/v1/me/", "/api/v1/users/", "/api/v1/users/{id}/", "/api/v1/agencies/", "/api/v1/tokens/"]:
        assert path in schema["paths"], path
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "shu_<prefix>_<secret>",
        "description": schema["components"]["securitySchemes"]["apiToken"]["description"],
    }
    assert {"apiToken": []} in schema["paths"]["/api/v1/users/"]["get"]["security"]
    params = {p["name"] for p in schema["paths"]["/api/v1/users/"]["get"]["parameters"]}
    assert {"role", "within", "agency", "active", "q", "page", "page_size"} <= params
    assert set(schema["components"]["schemas"]["RoleEnum"]["enum"]) == set(Role.values)
    assert "post" not in schema["paths"]["/api/v1/users/"]  # writes to users stay on the screens


def test_schema_needs_an_account(actors):
    assert_api_permission_matrix(actors, url=SCHEMA, allowed=actors)


def test_partner_system_fetches_the_schema_with_its_token(department_liaison):
    response = api_client(department_liaison, auth=TOKEN).get(SCHEMA, {"format": "json"})
    assert response.status_code == 200
    assert "/api/v1/me/" in json.loads(response.content)["paths"]


def test_anonymous_schema_request_gets_401(db):
    assert Client().get(SCHEMA).status_code == 401
    assert_api_error(Client().get(SCHEMA, {"format": "json"}), 401, code="not_authenticated")


@pytest.mark.parametrize("url", VIEWERS)
def test_viewers_need_an_account(actors, url):
    assert_permission_matrix(actors, url=url, allowed=actors, anonymous=(302,))


@pytest.mark.parametrize("url", VIEWERS)
def test_viewers_reference_no_external_url(village_director, url):
    response = login(Client(), village_director).get(url)
    html = response.content.decode()
    references = [a or b for a, b in REFERENCE.findall(html)]
    assert references, "the page should load its assets"
    external = [ref for ref in references if EXTERNAL.match(ref.strip())]
    assert external == []
    assert not re.search(r"https?://|//fonts\.|cdn", html, re.I), "an absolute URL in the page"
    for ref in references:
        if ref.startswith("/static/"):
            assert finders.find(ref.removeprefix("/static/")), f"{ref} is not a local static file"


@pytest.mark.parametrize("url", VIEWERS)
def test_viewers_forbid_other_origins_in_the_browser(village_director, url):
    csp = login(Client(), village_director).get(url)["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"  # no inline script either
    assert directives["connect-src"] == "'self'"
    assert not re.search(r"https?:|\*", csp)


def test_swagger_ui_is_set_up_from_local_files_without_the_outside_validator(village_director):
    response = login(Client(), village_director).get("/api/schema/swagger/")
    html = response.content.decode()
    found = re.search(r'<script id="swagger-config" type="application/json">(.*?)</script>', html)
    assert found is not None
    config = json.loads(found.group(1))
    assert config["schemaUrl"] == SCHEMA
    assert config["csrfHeader"] == "X-CSRFTOKEN"
    assert config["csrfToken"]
    init_path = finders.find("api/swagger-init.js")
    assert isinstance(init_path, str)
    init = Path(init_path).read_text(encoding="utf-8")
    assert "validatorUrl: null" in init
    assert "<script>" not in html  # every script is a file (the CSP allows no inline script)


def test_developer_guide_for_every_account(actors):
    assert_permission_matrix(actors, url="/api/", allowed=actors, anonymous=(302,))
    html = login(Client(), actors["department_liaison"]).get("/api/").content.decode()
    assert "/api/schema/swagger/" in html
    assert "http://testserver/api/v1/me/" in html
