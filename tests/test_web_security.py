"""Security headers, CSRF enforcement, no state change over GET, escaping of user data."""

from __future__ import annotations

import re

import pytest

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.extensions import db
from pim.services import products
from pim.services.actors import Actor
from pim.web.security import SECURITY_HEADERS

XSS = "<img src=x onerror=alert(1)>"

PASSWORD = "a test password"


def _assert_security_headers(response):
    for name, value in SECURITY_HEADERS.items():
        assert response.headers[name] == value
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_security_headers_on_every_kind_of_response(client, logged_in_client):
    _assert_security_headers(client.get("/login"))
    _assert_security_headers(client.get("/products"))  # redirect to sign in
    with client.get("/static/css/vitrine.css") as static:
        _assert_security_headers(static)
    _assert_security_headers(logged_in_client("viewer").get("/no-such-page"))


def test_no_state_change_over_get(app):
    """Every browser route accepting POST (except the sign-in form itself) refuses GET.

    The REST API (``/api/``) is exempt: a collection answers GET and POST on one URL, and
    its requests carry a bearer token, never the session cookie."""
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/"):
            continue
        if "POST" in rule.methods and rule.endpoint != "web.login":
            assert "GET" not in rule.methods, rule.rule


def test_templates_have_no_inline_script_or_style(app):
    loader = app.jinja_env.loader
    for name in app.jinja_env.list_templates():
        source = loader.get_source(app.jinja_env, name)[0]
        # only external scripts: every <script> tag loads a file and holds no code
        for tag in re.findall(r"<script\b[^>]*>(.*?)</script>", source, re.S | re.I):
            assert not tag.strip(), name
        assert source.count("<script") == len(re.findall(r"<script\s[^>]*\bsrc=", source)), name
        if not name.startswith("channels/print/"):  # PDF pages, rendered offline, never served
            assert "<style" not in source and "style=" not in source, name
        assert "|safe" not in source.replace(" ", ""), name


def test_user_data_is_escaped_everywhere(catalog, db_session, logged_in_client):
    products.create_product(
        db_session,
        {
            "identifier": "XSS-1",
            "family": "tshirts",
            "values": {"name": [{"locale": "en_US", "scope": None, "data": XSS}]},
        },
        Actor.system(),
    )
    client = logged_in_client("editor")
    for path in ("/products/XSS-1?scope=ecommerce&locale=en_US", "/products?locale=en_US"):
        page = client.get(path).get_data(as_text=True)
        assert XSS not in page
        assert "&lt;img src=x onerror=alert(1)&gt;" in page


# --- CSRF, on an app of its own with protection enabled ----------------------------------


@pytest.fixture
def csrf_app(tmp_path):
    """An application with CSRF protection on (the shared test app turns it off)."""
    application = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "c" * 32,
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
        }
    )
    with application.app_context():
        upgrade_database()
        create_user(db.session, "csrf@example.com", "editor", PASSWORD)
        db.session.commit()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def _token(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_csrf_token_is_required_on_post(csrf_app):
    client = csrf_app.test_client()
    credentials = {"email": "csrf@example.com", "password": PASSWORD}
    refused = client.post("/login", data=credentials)
    assert refused.status_code == 400
    assert b"Reload the page" in refused.data
    token = _token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={**credentials, "csrf_token": token}).status_code == 302
    assert client.post("/logout").status_code == 400
    assert client.get("/products").status_code == 200  # still signed in
    token = _token(client.get("/products").get_data(as_text=True))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/products").status_code == 302
