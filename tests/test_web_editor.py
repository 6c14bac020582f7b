"""The product and model editor: side by side locales, translators, completeness links,
categories, associations, workflow, the model's own form and conflicts, the variants
matrix, comparing versions, and escaping — as users see it, on both databases."""

from __future__ import annotations

import html
import re

from factories import SYSTEM, value
from sqlalchemy import select

from pim.models import Association, Product, ProductModel, Version
from pim.services import product_models, products
from pim.services.actors import Actor

XSS = "<img src=x onerror=alert(1)>"
ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"
SOLO = "/products/SOLO-1?scope=ecommerce&locale=en_US"
MODEL = "/models/TS-CREW?scope=ecommerce&locale=en_US"


def _text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def _standalone(session, identifier="SOLO-1", values=None, **fields):
    return products.create_product(
        session,
        {"identifier": identifier, "family": "tshirts", "values": values or {}, **fields},
        SYSTEM,
    )


def _post_forms(page: str) -> list[str]:
    """The POST forms of a page, minus the sign-out form of the top bar."""
    forms = re.findall(r'<form method="post".*?</form>', page, re.S)
    return [form for form in forms if "/logout" not in form]


def _versions(session, resource: str, item_id: int) -> list[Version]:
    return list(
        session.scalars(
            select(Version)
            .where(Version.resource_type == resource, Version.resource_id == item_id)
            .order_by(Version.number)
        )
    )


# --- side by side, translators, viewers ---------------------------------------------------


def test_side_by_side_shows_the_reference_locale_read_only(catalog, db_session, logged_in_client):
    _standalone(db_session, values={"name": value("Linen shirt", "en_US")})
    client = logged_in_client("editor")
    page = client.get("/products/SOLO-1?scope=ecommerce&locale=fr_FR&compare=en_US")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert 'name="v.name.fr_FR.~"' in body
    assert 'name="v.name.en_US.~"' not in body and 'name="v.name.de_DE.~"' not in body
    reference = body[body.index('class="field field-reference"') :]
    assert "Linen shirt" in reference[: reference.index("</div>")]
    assert "Reference: en_US (read-only)" in body
    assert '<option value="en_US" selected>en_US (reference, read-only)</option>' in body
    # the choice survives the save
    response = client.post(
        "/products/SOLO-1?scope=ecommerce&locale=fr_FR&compare=en_US",
        data={"version": "1", "fields": ["v.name.fr_FR.~"], "v.name.fr_FR.~": "Chemise en lin"},
    )
    assert response.headers["Location"].endswith("locale=fr_FR&compare=en_US")
    assert catalog.product("SOLO-1").values["name"] == value("Linen shirt", "en_US") + value(
        "Chemise en lin", "fr_FR"
    )


def test_without_reference_every_locale_is_a_field(catalog, db_session, logged_in_client):
    _standalone(db_session)
    body = logged_in_client("editor").get(SOLO).get_data(as_text=True)
    for locale in ("en_US", "fr_FR", "de_DE"):
        assert f'name="v.name.{locale}.~"' in body
    assert "field-reference" not in body


def test_translator_edits_only_localizable_values_of_their_locales(
    catalog, db_session, logged_in_client
):
    product = _standalone(
        db_session, values={"name": value("Linen shirt", "en_US"), "pieces": value(2)}
    )
    client = logged_in_client("translator")
    client.user.locales = ["fr_FR"]
    response = client.get("/products/SOLO-1")
    body = response.get_data(as_text=True)
    # lands on their locale, side by side with a locale they do not translate
    assert 'name="v.name.fr_FR.~"' in body and 'name="v.name.en_US.~"' not in body
    assert "Reference: en_US (read-only)" in body and "Linen shirt" in body
    assert 'name="v.pieces.~.~"' not in body and 'name="enabled"' not in body
    assert 'name="categories"' not in body and "Submit for review" not in body
    assert "You translate fr_FR" in _text(response)
    response = client.post(
        "/products/SOLO-1?scope=ecommerce&locale=fr_FR",
        data={
            "version": "1",
            "fields": ["v.name.fr_FR.~", "v.name.en_US.~", "v.pieces.~.~", "enabled", "categories"],
            "v.name.fr_FR.~": "Chemise en lin",
            "v.name.en_US.~": "Hacked",
            "v.pieces.~.~": "9",
            "lifecycle": "discontinued",
            "categories": ["men"],
        },
    )
    assert response.status_code == 302
    assert product.values["name"] == value("Linen shirt", "en_US") + value(
        "Chemise en lin", "fr_FR"
    )
    assert product.values["pieces"] == value(2)
    assert product.enabled and product.lifecycle == "new" and product.categories == []


