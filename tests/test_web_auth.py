"""Sign-in, sign-out, the sign-in gate and role checks of the browser UI."""

from __future__ import annotations

import pytest

PASSWORD = "a test password"


def test_login_with_good_credentials_starts_a_session(client, make_user, login):
    user = make_user(role="editor", password=PASSWORD)
    response = login(client, user, password=PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"  # the dashboard
    assert client.get("/products").status_code == 200
    assert user.last_login_at is not None


@pytest.mark.parametrize("email", ["known", "unknown@example.com"])
def test_login_failure_does_not_say_which_part_was_wrong(client, make_user, email):
    user = make_user(role="editor", password=PASSWORD)
    response = client.post(
        "/login",
        data={"email": user.email if email == "known" else email, "password": "wrong password"},
    )
    assert response.status_code == 401
    assert b"Invalid e-mail or password." in response.data
    assert client.get("/products").status_code == 302


def test_login_form_has_labelled_inputs(client):
    page = client.get("/login").get_data(as_text=True)
    assert '<label for="email">' in page and '<label for="password">' in page
    assert 'name="csrf_token"' in page


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/products?family=tshirts", "/products?family=tshirts"),
        ("https://evil.example/", "/"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_login_follows_next_only_to_local_paths(client, make_user, target, expected):
    user = make_user(password=PASSWORD)
    response = client.post(
        "/login", data={"email": user.email, "password": PASSWORD, "next": target}
    )
    assert response.headers["Location"] == expected


def test_pages_require_sign_in(client):
    response = client.get("/products?q=x")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert "%2Fproducts" in response.headers["Location"]


def test_anonymous_save_is_sent_to_sign_in(client):
    response = client.post("/products/ANY", data={"version": "1"})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_logout_only_by_post(logged_in_client):
    client = logged_in_client("viewer")
    assert client.get("/logout").status_code == 405
    assert client.get("/products").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert client.get("/products").status_code == 302


def test_signed_in_user_sees_name_and_sign_out_form(logged_in_client):
    client = logged_in_client("viewer")
    page = client.get("/products").get_data(as_text=True)
    assert client.user.email in page
    assert 'action="/logout"' in page and 'method="post"' in page


def test_role_without_read_is_refused(logged_in_client):
    client = logged_in_client("supplier")
    assert client.get("/products").status_code == 403


def test_sections_provided_by_plugins_lead_to_them(logged_in_client):
    client = logged_in_client("viewer")
    assert client.get("/channels").headers["Location"].endswith("/channels/")
    assert client.get("/assets").headers["Location"].endswith("/assets/")
    assert client.get("/settings").status_code == 403  # admins only (tests/test_web_settings.py)
