"""Channels, locales, currencies and association types through the API, as the settings
handle them: a locale becomes active through a channel, a currency a channel sells in
cannot be disabled, a used association type cannot be deleted."""

from __future__ import annotations

import pytest

from pim.models import Completeness, Version

CHANNELS = "/api/v1/channels"
LOCALES = "/api/v1/locales"
CURRENCIES = "/api/v1/currencies"
KINDS = "/api/v1/association-types"


def _errors(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    return {e["field"]: e["message"] for e in response.get_json().get("errors", [])}


def _codes(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["code"] for item in response.get_json()["items"]]


@pytest.fixture
def admin(api_as):
    return api_as("admin")


def test_channels(admin, catalog, db_session):
    assert _codes(admin.get(CHANNELS)) == ["ecommerce", "print"]
    assert admin.get(f"{CHANNELS}/print").get_json() == {
        "code": "print",
        "labels": {},
        "locales": ["fr_FR"],
        "currencies": ["EUR"],
        "category_tree": "master",
    }
    payload = {"code": "mobile", "locales": ["en_US"], "currencies": ["USD"]}
    created = admin.post(CHANNELS, payload)
    assert created.status_code == 201, created.get_json()
    assert created.headers["Location"].endswith(f"{CHANNELS}/mobile")
    assert created.get_json()["category_tree"] is None
    assert admin.post(CHANNELS, payload).status_code == 409
    product = catalog.product("TS-CREW-RED-S")
    rows = db_session.query(Completeness).filter_by(product_id=product.id).count()
    assert rows == 5  # 3 ecommerce locales + print + mobile

    change = {"locales": ["en_US", "de_DE"], "category_tree": "master"}
    first = admin.patch(f"{CHANNELS}/mobile", change)
    assert first.status_code == 200, first.get_json()
    assert first.get_json()["locales"] == ["de_DE", "en_US"]
    assert admin.patch(f"{CHANNELS}/mobile", change).headers["ETag"] == first.headers["ETag"]
    versions = db_session.query(Version).filter_by(resource_type="channel", resource_key="mobile")
    assert versions.count() == 2
    assert "locales" in _errors(admin.patch(f"{CHANNELS}/mobile", {"locales": []}))
    assert "locales" in _errors(admin.patch(f"{CHANNELS}/mobile", {"locales": ["xx_XX"]}))
    assert "category_tree" in _errors(admin.patch(f"{CHANNELS}/mobile", {"category_tree": "men"}))
    assert "locales" in _errors(admin.post(CHANNELS, {"code": "x"}))
    assert "currencies" in _errors(
        admin.post(CHANNELS, {"code": "x", "locales": ["en_US"], "currencies": "EUR"})
    )
    etag = first.headers["ETag"]
    admin.patch(f"{CHANNELS}/mobile", {"labels": {"en_US": "Mobile"}})
    assert (
        admin.patch(f"{CHANNELS}/mobile", {"labels": {}}, headers={"If-Match": etag}).status_code
        == 412
    )


def test_locales_are_added_and_activated_through_a_channel(admin, catalog):
    assert _codes(admin.get(LOCALES)) == ["en_US", "fr_FR", "de_DE"]
    fr = admin.get(f"{LOCALES}/fr_FR").get_json()
    assert fr == {
        "code": "fr_FR",
        "name": "French (France)",
        "active": True,
        "channels": ["ecommerce", "print"],
    }
    created = admin.post(LOCALES, {"code": "it_IT"})
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["active"] is False
    assert created.headers["Location"].endswith(f"{LOCALES}/it_IT")
    assert _codes(admin.get(f"{LOCALES}?active=false")) == ["it_IT"]
    assert admin.post(LOCALES, {"code": "it_IT"}).status_code == 409
    assert "code" in _errors(admin.post(LOCALES, {"code": "klingon_XX"}))
    assert "code" in _errors(admin.post(LOCALES, {"code": 7}))
    etag = created.headers["ETag"]
    admin.patch(f"{CHANNELS}/print", {"locales": ["fr_FR", "it_IT"]})
    activated = admin.get(f"{LOCALES}/it_IT", headers={"If-None-Match": etag})
    assert activated.status_code == 200  # its representation changed
    assert activated.get_json()["channels"] == ["print"]
    assert _codes(admin.get(f"{LOCALES}?active=true&search=it")) == ["it_IT"]
    assert admin.get(f"{LOCALES}/xx_XX").status_code == 404
    assert admin.open("PATCH", f"{LOCALES}/it_IT").status_code == 405


def test_currencies(admin, catalog, db_session):
    assert _codes(admin.get(CURRENCIES)) == ["EUR", "USD"]
    eur = admin.get(f"{CURRENCIES}/EUR").get_json()
    assert eur["name"] == "Euro" and eur["enabled"] and eur["channels"] == ["ecommerce", "print"]
    assert admin.post(CURRENCIES, {"code": "GBP"}).status_code == 201
    assert admin.post(CURRENCIES, {"code": "GBP"}).status_code == 409
    assert "code" in _errors(admin.post(CURRENCIES, {"code": "XYZ"}))
    assert "code" in _errors(admin.post(CURRENCIES, {"code": "EURO"}))
    disabled = admin.patch(f"{CURRENCIES}/GBP", {"enabled": False})
    assert disabled.status_code == 200 and disabled.get_json()["enabled"] is False
    assert admin.patch(f"{CURRENCIES}/GBP", {"enabled": False}).status_code == 200
    versions = db_session.query(Version).filter_by(resource_type="currency", resource_key="GBP")
    assert versions.count() == 2
    assert _codes(admin.get(f"{CURRENCIES}?enabled=false")) == ["GBP"]
    used = admin.patch(f"{CURRENCIES}/EUR", {"enabled": False})
    assert used.status_code == 409
    assert "ecommerce" in used.get_json()["detail"]
    assert "enabled" in _errors(admin.patch(f"{CURRENCIES}/EUR", {"enabled": "no"}))
    assert "enabled" in _errors(admin.patch(f"{CURRENCIES}/EUR", {}))
    etag = admin.get(f"{CURRENCIES}/GBP").headers["ETag"]
    assert admin.get(f"{CURRENCIES}/GBP", headers={"If-None-Match": etag}).status_code == 304


def test_association_types(admin, catalog, db_session):
    assert _codes(admin.get(KINDS)) == ["cross_sell"]
    created = admin.post(KINDS, {"code": "upsell", "labels": {"en_US": "Upsell"}})
    assert created.status_code == 201
    assert created.get_json() == {"code": "upsell", "labels": {"en_US": "Upsell"}}
    assert admin.post(KINDS, {"code": "upsell"}).status_code == 409
    for _ in range(2):
        assert admin.patch(f"{KINDS}/upsell", {"labels": {"fr_FR": "Montée"}}).status_code == 200
    versions = db_session.query(Version).filter_by(
        resource_type="association_type", resource_key="upsell"
    )
    assert versions.count() == 2
    assert _codes(admin.get(f"{KINDS}?search=mont")) == ["upsell"]
    assert _codes(admin.get(f"{KINDS}?search=Montée")) == ["upsell"]  # stored escaped in SQLite
    assert _codes(admin.get(f"{KINDS}?search=50%25")) == []  # LIKE wildcards are literal
    admin.post(
        "/api/v1/products",
        {
            "identifier": "P-1",
            "family": "tshirts",
            "associations": {"upsell": {"products": ["TS-CREW-RED-S"]}},
        },
    )
    used = admin.delete(f"{KINDS}/upsell")
    assert used.status_code == 409 and "association" in used.get_json()["detail"]
    assert admin.delete(f"{KINDS}/cross_sell").status_code == 204
    assert admin.get(f"{KINDS}/cross_sell").status_code == 404
    assert "labels" in _errors(admin.patch(f"{KINDS}/upsell", {"labels": "Upsell"}))
    assert admin.patch(f"{KINDS}/upsell", {"labels": {"en_US": "\x00"}}).status_code == 422


def test_readers_cannot_write(api_as, catalog, client):
    for role in ("editor", "translator", "viewer"):
        caller = api_as(role)
        for url in (CHANNELS, LOCALES, CURRENCIES, KINDS):
            assert caller.get(url).status_code == 200, (role, url)
        assert caller.post(CHANNELS, {"code": "x", "locales": ["en_US"]}).status_code == 403
        assert caller.patch(f"{CHANNELS}/print", {"labels": {}}).status_code == 403
        assert caller.post(LOCALES, {"code": "it_IT"}).status_code == 403
        assert caller.post(CURRENCIES, {"code": "GBP"}).status_code == 403
        assert caller.patch(f"{CURRENCIES}/USD", {"enabled": False}).status_code == 403
        assert caller.post(KINDS, {"code": "x"}).status_code == 403
        assert caller.patch(f"{KINDS}/cross_sell", {"labels": {}}).status_code == 403
        assert caller.delete(f"{KINDS}/cross_sell").status_code == 403
    supplier = api_as("supplier")
    for url in (CHANNELS, f"{LOCALES}/fr_FR", CURRENCIES, KINDS):
        assert supplier.get(url).status_code == 403
        assert client.get(url).status_code == 401
