"""Structure settings (``/settings``): admin only, CSRF on every form, no write over GET;
each area's create and edit forms store what was typed, record history, answer 422 with
the messages next to the fields and the user's input, and escape labels."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from factories import SYSTEM
from flask import url_for
from sqlalchemy import func, select

from pim.auth import issue_token
from pim.models import (
    ApiToken,
    AssociationType,
    Attribute,
    AttributeGroup,
    Category,
    Channel,
    Currency,
    Family,
    FamilyVariant,
    Locale,
    StructureRevision,
    User,
    Version,
)
from pim.services import structure

XSS = "<img src=x onerror=alert(1)>"
XSS_ESCAPED = "&lt;img src=x onerror=alert(1)&gt;"

#: URL arguments of each settings endpoint on the ``catalog`` fixture ("ME": the signed-in
#: user's id). A new settings route must be added here: the role tests cover them all.
ARGS = {
    "web.settings": {},
    "web.settings_association_types": {},
    "web.settings_association_type_create": {},
    "web.settings_association_type": {"code": "cross_sell"},
    "web.settings_association_type_update": {"code": "cross_sell"},
    "web.settings_attribute_groups": {},
    "web.settings_attribute_group_create": {},
    "web.settings_attribute_group": {"code": "product"},
    "web.settings_attribute_group_update": {"code": "product"},
    "web.settings_attributes": {},
    "web.settings_attribute_new": {},
    "web.settings_attribute_create": {},
    "web.settings_attribute": {"code": "color"},
    "web.settings_attribute_update": {"code": "color"},
    "web.settings_attribute_delete": {"code": "washable"},
    "web.settings_option_add": {"code": "color"},
    "web.settings_options_save": {"code": "color"},
    "web.settings_option_delete": {"code": "color", "option": "black"},
    "web.settings_categories": {},
    "web.settings_category_create": {},
    "web.settings_category": {"code": "women"},
    "web.settings_category_update": {"code": "women"},
    "web.settings_category_delete": {"code": "men"},
    "web.settings_category_move": {},
    "web.settings_channels": {},
    "web.settings_channel_new": {},
    "web.settings_channel_create": {},
    "web.settings_channel": {"code": "ecommerce"},
    "web.settings_channel_update": {"code": "ecommerce"},
    "web.settings_locales": {},
    "web.settings_locale_create": {},
    "web.settings_currencies": {},
    "web.settings_currency_create": {},
    "web.settings_currency_enabled": {"code": "USD"},
    "web.settings_families": {},
    "web.settings_family_new": {},
    "web.settings_family_create": {},
    "web.settings_family": {"code": "tshirts"},
    "web.settings_family_update": {"code": "tshirts"},
    "web.settings_family_variants": {},
    "web.settings_family_variant_new": {"family": "tshirts"},
    "web.settings_family_variant_create": {},
    "web.settings_family_variant": {"code": "tshirts_color_size"},
    "web.settings_family_variant_update": {"code": "tshirts_color_size"},
    "web.settings_users": {},
    "web.settings_user_create": {},
    "web.settings_user": {"user_id": "ME"},
    "web.settings_user_update": {"user_id": "ME"},
    "web.settings_user_revoke_tokens": {"user_id": "ME"},
    # webhooks (their own tests are in tests/webhooks): ids that name nothing
    "web.settings_webhooks": {},
    "web.settings_webhook_create": {},
    "web.settings_webhook": {"webhook_id": "HOOK"},
    "web.settings_webhook_update": {"webhook_id": "HOOK"},
    "web.settings_webhook_rotate": {"webhook_id": "HOOK"},
    "web.settings_webhook_ping": {"webhook_id": "HOOK"},
    "web.settings_webhook_retry": {"webhook_id": "HOOK", "delivery_id": 999},
    "web.settings_webhook_delete": {"webhook_id": "HOOK"},
}


# --- helpers -----------------------------------------------------------------------------


def settings_routes(app, user_id: int, hook_id: int = 999) -> list[tuple[str, str, str]]:
    """``(method, url, endpoint)`` of every settings route, with arguments from ARGS
    (``ME``: the user ``user_id``; ``HOOK``: the webhook ``hook_id``)."""
    routes = []
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if not rule.rule.startswith("/settings"):
                continue
            assert rule.endpoint in ARGS, f"add {rule.endpoint} to ARGS"
            placeholders = {"ME": user_id, "HOOK": hook_id}
            args = {k: placeholders.get(v, v) for k, v in ARGS[rule.endpoint].items()}
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((method, url_for(rule.endpoint, **args), rule.endpoint))
    return routes


class Forms(HTMLParser):
    """The forms of a page: method, action and the names of their inputs."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"method": (attrs.get("method") or "get").lower(), "names": []})
        elif tag in ("input", "select", "textarea", "button") and self.forms:
            self.forms[-1]["names"].append(attrs.get("name"))