def test_translator_without_assigned_locales_translates_every_locale(
    catalog, db_session, logged_in_client
):
    _standalone(db_session)
    body = logged_in_client("translator").get(SOLO).get_data(as_text=True)
    assert 'name="v.name.en_US.~"' in body and 'name="v.name.de_DE.~"' in body
    assert 'name="v.pieces.~.~"' not in body and 'name="v.brand.~.~"' not in body


def test_translator_cannot_use_editor_actions(catalog, logged_in_client):
    client = logged_in_client("translator")
    for path in (
        "/products/TS-CREW-RED-S/workflow",
        "/products/TS-CREW-RED-S/associations",
        "/products/TS-CREW-RED-S/versions/1/revert",
        "/models/TS-CREW/variants",
        "/models/TS-CREW/workflow",
    ):
        assert client.post(path, data={"action": "submit", "version": "1"}).status_code == 403


def test_viewer_gets_no_form_and_every_write_is_refused(catalog, db_session, logged_in_client):
    client = logged_in_client("viewer")
    for path in ("/products/TS-CREW-RED-S", "/models/TS-CREW", "/models/TS-CREW-RED"):
        body = client.get(path + "?scope=ecommerce&locale=en_US").get_data(as_text=True)
        assert _post_forms(body) == [], path
        assert (
            "<input"
            not in body.split('class="switcher"')[1].split("</form>", 1)[1].split('id="compare"')[0]
        )
    for path in (
        "/products/TS-CREW-RED-S",
        "/models/TS-CREW",
        "/models/TS-CREW/versions/1/revert",
        "/models/TS-CREW/associations",
        "/models/TS-CREW/variants",
        "/products/TS-CREW-RED-S/workflow",
    ):
        assert client.post(path, data={"version": "1"}).status_code == 403, path
    assert catalog.product("TS-CREW-RED-S").version == 1


def test_admins_and_editors_get_every_form(catalog, logged_in_client):
    for role in ("admin", "editor"):
        body = logged_in_client(role).get(MODEL).get_data(as_text=True)
        assert 'action="/models/TS-CREW?' in body and ">Save</button>" in body, role
        assert "Submit for review" in body and 'name="categories"' in body, role
        assert "Create the variant red / l" in body and 'id="association-target"' in body, role
    assert logged_in_client("supplier").get(MODEL).status_code == 403


def test_every_post_form_carries_the_csrf_token(catalog, db_session, logged_in_client):
    product_models.update_model(
        db_session, catalog.model("TS-CREW"), {"values": {"name": value("Tee", "en_US")}}, SYSTEM
    )
    client = logged_in_client("editor")
    for path in (
        "/products/TS-CREW-RED-S?from=1&to=1",
        "/models/TS-CREW?from=1&to=2",
        "/models/TS-CREW-RED",
    ):
        forms = _post_forms(client.get(path).get_data(as_text=True))
        assert forms, path
        for form in forms:
            assert 'name="csrf_token"' in form, form[:200]


# --- inherited values, validation, completeness links --------------------------------------


