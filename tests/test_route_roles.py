"""Every route of the browser UI, tried as every role: nobody gets a 500, readers never
change anything, suppliers see only their portal.

The routes are read from the app's URL map, so a new view is covered without touching this
file; path arguments get values that exist in the test catalogue where they can.
"""

from __future__ import annotations

import re

import pytest
from werkzeug.routing import IntegerConverter

ROLES = ("viewer", "translator", "supplier")
#: POST routes any signed-in user may call (their own session or preferences).
OPEN_POSTS = {
    "web.login",
    "web.logout",
    "web.save_view",
    "web.delete_view",
    "web.rename_view",
    "web.account_language",
    "web.account_token_create",
    "web.account_token_revoke",
}
#: Routes a supplier may reach (the supplier portal and signing out).
SUPPLIER_ROUTES = re.compile(
    r"^web\.(login|logout|account|imports|import_|my_products|supplier|upload)"
)


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or not rule.endpoint.startswith(
            ("web.", "dam.", "channels_ui.")
        ):
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def _path(rule) -> str:
    values = {}
    for name in rule.arguments:
        if isinstance(rule._converters[name], IntegerConverter):
            values[name] = 1
        elif name in ("identifier",):
            values[name] = "TS-CREW-RED-S"
        elif name in ("code",):
            values[name] = "TS-CREW"
        else:
            values[name] = "nothing-here"
    return rule.build(values, append_unknown=False)[1]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_as_a_reading_role(app, catalog, logged_in_client, role):
    client = logged_in_client(role)
    problems = []
    for rule, method in _routes(app):
        path = _path(rule)
        response = client.open(path, method=method, data={})
        status = response.status_code
        supplier_area = bool(SUPPLIER_ROUTES.match(rule.endpoint))
        if status >= 500:
            problems.append(f"{method} {path} ({rule.endpoint}): {status}")
        elif role == "supplier" and not supplier_area and status not in (302, 303, 403, 404):
            problems.append(f"{method} {path} ({rule.endpoint}): supplier got {status}")
        elif (
            method == "POST"
            and rule.endpoint not in OPEN_POSTS
            and not (role == "supplier" and supplier_area)
            and not (role == "translator" and rule.endpoint in TRANSLATOR_POSTS)
            and status not in (403, 302, 303)
        ):
            problems.append(f"{method} {path} ({rule.endpoint}): {role} was not refused ({status})")
    assert problems == []


#: POST routes translators may use (saving the localizable values of their locales).
TRANSLATOR_POSTS = {"web.save_product", "web.save_model"}
