"""Users through the API: administrators only (reading included), hashes never shown,
DELETE deactivates, the last administrator and oneself are protected."""

from __future__ import annotations

import pytest

from pim.auth import authenticate, issue_token
from pim.models import User, Version

URL = "/api/v1/users"
SECRET_WORDS = ("hash", "password", "token")


def _errors(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    return {e["field"]: e["message"] for e in response.get_json().get("errors", [])}


@pytest.fixture
def admin(api_as):
    return api_as("admin")


def _no_secrets(body: dict) -> None:
    assert not any(word in key for key in body for word in SECRET_WORDS), body


def test_create_get_list_and_update(admin, db_session):
    created = admin.post(
        URL,
        {
            "email": "Ana@Example.com",
            "name": "Ana",
            "role": "translator",
            "locales": ["fr_FR"],
            "password": "long enough secret",
        },
    )
    assert created.status_code == 422  # fr_FR does not exist without the catalogue
    assert "locales" in _errors(created)

    created = admin.post(
        URL,
        {
            "email": "Ana@Example.com",
            "name": "Ana",
            "role": "editor",
            "password": "long enough secret",
        },
    )
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    _no_secrets(body)
    assert body["email"] == "ana@example.com"
    assert body["active"] is True and body["last_login"] is None
    assert created.headers["Location"].endswith(f"{URL}/{body['id']}")
    fetched = admin.get(f"{URL}/{body['id']}")
    assert fetched.get_json() == body
    assert authenticate(db_session, "ana@example.com", "long enough secret") is not None
    assert "email" in _errors(admin.post(URL, {"email": "ana@example.com", "role": "viewer"}))
    listed = admin.get(f"{URL}?search=ana").get_json()["items"]
    assert [u["email"] for u in listed] == ["ana@example.com"]
    for user in admin.get(f"{URL}?limit=100").get_json()["items"]:
        _no_secrets(user)
    assert [u["role"] for u in admin.get(f"{URL}?role=admin").get_json()["items"]] == ["admin"]

    change = {"name": "Ana B.", "role": "viewer"}
    first = admin.patch(f"{URL}/{body['id']}", change)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["role"] == "viewer" and first.get_json()["name"] == "Ana B."
    second = admin.patch(f"{URL}/{body['id']}", change)
    assert second.headers["ETag"] == first.headers["ETag"]
    versions = db_session.query(Version).filter_by(resource_type="user", resource_id=body["id"])
    assert versions.count() == 2

    new_password = admin.patch(f"{URL}/{body['id']}", {"password": "another long secret"})
    assert new_password.status_code == 200
    _no_secrets(new_password.get_json())
    assert authenticate(db_session, "ana@example.com", "another long secret") is not None
    assert "email" in _errors(admin.patch(f"{URL}/{body['id']}", {"email": "bob@example.com"}))
    assert admin.patch(f"{URL}/{body['id']}", {"email": "ANA@example.com"}).status_code == 200


def test_a_translator_keeps_their_locales_when_only_the_name_changes(admin, catalog):
    payload = {"email": "t@example.com", "role": "translator", "locales": ["fr_FR", "de_DE"]}
    user_id = admin.post(URL, payload).get_json()["id"]
    renamed = admin.patch(f"{URL}/{user_id}", {"name": "Tess"}).get_json()
    assert renamed["locales"] == ["fr_FR", "de_DE"]
    assert "locales" in _errors(admin.patch(f"{URL}/{user_id}", {"locales": ["xx_XX"]}))


def test_without_a_password_the_account_uses_tokens_only(admin, db_session, client):
    created = admin.post(URL, {"email": "erp@example.com", "role": "editor", "name": "ERP"})
    assert created.status_code == 201, created.get_json()
    _no_secrets(created.get_json())
    user = db_session.get(User, created.get_json()["id"])
    assert user.password_hash  # a random one, unknown to anybody
    token = issue_token(db_session, user, name="erp")
    db_session.commit()
    reply = client.get("/api/v1/products", headers={"Authorization": f"Bearer {token}"})
    assert reply.status_code == 200


def test_delete_deactivates_and_keeps_the_account(admin, api_as, db_session):
    other = api_as("editor")
    deleted = admin.delete(f"{URL}/{other.user.id}")
    assert deleted.status_code == 204
    fetched = admin.get(f"{URL}/{other.user.id}").get_json()
    assert fetched["active"] is False
    assert other.get("/api/v1/products").status_code == 401  # its tokens stop working
    assert admin.delete(f"{URL}/{other.user.id}").status_code == 204  # already inactive
    assert [u["id"] for u in admin.get(f"{URL}?active=false").get_json()["items"]] == [
        other.user.id
    ]
    restored = admin.patch(f"{URL}/{other.user.id}", {"active": True})
    assert restored.get_json()["active"] is True
    assert other.get("/api/v1/products").status_code == 200
    last = db_session.query(Version).filter_by(resource_type="user", resource_id=other.user.id)
    assert last.order_by(Version.id.desc()).first().author == admin.user.email


def test_the_last_admin_and_oneself_are_protected(admin, api_as):
    me = admin.user.id
    refused = admin.delete(f"{URL}/{me}")
    assert refused.status_code == 409
    assert "own account" in refused.get_json()["detail"]
    demoted = admin.patch(f"{URL}/{me}", {"role": "editor"})
    assert demoted.status_code == 422
    assert "role" in _errors(demoted)
    second = api_as("admin")
    assert admin.patch(f"{URL}/{second.user.id}", {"role": "editor"}).status_code == 200
    assert admin.get(f"{URL}/{me}").get_json()["role"] == "admin"


def test_etags(admin, api_as):
    other = api_as("viewer")
    etag = admin.get(f"{URL}/{other.user.id}").headers["ETag"]
    assert admin.get(f"{URL}/{other.user.id}", headers={"If-None-Match": etag}).status_code == 304
    assert (
        admin.patch(f"{URL}/{other.user.id}", {"name": "V"}, headers={"If-Match": etag}).status_code
        == 200
    )
    assert (
        admin.patch(f"{URL}/{other.user.id}", {"name": "W"}, headers={"If-Match": etag}).status_code
        == 412
    )
    assert admin.delete(f"{URL}/{other.user.id}", headers={"If-Match": etag}).status_code == 412


def test_bad_input(admin):
    bad = admin.post(
        URL, {"email": 5, "role": "owner", "active": "yes", "locales": "fr_FR", "x": 1}
    )
    assert bad.status_code == 422
    assert {"email", "role", "active", "locales", "x"} <= set(_errors(bad))
    assert "email" in _errors(admin.post(URL, {"email": "not an address", "role": "viewer"}))
    short = admin.post(URL, {"email": "s@example.com", "role": "viewer", "password": "short"})
    assert "password" in _errors(short)
    assert "short" not in short.get_data(as_text=True)
    nul = admin.post(URL, {"email": "n@example.com", "role": "viewer", "name": "a\x00"})
    assert nul.status_code == 422
    assert admin.get(f"{URL}/999999").status_code == 404
    assert admin.get(f"{URL}/{10**30}").status_code == 404
    assert admin.get(f"{URL}/abc").status_code == 404
    assert admin.get(f"{URL}?role=owner").status_code == 422
    assert admin.patch(f"{URL}/999999", {"name": "x"}).status_code == 404


def test_only_admins_manage_users(api_as, client):
    for role in ("editor", "translator", "viewer", "supplier"):
        caller = api_as(role)
        assert caller.get(URL).status_code == 403, role
        assert caller.get(f"{URL}/{caller.user.id}").status_code == 403
        assert caller.post(URL, {"email": "x@example.com", "role": "admin"}).status_code == 403
        assert caller.patch(f"{URL}/{caller.user.id}", {"role": "admin"}).status_code == 403
        assert caller.delete(f"{URL}/{caller.user.id}").status_code == 403
        assert client.get(URL).status_code == 401
        assert client.delete(f"{URL}/{caller.user.id}").status_code == 401
