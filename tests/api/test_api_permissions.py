"""Every API endpoint with every role and without a token.

``EXPECTED`` is the permission matrix, written out by hand: each method of each route
under /api/v1 and the action it needs (besides ``read``, which every call needs). The
first test fails when a route is added without being listed here, so the matrix stays
complete. Then each route is called with each role: without the permission the answer is
403, with it anything but 401/403 (404 and 422 are fine: the placeholders name nothing),
never a server error. Without a token, every route answers the same 401.
"""

from __future__ import annotations

import re

import pytest

from pim.models.users import PERMISSIONS, Role

READ, EDIT, TRANSLATE, CONFIGURE, USERS, IMPORT = (
    "read",
    "edit",
    "translate",
    "configure",
    "manage_users",
    "import",
)

EXPECTED = {
    # catalogue
    ("GET", "/api/v1/products"): READ,
    ("POST", "/api/v1/products"): EDIT,
    ("PATCH", "/api/v1/products"): EDIT,
    ("GET", "/api/v1/products/<identifier>"): READ,
    ("PATCH", "/api/v1/products/<identifier>"): TRANSLATE,
    ("DELETE", "/api/v1/products/<identifier>"): EDIT,
    ("GET", "/api/v1/product-models"): READ,
    ("POST", "/api/v1/product-models"): EDIT,
    ("PATCH", "/api/v1/product-models"): EDIT,
    ("GET", "/api/v1/product-models/<code>"): READ,
    ("PATCH", "/api/v1/product-models/<code>"): TRANSLATE,
    ("DELETE", "/api/v1/product-models/<code>"): EDIT,
    ("POST", "/api/v1/mass-edits"): EDIT,
    # structure
    **{
        (method, f"/api/v1/{path}"): READ if method == "GET" else CONFIGURE
        for path, methods in {
            "attributes": ("GET", "POST"),
            "attributes/<code>": ("GET", "PATCH", "DELETE"),
            "attributes/<code>/options": ("GET", "POST"),
            "attributes/<code>/options/<option>": ("GET", "PATCH", "DELETE"),
            "attribute-groups": ("GET", "POST"),
            "attribute-groups/<code>": ("GET", "PATCH", "DELETE"),
            "families": ("GET", "POST"),
            "families/<code>": ("GET", "PATCH", "DELETE"),
            "families/<code>/variants": ("GET", "POST"),
            "families/<code>/variants/<variant>": ("GET", "PATCH", "DELETE"),
            "categories": ("GET", "POST"),
            "categories/<code>": ("GET", "PATCH", "DELETE"),
            "channels": ("GET", "POST"),
            "channels/<code>": ("GET", "PATCH"),
            "locales": ("GET", "POST"),
            "locales/<code>": ("GET",),
            "currencies": ("GET", "POST"),
            "currencies/<code>": ("GET", "PATCH"),
            "association-types": ("GET", "POST"),
            "association-types/<code>": ("GET", "PATCH", "DELETE"),
        }.items()
        for method in methods
    },
    # users: administrators only, reading included
    ("GET", "/api/v1/users"): USERS,
    ("POST", "/api/v1/users"): USERS,
    ("GET", "/api/v1/users/<int:user_id>"): USERS,
    ("PATCH", "/api/v1/users/<int:user_id>"): USERS,
    ("DELETE", "/api/v1/users/<int:user_id>"): USERS,
    # assets
    ("GET", "/api/v1/assets"): READ,
    ("POST", "/api/v1/assets"): EDIT,
    ("GET", "/api/v1/assets/<int:asset_id>"): READ,
    ("PATCH", "/api/v1/assets/<int:asset_id>"): EDIT,
    ("DELETE", "/api/v1/assets/<int:asset_id>"): EDIT,
    ("GET", "/api/v1/assets/<int:asset_id>/download"): READ,
    ("GET", "/api/v1/assets/<int:asset_id>/renditions"): READ,
    ("GET", "/api/v1/assets/<int:asset_id>/links"): READ,
    ("PUT", "/api/v1/assets/<int:asset_id>/links/<owner_type>/<key>"): EDIT,
    ("DELETE", "/api/v1/assets/<int:asset_id>/links/<owner_type>/<key>"): EDIT,
    ("POST", "/api/v1/assets/<int:asset_id>/versions"): EDIT,
    ("POST", "/api/v1/assets/<int:asset_id>/versions/<int:number>/restore"): EDIT,
    # imports and jobs
    ("GET", "/api/v1/import-profiles"): IMPORT,
    ("GET", "/api/v1/import-profiles/<code>"): IMPORT,
    ("POST", "/api/v1/imports"): IMPORT,
    ("GET", "/api/v1/jobs"): READ,
    ("GET", "/api/v1/jobs/<job_id>"): READ,
    ("GET", "/api/v1/jobs/<job_id>/report"): READ,
    # translation files: whoever translates (the views restrict a translator's locales)
    ("POST", "/api/v1/translations/exports"): TRANSLATE,
    ("POST", "/api/v1/translations/imports"): TRANSLATE,
    # feeds
    ("GET", "/api/v1/feeds"): READ,
    ("POST", "/api/v1/feeds"): CONFIGURE,
    ("POST", "/api/v1/feeds/preview"): CONFIGURE,
    ("GET", "/api/v1/feeds/<code>"): READ,
    ("PATCH", "/api/v1/feeds/<code>"): CONFIGURE,
    ("DELETE", "/api/v1/feeds/<code>"): CONFIGURE,
    ("POST", "/api/v1/feeds/<code>/preview"): CONFIGURE,
    ("GET", "/api/v1/feeds/<code>/runs"): READ,
    ("POST", "/api/v1/feeds/<code>/runs"): CONFIGURE,
    ("GET", "/api/v1/feeds/<code>/runs/<int:run_id>"): READ,
    ("GET", "/api/v1/feeds/<code>/runs/<int:run_id>/download"): READ,
    # webhooks: administrators who configure, reading included (secrets, delivery logs)
    ("GET", "/api/v1/webhooks"): CONFIGURE,
    ("POST", "/api/v1/webhooks"): CONFIGURE,
    ("GET", "/api/v1/webhooks/event-types"): CONFIGURE,
    ("GET", "/api/v1/webhooks/<int:webhook_id>"): CONFIGURE,
    ("PATCH", "/api/v1/webhooks/<int:webhook_id>"): CONFIGURE,
    ("DELETE", "/api/v1/webhooks/<int:webhook_id>"): CONFIGURE,
    ("GET", "/api/v1/webhooks/<int:webhook_id>/deliveries"): CONFIGURE,
    ("POST", "/api/v1/webhooks/<int:webhook_id>/deliveries/<int:delivery_id>/retry"): CONFIGURE,
    ("POST", "/api/v1/webhooks/<int:webhook_id>/ping"): CONFIGURE,
}
#: Routes anyone may read: the API's description.
PUBLIC = {("GET", "/api/v1/openapi.json"), ("GET", "/api/v1/docs")}
#: Where the view itself checks more after the role: a translator may PATCH only the
#: values of their locales on existing items (the placeholders name no item).
VIEW_CHECKS = {
    ("PATCH", "/api/v1/products/<identifier>"),
    ("PATCH", "/api/v1/product-models/<code>"),
}
ROLES = [role.value for role in Role]
GENERIC_403 = "Your role does not allow this operation."