def test_inherited_values_are_read_only_with_a_link_to_their_owner(catalog, logged_in_client):
    body = logged_in_client("editor").get("/models/TS-CREW-RED?scope=ecommerce&locale=en_US")
    page = body.get_data(as_text=True)
    assert 'name="v.name.en_US.~"' not in page  # the root model owns the name
    assert 'inherited from <a href="/models/TS-CREW?' in page
    assert 'name="v.color.~.~"' in page  # the sub-model's own axis


def test_refused_save_lists_problems_linked_to_their_fields(catalog, logged_in_client):
    response = logged_in_client("editor").post(
        "/products/TS-CREW-RED-S?scope=ecommerce&locale=en_US",
        data={"version": "1", "fields": ["v.ean.~.~"], "v.ean.~.~": "12AB"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 422
    assert '<a href="#field-v.ean.~.~">' in body and 'id="field-v.ean.~.~"' in body
    assert "data-dirty" in body  # the unsaved input still warns before leaving


def test_completeness_links_each_missing_value_to_its_field(catalog, db_session, logged_in_client):
    _standalone(db_session)
    client = logged_in_client("viewer")
    body = client.get(SOLO).get_data(as_text=True)
    ecommerce_en = body[body.index('data-missing="ecommerce-en_US"') :].split("</ul>")[0]
    assert '<a href="#field-v.name.en_US.~">Name</a>' in ecommerce_en
    assert 'href="#field-v.description.en_US.ecommerce"' in ecommerce_en
    # the French name is on this page too (all locales are): no need to leave it
    print_fr = body[body.index('data-missing="print-fr_FR"') :].split("</ul>")[0]
    assert '<a href="#field-v.name.fr_FR.~">Name</a>' in print_fr
    # from the print channel (French only), English and ecommerce values are elsewhere
    body = client.get("/products/SOLO-1?scope=print&locale=fr_FR").get_data(as_text=True)
    ecommerce_en = body[body.index('data-missing="ecommerce-en_US"') :].split("</ul>")[0]
    link = "/products/SOLO-1?scope=ecommerce&amp;locale=en_US#field-v.description.en_US.ecommerce"
    assert f'href="{link}"' in ecommerce_en
    target = client.get(html.unescape(link).split("#")[0]).get_data(as_text=True)
    assert 'id="field-v.description.en_US.ecommerce"' in target


def test_completeness_links_an_inherited_value_to_the_model_owning_it(catalog, logged_in_client):
    client = logged_in_client("editor")
    body = client.get("/products/TS-CREW-RED-S?scope=ecommerce&locale=fr_FR").get_data(as_text=True)
    missing = body[body.index('data-missing="ecommerce-fr_FR"') :].split("</ul>")[0]
    link = "/models/TS-CREW?scope=ecommerce&amp;locale=fr_FR#field-v.name.fr_FR.~"
    assert f'href="{link}"' in missing
    model_page = client.get(html.unescape(link).split("#")[0]).get_data(as_text=True)
    assert 'id="field-v.name.fr_FR.~"' in model_page and 'name="v.name.fr_FR.~"' in model_page


def test_completeness_panel_follows_a_save(catalog, db_session, logged_in_client):
    _standalone(db_session)
    client = logged_in_client("editor")
    client.post(
        SOLO,
        data={"version": "1", "fields": ["v.name.en_US.~"], "v.name.en_US.~": "Linen shirt"},
    )
    body = client.get(SOLO).get_data(as_text=True)
    ecommerce_en = body[body.index('data-missing="ecommerce-en_US"') :].split("</ul>")[0]
    assert "#field-v.name.en_US.~" not in ecommerce_en
    assert "#field-v.name.fr_FR.~" in body  # still missing in French


# --- categories --------------------------------------------------------------------------


def test_category_picker_saves_with_the_product(catalog, db_session, logged_in_client):
    product = _standalone(db_session, categories=["women"])
    client = logged_in_client("editor")
    body = client.get(SOLO).get_data(as_text=True)
    assert 'name="fields" value="categories"' in body
    assert 'id="category-women" name="categories" value="women" checked' in body
    assert 'id="category-women_tops" name="categories" value="women_tops">' in body
    assert "tree of ecommerce, print" in body
    form = {"version": "1", "fields": ["categories"], "categories": ["men", "women_tops"]}
    assert client.post(SOLO, data=form).status_code == 302
    assert sorted(c.code for c in product.categories) == ["men", "women_tops"]
    # without the picker on the form, categories stay as they are
    client.post(SOLO, data={"version": "2", "fields": ["v.pieces.~.~"], "v.pieces.~.~": "3"})
    assert sorted(c.code for c in product.categories) == ["men", "women_tops"]
    client.post(SOLO, data={"version": "3", "fields": ["categories"]})  # all unticked
    assert product.categories == []


def test_variant_shows_the_categories_of_its_models(catalog, logged_in_client):
    body = _text(logged_in_client("viewer").get("/products/TS-CREW-RED-S"))
    assert re.search(r"From the model <a [^>]*>TS-CREW</a>: women_tops", body)
    assert "None on this level." in body


def test_unknown_category_is_refused_with_a_message(catalog, db_session, logged_in_client):
    _standalone(db_session)
    response = logged_in_client("editor").post(
        SOLO, data={"version": "1", "fields": ["categories"], "categories": ["nope"]}
    )
    assert response.status_code == 422
    assert "unknown categories: nope" in _text(response)


# --- associations ------------------------------------------------------------------------


def _associations(session, product) -> list[tuple]:
    rows = session.execute(
        select(Association.target_product_id, Association.target_model_id).where(
            Association.owner_product_id == product.id
        )
    )
    return sorted(rows.all(), key=str)


def test_associations_add_by_identifier_and_remove(catalog, db_session, logged_in_client):
    product = catalog.product("TS-CREW-RED-S")
    other = catalog.product("TS-CREW-RED-M")
    client = logged_in_client("editor")
    url = "/products/TS-CREW-RED-S/associations?scope=ecommerce&locale=en_US"
    response = client.post(
        url, data={"action": "add", "type": "cross_sell", "target": "TS-CREW-RED-M"}
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith("#associations")
    client.post(url, data={"action": "add", "type": "cross_sell", "target": "TS-CREW"})
    assert _associations(db_session, product) == sorted(
        [(other.id, None), (None, catalog.model("TS-CREW").id)], key=str
    )
    page = _text(client.get("/products/TS-CREW-RED-S"))
    assert "Added TS-CREW to cross_sell." in page
    assert "Remove TS-CREW-RED-M from cross_sell" in page
    refused = client.post(url, data={"action": "add", "type": "cross_sell", "target": "NOPE"})
    assert refused.status_code == 303
    assert "there is no product or product model 'NOPE'" in _text(
        client.get("/products/TS-CREW-RED-S")
    )
    client.post(
        url,
        data={
            "action": "remove",
            "type": "cross_sell",
            "kind": "products",
            "target": "TS-CREW-RED-M",
        },
    )
    assert _associations(db_session, product) == [(None, catalog.model("TS-CREW").id)]
    history = _versions(db_session, "product", product.id)
    assert [v.source for v in history[1:]] == ["ui", "ui", "ui"]


def test_viewer_sees_associations_without_forms(catalog, db_session, logged_in_client):
    product = catalog.product("TS-CREW-RED-S")
    products.update_product(
        db_session,
        product,
        {"associations": {"cross_sell": {"products": ["TS-CREW-RED-M"]}}},
        SYSTEM,
    )
    body = _text(logged_in_client("viewer").get("/products/TS-CREW-RED-S"))
    section = body[body.index('id="associations"') :].split("</section>")[0]
    assert "TS-CREW-RED-M" in section and "Remove" not in section and "<form" not in section


def test_model_associations(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    client.post(
        "/models/TS-CREW/associations",
        data={"action": "add", "type": "cross_sell", "target": "TS-CREW-RED-S"},
    )
    model = catalog.model("TS-CREW")
    rows = db_session.scalars(
        select(Association.target_product_id).where(Association.owner_model_id == model.id)
    ).all()
    assert rows == [catalog.product("TS-CREW-RED-S").id]


# --- workflow ----------------------------------------------------------------------------


def test_workflow_submit_approve_and_reject_with_a_comment(catalog, db_session, logged_in_client):
    product = catalog.product("TS-CREW-RED-S")
    client = logged_in_client("editor")
    url = "/products/TS-CREW-RED-S/workflow?scope=ecommerce&locale=en_US"
    assert "Submit for review" in _text(client.get("/products/TS-CREW-RED-S"))
    assert client.post(url, data={"action": "submit", "version": "1"}).status_code == 303
    assert product.workflow_status == "in_review"
    page = _text(client.get("/products/TS-CREW-RED-S"))
    assert "Submitted for review." in page and "Approve" in page and "Reject" in page
    client.post(url, data={"action": "reject", "version": "2", "comment": "  "})
    assert product.workflow_status == "in_review"
    assert "a comment saying why is required to reject" in _text(
        client.get("/products/TS-CREW-RED-S")
    )
    client.post(url, data={"action": "reject", "version": "2", "comment": "Fix the EAN"})
    assert product.workflow_status == "draft"
    latest = _versions(db_session, "product", product.id)[-1]
    assert latest.comment == "Fix the EAN" and latest.changes["workflow_status"]["new"] == "draft"
    client.post(url, data={"action": "submit", "version": "3"})
    client.post(url, data={"action": "approve", "version": "4"})
    assert product.workflow_status == "approved"
    assert "Back to draft" in _text(client.get("/products/TS-CREW-RED-S"))


def test_workflow_refuses_a_stale_page_and_an_action_that_no_longer_applies(
    catalog, db_session, logged_in_client
):
    product = catalog.product("TS-CREW-RED-S")
    client = logged_in_client("editor")
    url = "/products/TS-CREW-RED-S/workflow"
    client.post(url, data={"action": "submit", "version": "1"})
    client.post(url, data={"action": "approve", "version": "1"})  # saw version 1
    assert product.workflow_status == "in_review"
    assert "saved by someone else since you opened it" in _text(
        client.get("/products/TS-CREW-RED-S")
    )
    client.post(url, data={"action": "submit", "version": "2"})  # already in review
    assert "Not changed: it is in review now." in _text(client.get("/products/TS-CREW-RED-S"))
    assert client.post(url, data={"action": "publish", "version": "2"}).status_code == 400


def test_model_workflow(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    client.post("/models/TS-CREW/workflow", data={"action": "submit", "version": "1"})
    assert catalog.model("TS-CREW").workflow_status == "in_review"
    client.post("/models/TS-CREW/workflow", data={"action": "reopen", "version": "2"})
    assert catalog.model("TS-CREW").workflow_status == "in_review"  # reopen is from approved


# --- the model's own form ---------------------------------------------------------------


def test_model_values_are_editable_and_flow_to_the_variants(catalog, db_session, logged_in_client):
    model = catalog.model("TS-CREW")
    client = logged_in_client("editor")
    body = client.get(MODEL).get_data(as_text=True)
    assert 'name="v.name.fr_FR.~"' in body and 'name="version" value="1"' in body
    assert 'name="v.size.~.~"' not in body  # a variant axis, owned below
    response = client.post(
        MODEL,
        data={"version": "1", "fields": ["v.name.fr_FR.~"], "v.name.fr_FR.~": "T-shirt col rond"},
    )
    assert response.status_code == 302 and response.headers["Location"] == MODEL
    assert model.values["name"] == value("Crew-neck T-shirt", "en_US") + value(
        "T-shirt col rond", "fr_FR"
    )
    assert "Saved TS-CREW (version 2)." in _text(client.get(MODEL))
    variant = _text(client.get("/products/TS-CREW-RED-S?scope=print&locale=fr_FR"))
    assert "T-shirt col rond" in variant


def test_model_save_answers_422_with_the_message_by_the_field(catalog, logged_in_client):
    response = logged_in_client("editor").post(
        MODEL, data={"version": "1", "fields": ["v.name.en_US.~"], "v.name.en_US.~": "x" * 81}
    )
    assert response.status_code == 422
    assert "the maximum is 80" in _text(response)
    assert 'value="' + "x" * 81 + '"' in response.get_data(as_text=True)
    assert catalog.model("TS-CREW").values["name"] == value("Crew-neck T-shirt", "en_US")


def test_model_conflict_shows_the_other_change_and_keeps_the_input(
    catalog, db_session, logged_in_client, make_user
):
    other = make_user(email="colleague@example.com")
    model = catalog.model("TS-CREW")
    product_models.update_model(
        db_session,
        model,
        {"values": {"name": value("Crew tee", "en_US")}},
        Actor.for_user(other, "ui"),
        expected_version=1,
    )
    db_session.commit()
    client = logged_in_client("editor")
    form = {
        "version": "1",
        "fields": ["v.name.en_US.~", "v.name.fr_FR.~"],
        "v.name.en_US.~": "Crew-neck T-shirt",  # untouched by this user
        "v.name.fr_FR.~": "T-shirt col rond",
    }
    response = client.post(MODEL, data=form)
    text = _text(response)
    assert response.status_code == 409
    assert "Someone else saved this product model while you were editing" in text
    assert "colleague@example.com" in text
    assert "Name (en_US): Crew-neck T-shirt → Crew tee" in text
    assert 'name="version" value="2"' in text
    assert 'value="T-shirt col rond"' in text and 'value="Crew tee"' in text
    assert "Saved value now" in text
    assert model.values["name"] == value("Crew tee", "en_US")
    again = client.post(MODEL, data={**form, "version": "2", "v.name.en_US.~": "Crew tee"})
    assert again.status_code == 302
    assert model.values["name"] == value("Crew tee", "en_US") + value("T-shirt col rond", "fr_FR")


def test_model_history_compares_and_reverts(catalog, db_session, logged_in_client):
    model = catalog.model("TS-CREW")
    client = logged_in_client("editor")
    client.post(MODEL, data={"version": "1", "fields": ["v.brand.~.~"], "v.brand.~.~": "acme"})
    page = _text(client.get("/models/TS-CREW?from=1&to=2"))
    assert "From version 1 to version 2" in page
    assert "Revert to version 1" in page
    response = client.post("/models/TS-CREW/versions/1/revert?scope=ecommerce&locale=en_US")
    assert response.status_code == 302 and response.headers["Location"].endswith("#history")
    assert model.values["brand"] == value("vitrine")
    assert _versions(db_session, "product_model", model.id)[-1].comment == "reverted to version 1"


# --- the variants matrix ---------------------------------------------------------------------


def _matrix(body: str) -> str:
    return body[body.index('class="data matrix variant-matrix"') :].split("</table>")[0]


def test_matrix_lays_out_variants_by_colour_and_size(catalog, logged_in_client):
    body = _text(logged_in_client("editor").get(MODEL))
    matrix = _matrix(body)
    assert "Color × Size" in matrix or "color × size" in matrix.lower()
    assert ">TS-CREW-RED-S</a>" in matrix and ">TS-CREW-RED-M</a>" in matrix
    assert 'aria-label="Create the variant red / l"' in matrix
    assert 'aria-label="Create the variant red / xl"' in matrix
    assert ">TS-CREW-RED</a>" in matrix  # the row's sub-model
    # colours without a sub-model are offered below the matrix
    assert 'name="axis.color"' in body and '<option value="blue">blue</option>' in body


def test_matrix_creates_a_missing_variant(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    response = client.post(
        "/models/TS-CREW/variants?scope=ecommerce&locale=en_US",
        data={"axis.color": "red", "axis.size": "l"},
    )
    assert response.status_code == 303 and response.headers["Location"].endswith("#variants")
    created = catalog.product("TS-CREW-RED-L")
    assert created.parent.code == "TS-CREW-RED" and created.values["size"] == value("l")
    page = _text(client.get(MODEL))
    assert "Created the variant TS-CREW-RED-L." in page
    assert ">TS-CREW-RED-L</a>" in _matrix(page)
    assert _versions(db_session, "product", created.id)[0].author == client.user.email


def test_matrix_creates_the_sub_model_of_a_new_colour(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    client.post("/models/TS-CREW/variants", data={"axis.color": "blue", "axis.size": "s"})
    sub = catalog.model("TS-CREW-BLUE")
    assert sub.parent.code == "TS-CREW" and sub.values["color"] == value("blue")
    product = catalog.product("TS-CREW-BLUE-S")
    assert product.parent_id == sub.id
    matrix = _matrix(_text(client.get(MODEL)))
    assert ">TS-CREW-BLUE-S</a>" in matrix and ">TS-CREW-BLUE</a>" in matrix


def test_matrix_refuses_a_combination_that_exists(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    client.post("/models/TS-CREW-RED/variants", data={"axis.size": "s"})
    page = _text(client.get("/models/TS-CREW-RED"))
    assert "No variant created" in page and "already has these values" in page
    count = db_session.scalar(
        select(Product.id).where(Product.identifier.like("TS-CREW-RED-S%")).limit(2).offset(1)
    )
    assert count is None


def test_sub_model_matrix_is_one_row_of_sizes(catalog, db_session, logged_in_client):
    client = logged_in_client("editor")
    matrix = _matrix(_text(client.get("/models/TS-CREW-RED?scope=ecommerce&locale=en_US")))
    assert 'aria-label="Create the variant xl"' in matrix and ">TS-CREW-RED-S</a>" in matrix
    client.post("/models/TS-CREW-RED/variants", data={"axis.size": "xl"})
    assert catalog.product("TS-CREW-RED-XL").parent.code == "TS-CREW-RED"
    assert (
        db_session.scalar(select(ProductModel.id).where(ProductModel.code == "TS-CREW-RED-XL"))
        is None
    )


def test_viewer_sees_the_matrix_without_create_buttons(catalog, logged_in_client):
    body = _text(logged_in_client("viewer").get(MODEL))
    assert ">TS-CREW-RED-S</a>" in _matrix(body)
    assert "Create the variant" not in body and 'name="axis.color"' not in body


# --- history: compare any two versions --------------------------------------------------


def test_compare_any_two_versions_of_a_product(catalog, db_session, logged_in_client):
    product = _standalone(db_session)
    client = logged_in_client("editor")
    for number, (name, pieces) in enumerate(
        (("Shirt", "1"), ("Linen shirt", "1"), ("Linen shirt", "4")), 1
    ):
        client.post(
            SOLO,
            data={
                "version": str(number),
                "fields": ["v.name.en_US.~", "v.pieces.~.~"],
                "v.name.en_US.~": name,
                "v.pieces.~.~": pieces,
            },
        )
    assert product.version == 4
    body = _text(client.get("/products/SOLO-1?scope=ecommerce&locale=en_US&from=4&to=2"))
    comparison = body[body.index("data-comparison") :].split("</table>")[0]
    assert "From version 2 to version 4" in comparison
    name_row = '<th scope="row">Name (en_US)</th><td class="old">Shirt</td>'
    assert name_row + '<td class="new">Linen shirt</td>' in comparison
    assert '<th scope="row">pieces</th><td class="old">1</td><td class="new">4</td>' in comparison
    assert "selected>2 · " in body and "selected>4 · " in body
    same = _text(client.get("/products/SOLO-1?from=3&to=3"))
    assert "No difference between these versions." in same
    assert "data-comparison" not in _text(client.get("/products/SOLO-1?from=1&to=99"))


def test_revert_from_the_comparison(catalog, db_session, logged_in_client):
    product = _standalone(db_session, values={"pieces": value(1)})
    client = logged_in_client("editor")
    client.post(SOLO, data={"version": "1", "fields": ["v.pieces.~.~"], "v.pieces.~.~": "5"})
    body = client.get("/products/SOLO-1?from=1&to=2").get_data(as_text=True)
    assert 'action="/products/SOLO-1/versions/1/revert' in body
    client.post("/products/SOLO-1/versions/1/revert")
    assert product.values["pieces"] == value(1) and product.version == 3


# --- escaping ----------------------------------------------------------------------------


def test_stored_markup_shows_as_text_in_the_editor_and_the_diffs(
    catalog, db_session, logged_in_client
):
    product = _standalone(db_session, values={"name": value("Plain", "en_US")})
    products.update_product(
        db_session, product, {"values": {"name": value(XSS, "en_US") + value(XSS, "fr_FR")}}, SYSTEM
    )
    product_models.update_model(
        db_session, catalog.model("TS-CREW"), {"values": {"name": value(XSS, "fr_FR")}}, SYSTEM
    )
    client = logged_in_client("editor")
    pages = [
        client.get("/products/SOLO-1?scope=ecommerce&locale=en_US&from=1&to=2"),
        client.get("/products/SOLO-1?scope=ecommerce&locale=de_DE&compare=fr_FR"),
        client.get("/models/TS-CREW?scope=ecommerce&locale=fr_FR&from=1&to=2"),
        client.get("/products/TS-CREW-RED-S?scope=ecommerce&locale=fr_FR"),
    ]
    for response in pages:
        body = response.get_data(as_text=True)
        assert XSS not in body
        assert ESCAPED in body
    comparison = pages[0].get_data(as_text=True).split("data-comparison")[1]
    assert f'<td class="new">{ESCAPED}</td>' in comparison.split("</table>")[0]
    assert f'value="{ESCAPED}"' in pages[0].get_data(as_text=True)


def test_conflict_keeps_categories_someone_else_changed(catalog, db_session, logged_in_client):
    product = _standalone(db_session, categories=["women"])
    products.update_product(db_session, product, {"categories": ["men"]}, SYSTEM)
    db_session.commit()
    client = logged_in_client("editor")
    # the user's page showed version 1 (women ticked); they only typed a name
    form = {
        "version": "1",
        "fields": ["categories", "v.name.en_US.~"],
        "categories": ["women"],
        "v.name.en_US.~": "Linen shirt",
    }
    response = client.post(SOLO, data=form)
    body = response.get_data(as_text=True)
    assert response.status_code == 409
    assert 'id="category-men" name="categories" value="men" checked' in body
    assert 'id="category-women" name="categories" value="women">' in body
    assert "categories: women → men" in html.unescape(body)


def test_translator_saves_model_values_of_their_locale(catalog, db_session, logged_in_client):
    client = logged_in_client("translator")
    client.user.locales = ["de_DE"]
    body = client.get("/models/TS-CREW").get_data(as_text=True)
    assert 'name="v.name.de_DE.~"' in body and 'name="v.brand.~.~"' not in body
    response = client.post(
        "/models/TS-CREW?scope=ecommerce&locale=de_DE",
        data={
            "version": "1",
            "fields": ["v.name.de_DE.~", "v.brand.~.~"],
            "v.name.de_DE.~": "Rundhals-T-Shirt",
            "v.brand.~.~": "acme",
        },
    )
    assert response.status_code == 302
    model = catalog.model("TS-CREW")
    assert model.values["name"] == value("Rundhals-T-Shirt", "de_DE") + value(
        "Crew-neck T-shirt", "en_US"
    )
    assert model.values["brand"] == value("vitrine")