def post_forms(html: str) -> list[dict]:
    parser = Forms()
    parser.feed(html)
    return [form for form in parser.forms if form["method"] == "post"]


def versions(session, resource_type: str, key: str) -> list[Version]:
    session.expire_all()
    return list(
        session.scalars(
            select(Version)
            .where(Version.resource_type == resource_type, Version.resource_key == key)
            .order_by(Version.number)
        )
    )


def by_code(session, model, code):
    session.expire_all()
    return session.scalar(select(model).where(model.code == code))


def page(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def admin(logged_in_client, catalog):
    """A client signed in as an administrator, on the small test catalogue."""
    return logged_in_client("admin")


# --- who may reach the settings ----------------------------------------------------------


@pytest.mark.parametrize("role", ["editor", "translator", "viewer", "supplier"])
def test_every_settings_route_is_refused_to_other_roles(app, catalog, logged_in_client, role):
    client = logged_in_client(role)
    for method, url, _ in settings_routes(app, client.user.id):
        response = client.open(url, method=method, data={})
        assert response.status_code == 403, (method, url)
    assert by_code(catalog.session, Attribute, "washable") is not None


def test_every_settings_page_opens_for_an_admin_and_writes_nothing(app, admin, db_session):
    from pim.webhooks.services import create_subscription

    hook = create_subscription(
        db_session,
        {"url": "https://192.0.32.10/vitrine", "events": ["product.created"]},
        None,
    )
    before = (
        db_session.scalar(select(func.count(Version.id))),
        db_session.scalar(select(StructureRevision.token)),
    )
    for method, url, _ in settings_routes(app, admin.user.id, hook.id):
        if method == "GET":
            response = admin.get(url)
            assert response.status_code == 200, url
            assert "Content-Security-Policy" in response.headers
    db_session.expire_all()
    after = (
        db_session.scalar(select(func.count(Version.id))),
        db_session.scalar(select(StructureRevision.token)),
    )
    assert after == before


def test_writes_are_post_only(app, admin):
    for method, url, endpoint in settings_routes(app, admin.user.id):
        if method == "POST" and not any(
            m == "GET" and u == url for m, u, _ in settings_routes(app, admin.user.id)
        ):
            assert admin.get(url).status_code == 405, endpoint


def test_signed_out_visitors_are_sent_to_sign_in(client, catalog):
    response = client.get("/settings/attributes")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    response = client.post("/settings/attribute-groups", data={"code": "x"})
    assert response.status_code == 302
    assert by_code(catalog.session, AttributeGroup, "x") is None


def test_every_post_form_carries_the_csrf_token(app, admin):
    seen = 0
    for method, url, _ in settings_routes(app, admin.user.id):
        if method != "GET":
            continue
        for form in post_forms(page(admin.get(url))):
            assert "csrf_token" in form["names"], url
            seen += 1
    assert seen > 20


def test_posts_without_the_csrf_token_are_refused(app, admin, monkeypatch, db_session):
    monkeypatch.setitem(app.config, "WTF_CSRF_ENABLED", True)
    for method, url, endpoint in settings_routes(app, admin.user.id):
        if method == "POST":
            response = admin.post(url, data={"code": "forged", "parent": ""})
            assert response.status_code == 400, endpoint
            assert b"Form expired" in response.data
    assert by_code(db_session, AttributeGroup, "forged") is None
    assert by_code(db_session, Category, "men").parent.code == "master"


def test_the_index_links_every_area(admin):
    html = page(admin.get("/settings"))
    for path in (
        "/settings/attributes",
        "/settings/attribute-groups",
        "/settings/families",
        "/settings/family-variants",
        "/settings/categories",
        "/settings/channels",
        "/settings/locales",
        "/settings/currencies",
        "/settings/association-types",
        "/settings/users",
    ):
        assert f'href="{path}"' in html


# --- attribute groups -----------------------------------------------------------------------


def test_attribute_group_create_and_edit(admin, db_session):
    response = admin.post(
        "/settings/attribute-groups",
        data={"code": "care", "sort_order": "7", "label-en_US": "Care", "label-fr_FR": "Soin"},
    )
    assert response.status_code == 302
    group = by_code(db_session, AttributeGroup, "care")
    assert (group.labels, group.sort_order) == ({"en_US": "Care", "fr_FR": "Soin"}, 7)
    assert "Created the attribute group care." in page(admin.get("/settings/attribute-groups"))

    response = admin.post(
        "/settings/attribute-groups/care", data={"sort_order": "2", "label-en_US": "Care"}
    )
    assert response.status_code == 302
    assert by_code(db_session, AttributeGroup, "care").labels == {"en_US": "Care"}
    history = versions(db_session, "attribute_group", "care")
    assert [v.number for v in history] == [1, 2]
    assert history[1].author == admin.user.email and history[1].source == "ui"
    assert history[1].changes["sort_order"] == {"old": 7, "new": 2}
    assert "Version 2" in page(admin.get("/settings/attribute-groups/care"))


def test_attribute_group_refused_form_keeps_the_input(admin, db_session):
    response = admin.post(
        "/settings/attribute-groups",
        data={"code": "bad code", "sort_order": "3", "label-en_US": "Kept"},
    )
    assert response.status_code == 422
    html = page(response)
    assert 'value="bad code"' in html and 'value="Kept"' in html
    assert 'id="field-code" name="code"' in html and 'aria-invalid="true"' in html
    assert "a code of letters, digits and _" in html
    response = admin.post("/settings/attribute-groups", data={"code": "ok", "sort_order": "x"})
    assert response.status_code == 422
    assert "&#39;x&#39; is not a whole number" in page(response)
    assert by_code(db_session, AttributeGroup, "ok") is None


def test_labels_are_escaped(admin):
    admin.post("/settings/attribute-groups", data={"code": "xss", "label-en_US": XSS})
    admin.post(
        "/settings/attributes",
        data={"code": "xss_attr", "type": "text", "group": "xss", "label-de_DE": XSS},
    )
    admin.post("/settings/categories", data={"code": "xss_cat", "label-de_DE": XSS})
    admin.post(
        "/settings/attributes/color/options", data={"option_code": "x", "option-label-de_DE": XSS}
    )
    for url in (
        "/settings/attribute-groups",
        "/settings/attribute-groups/xss",
        "/settings/attributes",
        "/settings/attributes/xss_attr",
        "/settings/attributes/color",
        "/settings/categories",
        "/settings/categories/xss_cat",
    ):
        html = page(admin.get(url))
        assert XSS not in html, url
        assert XSS_ESCAPED in html, url


# --- attributes and options ----------------------------------------------------------------


def test_attribute_create_stores_the_rules_of_its_type(admin, db_session):
    response = admin.post(
        "/settings/attributes",
        data={
            "code": "subtitle",
            "type": "text",
            "group": "marketing",
            "sort_order": "3",
            "localizable": "1",
            "label-en_US": "Subtitle",
            "max_length": "40",
            "regex": "[A-Z].*",
            "min_value": "not for text",
            "sources": "erp, ui",
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/settings/attributes/subtitle"
    attr = by_code(db_session, Attribute, "subtitle")
    assert (attr.type, attr.group.code, attr.localizable, attr.scopable) == (
        "text",
        "marketing",
        True,
        False,
    )
    assert (attr.max_length, attr.regex, attr.min_value, attr.sources) == (
        40,
        "[A-Z].*",
        None,
        ["erp", "ui"],
    )
    assert versions(db_session, "attribute", "subtitle")[0].author == admin.user.email


def test_attribute_create_shows_each_problem_by_its_field(admin, db_session):
    base = {"code": "fit", "type": "text", "group": "product", "label-en_US": "Fit"}
    cases = [
        ({"max_length": "0"}, "max_length", "must be a positive whole number"),
        ({"regex": "("}, "regex", "invalid regular expression"),
        ({"type": "metric"}, "metric_family", "need a unit family"),
        ({"type": "number", "min_value": "abc"}, "min_value", "is not a number"),
        ({"group": "nope"}, "group", "unknown attribute group"),
        ({"unique": "1", "localizable": "1"}, "unique", "can be unique"),
        ({"sources": "Bad Source"}, "sources", "must be a list of sources"),
    ]
    for extra, field, message in cases:
        response = admin.post("/settings/attributes", data={**base, **extra})
        assert response.status_code == 422, extra
        html = page(response)
        assert f'<div id="error-{field}"><p class="field-error">' in html, field
        assert message in html
        assert 'value="Fit"' in html
    assert by_code(db_session, Attribute, "fit") is None


def test_attribute_edit_keeps_type_and_scope_and_records_history(admin, db_session):
    response = admin.post(
        "/settings/attributes/name",
        data={
            "group": "product",
            "sort_order": "1",
            "label-en_US": "Product name",
            "max_length": "120",
            "type": "number",  # fixed: ignored
            "localizable": "",  # fixed: ignored
        },
    )
    assert response.status_code == 302
    attr = by_code(db_session, Attribute, "name")
    assert (attr.type, attr.localizable, attr.max_length) == ("text", True, 120)
    assert attr.labels == {"en_US": "Product name"}
    latest = versions(db_session, "attribute", "name")[-1]
    assert latest.changes["max_length"] == {"old": 80, "new": 120}
    assert "Saved the attribute name." in page(admin.get("/settings/attributes/name"))

    response = admin.post("/settings/attributes/name", data={"group": "product", "regex": "("})
    assert response.status_code == 422
    assert 'value="("' in page(response)


def test_select_attribute_options_add_edit_remove(admin, db_session):
    response = admin.post(
        "/settings/attributes",
        data={"code": "fit", "type": "simple_select", "group": "product"},
    )
    assert response.status_code == 302
    assert "Add its options below." in page(admin.get("/settings/attributes/fit"))
    for code, label, swatch in (("slim", "Slim", "#112233"), ("loose", "Loose", "")):
        response = admin.post(
            "/settings/attributes/fit/options",
            data={"option_code": code, "option-label-en_US": label, "option_swatch": swatch},
        )
        assert response.status_code == 302
    attr = by_code(db_session, Attribute, "fit")
    assert [(o.code, o.labels, o.swatch) for o in attr.options] == [
        ("slim", {"en_US": "Slim"}, "#112233"),
        ("loose", {"en_US": "Loose"}, None),
    ]
    html = page(admin.get("/settings/attributes/fit"))
    assert '<rect width="1" height="1" fill="#112233"/>' in html

    response = admin.post(
        "/settings/attributes/fit/options",
        data={"option_code": "wide", "option_swatch": "blue", "option-label-fr_FR": "Large"},
    )
    assert response.status_code == 422
    assert "swatch must be #rrggbb" in page(response)
    assert 'value="Large"' in page(response) and 'value="wide"' in page(response)
    response = admin.post("/settings/attributes/fit/options", data={"option_code": "slim"})
    assert response.status_code == 422
    assert "&#39;slim&#39; is already an option" in page(response)

    response = admin.post(
        "/settings/attributes/fit/options/save",
        data={
            "opt": ["slim", "loose"],
            "opt-slim-label-en_US": "Slim fit",
            "opt-slim-swatch": "#445566",
            "opt-slim-sort_order": "5",
            "opt-loose-label-en_US": "Loose",
            "opt-loose-sort_order": "1",
        },
    )
    assert response.status_code == 302
    attr = by_code(db_session, Attribute, "fit")
    assert [(o.code, o.labels, o.swatch) for o in attr.options] == [
        ("loose", {"en_US": "Loose"}, None),
        ("slim", {"en_US": "Slim fit"}, "#445566"),
    ]
    response = admin.post("/settings/attributes/fit/options/loose/delete")
    assert response.status_code == 302
    assert [o.code for o in by_code(db_session, Attribute, "fit").options] == ["slim"]
    assert len(versions(db_session, "attribute", "fit")) == 5


def test_options_table_refusal_keeps_what_was_typed(admin):
    response = admin.post(
        "/settings/attributes/color/options/save",
        data={"opt": ["red"], "opt-red-swatch": "#zzzzzz", "opt-red-label-en_US": "Typed"},
    )
    assert response.status_code == 422
    html = page(response)
    assert "option red: swatch must be #rrggbb" in html
    assert 'value="#zzzzzz"' in html and 'value="Typed"' in html


def test_options_in_use_and_attributes_in_use_are_not_removed(admin, db_session):
    response = admin.post("/settings/attributes/color/options/red/delete")
    assert response.status_code == 422
    assert "option &#39;red&#39; is used by" in page(response)
    assert "red" in [o.code for o in by_code(db_session, Attribute, "color").options]
    response = admin.post("/settings/attributes/color/delete")
    assert response.status_code == 422
    assert "has values in" in page(response)
    assert admin.post("/settings/attributes/washable/delete").status_code == 302
    assert by_code(db_session, Attribute, "washable") is None
    assert admin.post("/settings/attributes/name/options").status_code == 404


# --- families and family variants ------------------------------------------------------------


def test_family_create_with_its_requirement_matrix(admin, db_session):
    response = admin.post(
        "/settings/families",
        data={
            "code": "dresses",
            "label-en_US": "Dresses",
            "attributes": ["name", "color", "price"],
            "label_attribute": "name",
            "req-ecommerce": ["name", "color"],
            "req-print": ["price"],
        },
    )
    assert response.status_code == 302
    state = structure.family_state(by_code(db_session, Family, "dresses"))
    assert state["attributes"] == ["color", "name", "price", "sku"]
    assert state["requirements"] == {"ecommerce": ["color", "name"], "print": ["price"]}
    assert state["label_attribute"] == "name"
    html = page(admin.get("/settings/families/dresses"))
    assert (
        'name="req-ecommerce" value="color" aria-label="color required in ecommerce" checked'
        in html
    )


def test_family_edit_replaces_requirements_and_records_history(admin, db_session):
    response = admin.post(
        "/settings/families/tshirts",
        data={
            "attributes": ["name", "color", "size", "price", "description", "images"],
            "label_attribute": "name",
            "req-ecommerce": ["sku", "name", "color"],
            "req-print": [],
        },
    )
    assert response.status_code == 302
    state = structure.family_state(by_code(db_session, Family, "tshirts"))
    assert state["requirements"] == {"ecommerce": ["color", "name", "sku"]}
    assert "requirements" in versions(db_session, "family", "tshirts")[-1].changes


def test_family_refused_requirement_outside_the_family(admin, db_session):
    response = admin.post(
        "/settings/families",
        data={"code": "skirts", "attributes": ["name"], "req-print": ["price"]},
    )
    assert response.status_code == 422
    html = page(response)
    assert "price not in the family&#39;s attributes" in html
    assert 'name="attributes" value="name" aria-labelledby="attr-name in-family" checked' in html
    assert by_code(db_session, Family, "skirts") is None
    response = admin.post(
        "/settings/families/tshirts", data={"attributes": ["name"], "label_attribute": "ean"}
    )
    assert response.status_code == 422
    assert "&#39;ean&#39; is not an attribute of this family" in page(response)


def test_family_variant_create_and_edit(admin, db_session):
    assert "level-size" in page(admin.get("/settings/new/family-variant?family=tshirts"))
    response = admin.post(
        "/settings/family-variants",
        data={
            "family": "tshirts",
            "code": "tshirts_size",
            "label-en_US": "By size",
            "level-size": "1-axis",
            "level-ean": "1",
        },
    )
    assert response.status_code == 302
    state = structure.family_variant_state(by_code(db_session, FamilyVariant, "tshirts_size"))
    assert state["variant_attribute_sets"] == [
        {"level": 1, "axes": ["size"], "attributes": ["ean", "size"]}
    ]
    response = admin.post(
        "/settings/family-variants/tshirts_size",
        data={"label-en_US": "Size", "level-color": "1-axis", "level-size": "2-axis"},
    )
    assert response.status_code == 302
    state = structure.family_variant_state(by_code(db_session, FamilyVariant, "tshirts_size"))
    assert state["labels"] == {"en_US": "Size"}
    assert [s["axes"] for s in state["variant_attribute_sets"]] == [["color"], ["size"]]
    assert len(versions(db_session, "family_variant", "tshirts_size")) == 2


def test_family_variant_refusals(admin, db_session):
    response = admin.post(
        "/settings/family-variants",
        data={"family": "tshirts", "code": "by_name", "level-name": "1-axis"},
    )
    assert response.status_code == 422
    assert "cannot be an axis" in page(response)
    response = admin.post(
        "/settings/family-variants",
        data={"family": "tshirts", "code": "no_levels", "label-en_US": "Kept"},
    )
    assert response.status_code == 422
    assert "one or two levels are required" in page(response)
    assert 'value="Kept"' in page(response)
    response = admin.post(
        "/settings/family-variants/tshirts_color_size",
        data={"level-size": "1-axis", "label-en_US": "x"},
    )
    assert response.status_code == 422
    assert "cannot change while product models use it" in page(response)
    response = admin.post(
        "/settings/family-variants/tshirts_color_size",
        data={
            "label-en_US": "Colour, then size",
            "level-color": "1-axis",
            "level-images": "1",
            "level-size": "2-axis",
            "level-ean": "2",
            "level-weight": "2",
        },
    )
    assert response.status_code == 302
    fv = by_code(db_session, FamilyVariant, "tshirts_color_size")
    assert fv.labels == {"en_US": "Colour, then size"}


# --- categories ---------------------------------------------------------------------------


def test_category_create_edit_and_tree(admin, db_session):
    response = admin.post(
        "/settings/categories",
        data={"code": "women_dresses", "parent": "women", "label-en_US": "Dresses"},
    )
    assert response.status_code == 302
    category = by_code(db_session, Category, "women_dresses")
    assert category.parent.code == "women" and category.labels == {"en_US": "Dresses"}
    html = page(admin.get("/settings/categories"))
    assert 'id="category-women_dresses" data-category="women_dresses"' in html
    assert 'data-move-url="/settings/move/category"' in html
    response = admin.post(
        "/settings/categories/women_dresses", data={"label-fr_FR": "Robes", "sort_order": "2"}
    )
    assert response.status_code == 302
    assert by_code(db_session, Category, "women_dresses").labels == {"fr_FR": "Robes"}
    assert len(versions(db_session, "category", "women_dresses")) == 2
    response = admin.post("/settings/categories", data={"code": "orphan", "parent": "nope"})
    assert response.status_code == 422
    assert "unknown category &#39;nope&#39;" in page(response)


def test_category_move_through_the_form_and_as_json(admin, db_session):
    response = admin.post("/settings/move/category", data={"category": "men", "parent": "women"})
    assert response.status_code == 302
    assert by_code(db_session, Category, "men").parent.code == "women"
    response = admin.post(
        "/settings/move/category",
        data={"category": "men", "parent": ""},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.get_json() == {"message": "men is now a category tree."}
    assert by_code(db_session, Category, "men").parent is None
    history = versions(db_session, "category", "men")
    assert [v.changes["parent"]["new"] for v in history[1:]] == ["women", None]


def test_category_moves_that_are_refused(admin, db_session):
    response = admin.post(
        "/settings/move/category",
        data={"category": "women", "parent": "women_tops"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 422
    assert "cannot be moved into its own subtree" in response.get_json()["error"]
    response = admin.post(
        "/settings/move/category", data={"category": "women", "parent": "women_tops"}
    )
    assert response.status_code == 422
    assert "women was not moved: cannot be moved into its own subtree" in page(response)
    structure.create_category(db_session, {"code": "outlet"}, SYSTEM)
    response = admin.post(
        "/settings/move/category", data={"category": "master", "parent": "outlet"}
    )
    assert response.status_code == 422
    assert "is the category tree of a channel" in page(response)
    assert by_code(db_session, Category, "master").parent is None


def test_category_delete_is_confirmed_and_refused_while_in_use(admin, db_session):
    response = admin.post("/settings/categories/master/delete", data={"confirm": "1"})
    assert response.status_code == 422
    assert "is the category tree of a channel; change the channel first" in page(response)
    response = admin.post("/settings/categories/women/delete")
    assert response.status_code == 422
    assert "tick the box to confirm" in page(response)
    assert by_code(db_session, Category, "women") is not None
    response = admin.post("/settings/categories/women/delete", data={"confirm": "1"})
    assert response.status_code == 302
    assert by_code(db_session, Category, "women_tops") is None
    assert by_code(db_session, Category, "master") is not None


# --- channels, locales, currencies ---------------------------------------------------------


def test_channel_create_and_edit(admin, db_session):
    response = admin.post(
        "/settings/channels",
        data={
            "code": "marketplace",
            "label-en_US": "Marketplace",
            "locales": ["en_US", "de_DE"],
            "currencies": ["EUR"],
            "category_tree": "master",
        },
    )
    assert response.status_code == 302
    state = structure.channel_state(by_code(db_session, Channel, "marketplace"))
    assert state == {
        "code": "marketplace",
        "labels": {"en_US": "Marketplace"},
        "locales": ["de_DE", "en_US"],
        "currencies": ["EUR"],
        "category_tree": "master",
    }
    response = admin.post(
        "/settings/channels/marketplace",
        data={"locales": ["fr_FR"], "currencies": ["EUR", "USD"], "category_tree": ""},
    )
    assert response.status_code == 302
    state = structure.channel_state(by_code(db_session, Channel, "marketplace"))
    assert (state["locales"], state["currencies"], state["category_tree"]) == (
        ["fr_FR"],
        ["EUR", "USD"],
        None,
    )
    assert versions(db_session, "channel", "marketplace")[-1].author == admin.user.email


def test_channel_refusals_keep_the_form(admin, db_session):
    response = admin.post(
        "/settings/channels", data={"code": "kiosk", "label-en_US": "Kiosk", "currencies": ["USD"]}
    )
    assert response.status_code == 422
    html = page(response)
    assert "a channel needs at least one locale" in html
    assert 'value="Kiosk"' in html
    assert 'name="currencies" value="USD" checked' in html
    response = admin.post(
        "/settings/channels/print", data={"locales": ["fr_FR"], "category_tree": "women"}
    )
    assert response.status_code == 422
    assert "must be the root of a category tree" in page(response)


def test_locales_and_currencies(admin, db_session):
    assert admin.post("/settings/locales", data={"code": "it_IT"}).status_code == 302
    assert by_code(db_session, Locale, "it_IT") is not None
    response = admin.post("/settings/locales", data={"code": "xx_YY_ZZ"})
    assert response.status_code == 422
    assert "is not a known locale code" in page(response)
    assert 'value="xx_YY_ZZ"' in page(response)
    html = page(admin.get("/settings/locales"))
    assert "Italian (Italy)" in html

    assert admin.post("/settings/currencies", data={"code": "chf"}).status_code == 302
    assert by_code(db_session, Currency, "CHF").enabled is True
    response = admin.post("/settings/currencies", data={"code": "EURO"})
    assert response.status_code == 422 and "is not an ISO 4217" in page(response)
    response = admin.post("/settings/currencies/USD/enabled", data={"enabled": "0"})
    assert response.status_code == 422
    assert "USD is used by the channels ecommerce" in page(response)
    assert by_code(db_session, Currency, "USD").enabled is True
    assert admin.post("/settings/currencies/CHF/enabled", data={"enabled": "0"}).status_code == 302
    assert by_code(db_session, Currency, "CHF").enabled is False
    assert [v.changes for v in versions(db_session, "currency", "CHF")][-1] == {
        "enabled": {"old": True, "new": False}
    }


# --- association types ---------------------------------------------------------------------


def test_association_types(admin, db_session):
    response = admin.post(
        "/settings/association-types", data={"code": "upsell", "label-en_US": "Upsell"}
    )
    assert response.status_code == 302
    assert by_code(db_session, AssociationType, "upsell").labels == {"en_US": "Upsell"}
    response = admin.post(
        "/settings/association-types/upsell", data={"label-fr_FR": "Montée en gamme"}
    )
    assert response.status_code == 302
    assert by_code(db_session, AssociationType, "upsell").labels == {"fr_FR": "Montée en gamme"}
    assert len(versions(db_session, "association_type", "upsell")) == 2
    response = admin.post("/settings/association-types", data={"code": "upsell"})
    assert response.status_code == 422
    assert "&#39;upsell&#39; is already used" in page(response)


# --- users and roles ------------------------------------------------------------------------


def test_user_create_as_translator_with_locales(admin, db_session):
    response = admin.post(
        "/settings/users",
        data={
            "email": "Trans@Example.com",
            "name": "Tr",
            "role": "translator",
            "password": "long enough",
            "locales": ["fr_FR", "de_DE"],
        },
    )
    assert response.status_code == 302
    db_session.expire_all()
    user = db_session.scalar(select(User).where(User.email == "trans@example.com"))
    assert (user.role, user.locales, user.active) == ("translator", ["fr_FR", "de_DE"], True)
    history = versions(db_session, "user", "trans@example.com")
    assert "password" not in str(history[0].snapshot)
    assert history[0].author == admin.user.email


def test_user_create_refusals(admin, make_user):
    make_user(email="taken@example.com")
    cases = [
        ({"email": "taken@example.com"}, "email", "already exists"),
        ({"email": "nope"}, "email", "is not a valid e-mail address"),
        ({"password": "short"}, "password", "at least 8 characters"),
        ({"role": "boss"}, "role", "choose one of"),
    ]
    base = {"email": "new@example.com", "name": "Kept", "role": "editor", "password": "long enough"}
    for extra, field, message in cases:
        response = admin.post("/settings/users", data={**base, **extra})
        assert response.status_code == 422, extra
        html = page(response)
        assert f'<div id="error-{field}">' in html and message in html
        assert 'value="Kept"' in html
        assert "long enough" not in html  # passwords are never sent back


def test_user_role_change_deactivation_and_history(admin, make_user, db_session):
    user = make_user(email="ed@example.com", role="editor")
    response = admin.post(
        f"/settings/users/{user.id}",
        data={"name": "Ed", "role": "translator", "locales": ["fr_FR"], "active": "1"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert (user.role, user.locales, user.name) == ("translator", ["fr_FR"], "Ed")
    response = admin.post(
        f"/settings/users/{user.id}",
        data={"role": "viewer", "locales": ["fr_FR"], "password": "a new password"},
    )
    assert response.status_code == 302
    db_session.expire_all()
    assert (user.role, user.locales, user.active) == ("viewer", [], False)
    history = versions(db_session, "user", "ed@example.com")
    assert history[-1].changes["active"] == {"old": True, "new": False}
    assert history[-1].comment == "password changed"
    assert "Version 2" in page(admin.get(f"/settings/users/{user.id}"))


def test_a_deactivated_user_is_signed_out_and_their_tokens_stop(
    admin, logged_in_client, db_session
):
    other = logged_in_client("editor")
    token = issue_token(db_session, other.user, name="erp")
    assert other.get("/products").status_code == 200
    response = admin.post(f"/settings/users/{other.user.id}", data={"role": "editor"})
    assert response.status_code == 302
    assert other.get("/products").status_code == 302
    assert other.get("/products", headers={"Authorization": f"Bearer {token}"}).status_code == 302


def test_admins_cannot_lock_everyone_out(admin, db_session):
    me = admin.user.id
    response = admin.post(f"/settings/users/{me}", data={"role": "admin"})
    assert response.status_code == 422
    assert "you cannot deactivate your own account" in page(response)
    response = admin.post(f"/settings/users/{me}", data={"role": "editor", "active": "1"})
    assert response.status_code == 422
    assert "is the last active administrator" in page(response)
    db_session.expire_all()
    assert db_session.get(User, me).role == "admin"


def test_revoke_one_token_or_all(admin, make_user, db_session):
    user = make_user(email="api@example.com")
    for name in ("erp", "plm", "feed"):
        issue_token(db_session, user, name=name)
    first = db_session.scalar(select(ApiToken).where(ApiToken.name == "erp"))
    response = admin.post(f"/settings/users/{user.id}/tokens/revoke", data={"token": first.id})
    assert response.status_code == 302
    live = select(func.count(ApiToken.id)).where(ApiToken.revoked_at.is_(None))
    db_session.expire_all()
    assert db_session.scalar(live) == 2
    assert admin.post(f"/settings/users/{user.id}/tokens/revoke").status_code == 302
    db_session.expire_all()
    assert db_session.scalar(live) == 0
    assert "Revoked 2 tokens of api@example.com." in page(admin.get(f"/settings/users/{user.id}"))