def api_routes(app) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }


def concrete(rule: str) -> str:
    """The rule with placeholders that name nothing."""
    url = re.sub(r"<int:\w+>", "999999", rule)
    url = url.replace("<owner_type>", "products")
    return re.sub(r"<\w+>", "nothing-here", url)


def test_every_api_route_is_in_the_permission_matrix(app):
    assert api_routes(app) - PUBLIC == set(EXPECTED)


def test_without_a_token_every_route_answers_the_same_401(app, client):
    bodies = set()
    for method, rule in sorted(EXPECTED):
        response = client.open(concrete(rule), method=method, json={})
        assert response.status_code == 401, (method, rule, response.get_json())
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        bodies.add(response.data)
    assert len(bodies) == 1
    for method, rule in PUBLIC:
        assert client.open(rule, method=method).status_code == 200


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_permissions(role, api_as):
    api = api_as(role)
    allowed = PERMISSIONS[Role(role)]
    wrong = []
    for method, rule in sorted(EXPECTED):
        needed = EXPECTED[(method, rule)]
        response = api.open(method, concrete(rule), json_body={})
        status = response.status_code
        may = READ in allowed and needed in allowed
        body = response.get_json(silent=True) or {}
        if status >= 500 or status == 401:
            wrong.append(f"{method} {rule}: {status}")
        elif not may and status != 403:
            wrong.append(f"{method} {rule}: {status}, expected 403")
        elif may and status == 403:
            if (method, rule) in VIEW_CHECKS and body.get("detail") != GENERIC_403:
                continue  # refused by the view's own rule, with its reason
            wrong.append(f"{method} {rule}: 403 ({body.get('detail')}) though {role} may {needed}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
