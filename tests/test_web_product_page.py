"""The product page: values and inherited values, saving, 422, 409, history and revert."""

from __future__ import annotations

import html

from factories import SYSTEM, value

from pim.models import Completeness, Version
from pim.services import history, products
from pim.services.actors import Actor

URL = "/products/TS-CREW-RED-S?scope=ecommerce&locale=en_US"


def _form(version, **fields) -> dict:
    """Form data listing ``fields`` (input name → value) as shown on the page."""
    data = {"version": str(version), "fields": []}
    for name, content in fields.items():
        key = name if name.startswith("v.") else f"v.{name}"
        data["fields"].append(key.rsplit(".", 1)[0] if key.count(".") > 3 else key)
        data[key] = content
    return data


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _standalone(session, identifier, values=None):
    return products.create_product(
        session, {"identifier": identifier, "family": "tshirts", "values": values or {}}, SYSTEM
    )


def test_page_shows_own_and_inherited_values(catalog, logged_in_client):
    response = logged_in_client("viewer").get(URL)
    text = _text(response)
    assert response.status_code == 200
    assert "Crew-neck T-shirt" in text  # name, from the root model
    assert "inherited from" in text and 'href="/models/TS-CREW?' in response.get_data(as_text=True)
    assert "€19.90, $24.00" in text  # prices formatted by Babel for the UI language
    assert "4006381333931" in text  # own EAN
    assert "TS-CREW-RED" in text and "T-shirts" in text


def test_editor_gets_inputs_only_for_owned_attributes(catalog, logged_in_client):
    page = logged_in_client("editor").get(URL).get_data(as_text=True)
    assert 'name="v.ean.~.~"' in page and 'value="4006381333931"' in page
    assert 'name="v.weight.~.~.amount"' in page and 'name="v.weight.~.~.unit"' in page
    assert 'name="v.name.en_US.~"' not in page  # owned by the root model
    assert 'name="version" value="1"' in page


def test_viewer_sees_no_form_and_cannot_save(catalog, logged_in_client):
    client = logged_in_client("viewer")
    assert 'name="version"' not in client.get(URL).get_data(as_text=True)
    response = client.post(URL, data=_form(1, **{"ean.~.~": "4006381333955"}))
    assert response.status_code == 403
    assert catalog.product("TS-CREW-RED-S").values["ean"][0]["data"] == "4006381333931"


