"""Outdated translations in the editor: marked, with the source then and now side by side,
confirmed one by one or all at once, by the people allowed to."""

from __future__ import annotations

import html
import re

from factories import SYSTEM, value

from pim.services import product_models, products
from pim.services.structure_cache import Structure
from pim.services.translation_status import of_item

PAGE = "/products/LINEN?scope=ecommerce&locale=fr_FR&compare=en_US"
CONFIRM = "/products/LINEN/translations/confirm?scope=ecommerce&locale=fr_FR"


def _outdated_product(db_session):
    """French and German translations of an English name that changed since."""
    product = products.create_product(
        db_session,
        {
            "identifier": "LINEN",
            "family": "tshirts",
            "values": {
                "name": value("Linen shirt", "en_US")
                + value("Chemise en lin", "fr_FR")
                + value("Leinenhemd", "de_DE")
            },
        },
        SYSTEM,
    )
    products.update_product(
        db_session, product, {"values": {"name": value("Linen shirt, slim", "en_US")}}, SYSTEM
    )
    db_session.commit()
    return product


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _outdated(db_session, item, locale):
    structure = Structure.current(db_session)
    return of_item(item, structure, ("en_US", "fr_FR", "de_DE"))[locale].outdated


def _token(body: str, key: str) -> str:
    return re.search(rf'name="confirm" value="({re.escape(key)}:[0-9a-f]+)"', body).group(1)


def test_an_outdated_translation_is_marked_with_its_source_then_and_now(
    catalog, db_session, logged_in_client
):
    _outdated_product(db_session)
    response = logged_in_client("editor").get(PAGE)
    assert response.status_code == 200
    body = _text(response)
    field = body[body.index('id="field-v.name.fr_FR.~"') :]
    field = field[: field.index('data-outdated="name-fr_FR"') + 2000]
    assert "Outdated" in field
    then = field[field.index("Source when translated") :]
    assert "Linen shirt" in then[: then.index("Source now")]
    assert "Linen shirt, slim" in then[then.index("Source now") :]
    assert "Confirm translation" in field
    # the status per locale, near the switcher
    status = body[body.index('class="translation-status"') :]
    status = status[: status.index("</section>")]
    assert re.search(r'data-translation="en_US">.*?source', status, re.S)
    assert re.search(r'data-translation="fr_FR">.*?1 outdated', status, re.S)
    assert re.search(r'data-translation="de_DE">.*?1 outdated', status, re.S)
    assert "Confirm all outdated in fr_FR" in status
    assert "Confirm all outdated in de_DE" not in status  # not shown here: not confirmable


def test_confirming_clears_the_mark_and_shows_in_history(catalog, db_session, logged_in_client):
    product = _outdated_product(db_session)
    client = logged_in_client("editor")
    token = _token(_text(client.get(PAGE)), "name-fr_FR")

    response = client.post(CONFIRM, data={"confirm": token})
    assert response.status_code == 303
    assert _outdated(db_session, product, "fr_FR") == []
    assert _outdated(db_session, product, "de_DE") == ["name-de_DE"]
    body = _text(client.get(response.headers["Location"]))
    assert "Confirmed 1 translation." in body
    assert 'data-outdated="name-fr_FR"' not in body
    assert "Nom (fr_FR): translation" in body and "confirmed as current" in body

    # a second click (a stale page) changes nothing
    client.post(CONFIRM, data={"confirm": token})
    assert "Nothing to confirm" in _text(client.get(PAGE))


def test_confirm_all_on_a_variant_confirms_the_models_translation(
    catalog, db_session, logged_in_client
):
    root = product_models.get_model(db_session, "TS-CREW")
    product_models.update_model(
        db_session, root, {"values": {"name": value("T-shirt col rond", "fr_FR")}}, SYSTEM
    )
    product_models.update_model(
        db_session, root, {"values": {"name": value("Organic crew-neck tee", "en_US")}}, SYSTEM
    )
    db_session.commit()
    client = logged_in_client("editor")
    body = _text(client.get("/products/TS-CREW-RED-S?scope=ecommerce&locale=fr_FR"))
    assert "Held by the model TS-CREW" in body and "Crew-neck T-shirt" in body
    form = body[body.index("Confirm all outdated in fr_FR") - 600 :]
    tokens = re.findall(r'name="confirm" value="([^"]+)"', form[:700])
    assert [t.split(":")[0] for t in tokens] == ["name-fr_FR"]

    response = client.post("/products/TS-CREW-RED-S/translations/confirm", data={"confirm": tokens})
    assert response.status_code == 303
    assert _outdated(db_session, root, "fr_FR") == []
    assert "Confirmed on the model TS-CREW" in _text(client.get(response.headers["Location"]))
    model_page = _text(client.get("/models/TS-CREW?scope=ecommerce&locale=fr_FR"))
    assert 'data-outdated="name-fr_FR"' not in model_page
    assert re.search(r'data-translation="fr_FR">.*?complete', model_page, re.S)


def test_a_translator_confirms_only_their_locales(catalog, db_session, logged_in_client):
    product = _outdated_product(db_session)
    german = logged_in_client("translator")
    german.user.locales = ["de_DE"]
    body = _text(german.get("/products/LINEN?scope=ecommerce&locale=fr_FR"))
    assert 'data-outdated="name-fr_FR"' in body  # shown, but not theirs to confirm
    assert 'value="name-fr_FR:' not in body

    token = _token(_text(logged_in_client("editor").get(PAGE)), "name-fr_FR")
    response = german.post(CONFIRM, data={"confirm": token})
    assert response.status_code == 303
    assert "Not confirmed: you may not confirm translations in fr_FR" in _text(
        german.get(response.headers["Location"])
    )
    assert _outdated(db_session, product, "fr_FR") == ["name-fr_FR"]
    assert logged_in_client("viewer").post(CONFIRM, data={"confirm": token}).status_code == 403