def test_save_records_a_version_and_redirects(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    data = _form(1, **{"weight.~.~.amount": "180", "weight.~.~.unit": "GRAM"})
    response = client.post(URL, data=data)
    assert response.status_code == 302
    assert response.headers["Location"] == URL
    product = catalog.product("TS-CREW-RED-S")
    assert product.values["weight"] == value({"amount": "180", "unit": "GRAM"})
    latest = history.list_versions(db_session, "product", product.id)[0]
    assert (latest.number, latest.author, latest.source) == (2, client.user.email, "ui")
    assert latest.changes["values"]["weight"]["new"] == {"amount": "180", "unit": "GRAM"}
    assert "Saved TS-CREW-RED-S (version 2)." in _text(client.get(URL))


def test_save_in_two_locales_updates_completeness(catalog, db_session, logged_in_client):
    product = _standalone(db_session, "SOLO-1")
    client = logged_in_client("editor")
    ratio = _ratio(db_session, product, "en_US")
    data = _form(
        1, **{"name.en_US.~": "Linen shirt", "name.fr_FR.~": "Chemise en lin", "name.de_DE.~": ""}
    )
    response = client.post("/products/SOLO-1?scope=ecommerce&locale=en_US", data=data)
    assert response.status_code == 302
    assert product.values["name"] == value("Linen shirt", "en_US") + value(
        "Chemise en lin", "fr_FR"
    )
    assert _ratio(db_session, product, "en_US") > ratio
    assert _ratio(db_session, product, "de_DE") == ratio


def _ratio(session, product, locale: str) -> int:
    from sqlalchemy import select

    from pim.models import Channel, Locale

    return session.scalar(
        select(Completeness.ratio)
        .join(Channel, Channel.id == Completeness.channel_id)
        .join(Locale, Locale.id == Completeness.locale_id)
        .where(
            Completeness.product_id == product.id,
            Channel.code == "ecommerce",
            Locale.code == locale,
        )
    )


def test_every_input_type_round_trips(catalog, db_session, logged_in_client):
    product = _standalone(db_session, "TYPES-1")
    client = logged_in_client("editor")
    data = _form(
        1,
        **{
            "description.en_US.ecommerce": "Soft\r\ncotton",
            "pieces.~.~": "2",
            "price.~.~.EUR": "29.9",
            "price.~.~.USD": "",
            "washable.~.~": "1",
            "release_date.~.~": "2025-03-01",
            "brand.~.~": "acme",
            "material.~.~": ["cotton", "elastane"],
        },
    )
    assert (
        client.post("/products/TYPES-1?scope=ecommerce&locale=en_US", data=data).status_code == 302
    )
    values = product.values
    assert values["description"] == value("Soft\ncotton", "en_US", "ecommerce")
    assert values["pieces"] == value(2)
    assert values["price"] == value([{"amount": "29.90", "currency": "EUR"}])
    assert values["washable"] == value(True)
    assert values["release_date"] == value("2025-03-01")
    assert values["brand"] == value("acme")
    assert values["material"] == value(["cotton", "elastane"])
    page = client.get("/products/TYPES-1?scope=ecommerce&locale=en_US").get_data(as_text=True)
    assert 'value="29.90"' in page and 'value="2025-03-01"' in page
    assert '<option value="acme" selected>' in page


def test_unticked_checkbox_means_no_only_when_the_field_was_shown(
    catalog, db_session, logged_in_client
):
    product = _standalone(db_session, "BOOL-1", {"washable": value(True)})
    client = logged_in_client("editor")
    url = "/products/BOOL-1?scope=ecommerce&locale=en_US"
    client.post(url, data={"version": "1", "fields": ["v.pieces.~.~"], "v.pieces.~.~": "3"})
    assert product.values["washable"] == value(True)  # not on the form: untouched
    client.post(url, data={"version": "2", "fields": ["v.washable.~.~"]})
    assert product.values["washable"] == value(False)


def test_invalid_value_answers_422_with_the_message_by_the_field(catalog, logged_in_client):
    client = logged_in_client("editor")
    response = client.post(URL, data=_form(1, **{"ean.~.~": "12AB"}))
    text = _text(response)
    assert response.status_code == 422
    assert "does not match the pattern" in text
    assert 'id="v.ean.~.~-error"' in response.get_data(as_text=True)
    assert 'value="12AB"' in text  # the user's input is kept
    assert "Nothing was saved" in text
    assert catalog.product("TS-CREW-RED-S").values["ean"][0]["data"] == "4006381333931"


def test_stale_version_answers_409_showing_the_other_change(
    catalog, db_session, logged_in_client, make_user
):
    other = make_user(email="colleague@example.com")
    product = catalog.product("TS-CREW-RED-S")
    products.update_product(
        db_session,
        product,
        {"values": {"ean": value("4006381333955")}},
        Actor.for_user(other, "ui"),
        expected_version=1,
    )
    db_session.commit()
    client = logged_in_client("editor")
    response = client.post(URL, data=_form(1, **{"ean.~.~": "4006381333962"}))
    text = _text(response)
    assert response.status_code == 409
    assert "colleague@example.com" in text
    assert "4006381333931 → 4006381333955" in text
    assert 'name="version" value="2"' in text
    assert 'value="4006381333962"' in text  # the user's input, ready to re-apply
    assert "Saved value now" in text
    assert product.values["ean"] == value("4006381333955")
    again = client.post(URL, data=_form(2, **{"ean.~.~": "4006381333962"}))
    assert again.status_code == 302
    assert product.values["ean"] == value("4006381333962")


def test_history_lists_versions_and_reverts(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    client.post(URL, data=_form(1, **{"ean.~.~": "4006381333955"}))
    page = _text(client.get(URL))
    assert "Version 2" in page and "4006381333931" in page and client.user.email in page
    assert "Revert to this version" in page
    response = client.post("/products/TS-CREW-RED-S/versions/1/revert?scope=ecommerce&locale=en_US")
    assert response.status_code == 302
    product = catalog.product("TS-CREW-RED-S")
    assert product.values["ean"] == value("4006381333931")
    latest = (
        db_session.query(Version)
        .filter_by(resource_id=product.id)
        .order_by(Version.number.desc())
        .first()
    )
    assert latest.number == 3 and latest.comment == "reverted to version 1"
    assert "Reverted to version 1." in _text(client.get(URL))


def test_viewer_cannot_revert(catalog, logged_in_client):
    client = logged_in_client("viewer")
    assert "Revert to this version" not in client.get(URL).get_data(as_text=True)
    assert client.post("/products/TS-CREW-RED-S/versions/1/revert").status_code == 403


def test_unknown_product_and_version_are_404(catalog, logged_in_client):
    client = logged_in_client("editor")
    assert client.get("/products/NOPE").status_code == 404
    assert client.post("/products/TS-CREW-RED-S/versions/99/revert").status_code == 404


def test_missing_version_field_is_a_bad_request(catalog, logged_in_client):
    client = logged_in_client("editor")
    assert client.post(URL, data={"fields": ["v.ean.~.~"]}).status_code == 400


def test_model_page_shows_values_children_and_variants(catalog, logged_in_client):
    client = logged_in_client("viewer")
    root = _text(client.get("/models/TS-CREW?scope=ecommerce&locale=en_US"))
    assert "Crew-neck T-shirt" in root and "TS-CREW-RED" in root
    sub = _text(client.get("/models/TS-CREW-RED?scope=ecommerce&locale=en_US"))
    assert "TS-CREW-RED-S" in sub and "TS-CREW-RED-M" in sub
    assert "inherited from" in sub
    assert client.get("/models/NOPE").status_code == 404


def test_conflict_keeps_the_other_change_where_the_user_typed_nothing(
    catalog, db_session, logged_in_client, make_user
):
    other = make_user(email="colleague@example.com")
    product = catalog.product("TS-CREW-RED-S")
    products.update_product(
        db_session,
        product,
        {"values": {"weight": value({"amount": "200", "unit": "GRAM"})}, "lifecycle": "active"},
        Actor.for_user(other, "ui"),
    )
    db_session.commit()
    client = logged_in_client("editor")
    # the user's form was based on version 1: weight empty, lifecycle "new"; they change the EAN
    form = _form(
        1,
        **{"ean.~.~": "4006381333962", "weight.~.~.amount": "", "weight.~.~.unit": "GRAM"},
    )
    form["fields"].append("enabled")
    form.update({"enabled": "1", "workflow_status": "draft", "lifecycle": "new"})
    response = client.post(URL, data=form)
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'name="v.weight.~.~.amount" inputmode="decimal" value="200"' in page
    assert '<option value="active" selected>' in page
    assert 'value="4006381333962"' in page
    resubmit = {
        **form,
        "version": "2",
        "v.weight.~.~.amount": "200",
        "lifecycle": "active",
    }
    assert client.post(URL, data=resubmit).status_code == 302
    assert product.values["weight"] == value({"amount": "200", "unit": "GRAM"})
    assert product.values["ean"] == value("4006381333962")
    assert product.lifecycle == "active"
