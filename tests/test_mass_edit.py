"""Mass edit from the product grid: form → preview → job → report.

The test app's queue is in memory and runs a job inside ``enqueue``, so a job has finished
by the time the start's redirect is answered; the job page then shows its final counts.
"""

from __future__ import annotations

import re

import pytest
from factories import SYSTEM, value
from sqlalchemy import select

from pim import create_app
from pim.auth import create_user
from pim.cli import upgrade_database
from pim.extensions import db
from pim.models import MassEditJob, Product, Version
from pim.search import service as search
from pim.services import mass_edit, products

XSS = "<img src=x onerror=alert(1)>"


def _product(session, identifier, **fields):
    return products.create_product(
        session, {"identifier": identifier, "family": "tshirts", **fields}, SYSTEM
    )


def _ids(session, *identifiers) -> list[str]:
    rows = session.scalars(select(Product.id).where(Product.identifier.in_(identifiers)))
    return [str(i) for i in rows]


def _start(client, ids=(), **fields):
    """Post the last step of the form; returns the job page (following the redirect)."""
    data = {"id": list(ids), **fields}
    response = client.post("/mass-edit", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    location = response.headers["Location"]
    assert re.search(r"/mass-edit/jobs/\d+", location)
    return client.get(location)


def _versions(session, identifier) -> list[Version]:
    return list(
        session.scalars(
            select(Version)
            .where(Version.resource_type == "product", Version.resource_key == identifier)
            .order_by(Version.number)
        )
    )


def _last_job(session) -> MassEditJob:
    return session.scalars(select(MassEditJob).order_by(MassEditJob.id.desc())).first()


# --- operations ----------------------------------------------------------------------------


def test_set_a_value_on_several_products_records_mass_edit_versions(
    catalog, db_session, logged_in_client
):
    for n in (1, 2, 3):
        _product(db_session, f"ME-{n}")
    client = logged_in_client("editor")
    ids = _ids(db_session, "ME-1", "ME-2")
    page = _start(
        client, ids, op="set_value", attribute="name", value_locale="fr_FR", value="Chemise"
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "succeeded" in text and "Set Name [fr_FR] to “Chemise”" in text
    assert 'data-count="changed">2<' in text and 'data-count="failed">0<' in text
    for identifier in ("ME-1", "ME-2"):
        product = catalog.product(identifier)
        assert product.values["name"] == value("Chemise", "fr_FR")
        last = _versions(db_session, identifier)[-1]
        assert last.source == "mass_edit" and last.author == client.user.email
        assert last.changes["values"]["name-fr_FR"] == {"old": None, "new": "Chemise"}
    assert "name" not in catalog.product("ME-3").values
    assert len(_versions(db_session, "ME-3")) == 1


def test_change_status_and_categories_of_the_selection(catalog, db_session, logged_in_client):
    for n in (1, 2):
        _product(db_session, f"ST-{n}", categories=["men"])
    client = logged_in_client("editor")
    ids = _ids(db_session, "ST-1", "ST-2")
    _start(client, ids, op="change_status", new_status="in_review")
    _start(client, ids, op="add_categories", categories=["women", "women_tops"])
    for identifier in ("ST-1", "ST-2"):
        product = catalog.product(identifier)
        assert product.workflow_status == "in_review"
        assert sorted(c.code for c in product.categories) == ["men", "women", "women_tops"]
    _start(client, ids, op="remove_categories", categories=["men"])
    assert sorted(c.code for c in catalog.product("ST-1").categories) == ["women", "women_tops"]
    _start(client, ids, op="replace_categories", categories=["master"])
    assert [c.code for c in catalog.product("ST-2").categories] == ["master"]
    sources = {v.source for v in _versions(db_session, "ST-1")[1:]}
    assert sources == {"mass_edit"}
    # the grid shows the new status
    text = client.get("/products?q=ST-").get_data(as_text=True)
    assert text.count('data-status="in_review"') == 2


def test_a_refused_product_is_reported_while_the_others_are_changed(
    catalog, db_session, logged_in_client
):
    _product(db_session, "OK-1")
    _product(db_session, "REVIEW-1", workflow_status="in_review")
    client = logged_in_client("editor")
    # draft → approved is not an allowed move; in_review → approved is
    page = _start(
        client, _ids(db_session, "OK-1", "REVIEW-1"), op="change_status", new_status="approved"
    )
    text = page.get_data(as_text=True)
    assert catalog.product("REVIEW-1").workflow_status == "approved"
    assert catalog.product("OK-1").workflow_status == "draft"
    assert 'data-count="changed">1<' in text and 'data-count="failed">1<' in text
    assert "OK-1" in text and "cannot go from draft to approved" in text

    # a value the variant's level does not own: the variant is refused, the product is not
    page = _start(
        client,
        _ids(db_session, "OK-1", "TS-CREW-RED-S"),
        op="set_value",
        attribute="name",
        value_locale="en_US",
        value="Tee",
    )
    text = page.get_data(as_text=True)
    assert catalog.product("OK-1").values["name"] == value("Tee", "en_US")
    assert "name" not in (catalog.product("TS-CREW-RED-S").values or {})
    assert "TS-CREW-RED-S" in text and "belongs to the root model" in text
    job = _last_job(db_session)
    assert (job.status, job.changed, job.failed, job.total) == ("succeeded", 1, 1, 2)


def test_an_invalid_value_is_refused_before_anything_runs(catalog, db_session, logged_in_client):
    _product(db_session, "NUM-1")
    client = logged_in_client("editor")
    ids = _ids(db_session, "NUM-1")
    response = client.post(
        "/mass-edit/preview",
        data={"id": ids, "op": "set_value", "attribute": "pieces", "value": "abc"},
    )
    assert response.status_code == 422
    assert "pieces: &#39;abc&#39; is not a valid number" in response.get_data(as_text=True)
    response = client.post(
        "/mass-edit",
        data={"id": ids, "op": "set_value", "attribute": "weight", "value.amount": "9000"},
    )
    assert response.status_code == 422
    assert db_session.scalar(select(MassEditJob.id)) is None
    assert catalog.product("NUM-1").version == 1


def test_options_family_and_associations(catalog, db_session, logged_in_client):
    _product(db_session, "OPT-1", values={"material": value(["polyester"])})
    products.create_product(db_session, {"identifier": "LOOSE-1"}, SYSTEM)
    client = logged_in_client("editor")
    ids = _ids(db_session, "OPT-1")
    _start(client, ids, op="add_options", attribute="material", options=["cotton", "polyester"])
    assert catalog.product("OPT-1").values["material"][0]["data"] == ["polyester", "cotton"]
    _start(client, ids, op="remove_options", attribute="material", options=["polyester"])
    assert catalog.product("OPT-1").values["material"][0]["data"] == ["cotton"]
    _start(client, ids, op="clear_value", attribute="material")
    assert "material" not in catalog.product("OPT-1").values

    page = _start(
        client,
        _ids(db_session, "LOOSE-1", "TS-CREW-RED-M"),
        op="change_family",
        new_family="tshirts",
    )
    assert catalog.product("LOOSE-1").family.code == "tshirts"
    text = page.get_data(as_text=True)  # the variant already is in its model's family
    assert 'data-count="changed">1<' in text and 'data-count="unchanged">1<' in text

    _start(
        client,
        ids,
        op="add_associations",
        association_type="cross_sell",
        targets="LOOSE-1, TS-CREW",
    )
    state = products.product_state(db_session, catalog.product("OPT-1"))["associations"]
    assert state == {"cross_sell": {"products": ["LOOSE-1"], "product_models": ["TS-CREW"]}}


def test_delete_through_all_matching_the_query(catalog, db_session, logged_in_client):
    for n in (1, 2):
        _product(db_session, f"GONE-{n}")
    _product(db_session, "STAYS-1")
    db_session.commit()
    assert search.search(db_session, "GONE", kinds=("product",)).total == 2
    client = logged_in_client("editor")
    form = client.get("/mass-edit?all=1&q=GONE").get_data(as_text=True)
    assert "<strong>2</strong> product" in form and "<code>GONE</code>" in form
    preview = client.post("/mass-edit/preview", data={"all": "1", "q": "GONE", "op": "delete"})
    assert preview.status_code == 200
    assert "Delete 2 products" in preview.get_data(as_text=True)
    _start(client, all="1", q="GONE", op="delete")
    job = _last_job(db_session)
    assert job.selection == {"query": "GONE"} and job.changed == 2
    assert db_session.scalar(select(Product.id).where(Product.identifier.like("GONE-%"))) is None
    assert catalog.product("STAYS-1")
    assert search.search(db_session, "GONE", kinds=("product",)).total == 0
    deleted = _versions(db_session, "GONE-1")[-1]
    assert deleted.snapshot == {"deleted": True} and deleted.source == "mass_edit"


def test_preview_says_how_many_and_what_changes_without_changing(
    catalog, db_session, logged_in_client
):
    for n in (1, 2, 3):
        _product(db_session, f"PV-{n}")
    client = logged_in_client("editor")
    ids = _ids(db_session, "PV-1", "PV-2", "PV-3")
    response = client.post(
        "/mass-edit/preview",
        data={"id": ids, "op": "set_value", "attribute": "washable", "value": "1"},
    )
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Set washable to “Yes”" in text and "3 products" in text
    assert text.count('washable</span>: <span class="old">—</span> → <span class="new">Yes') == 3
    assert 'name="op" value="set_value"' in text  # the next step repeats the form
    assert all(catalog.product(f"PV-{n}").version == 1 for n in (1, 2, 3))
    assert db_session.scalar(select(MassEditJob.id)) is None


def test_the_form_shows_the_inputs_of_the_chosen_attribute(catalog, db_session, logged_in_client):
    _product(db_session, "FORM-1")
    client = logged_in_client("editor")
    ids = _ids(db_session, "FORM-1")
    text = client.get(f"/mass-edit?id={ids[0]}&op=set_value&attribute=color").get_data(as_text=True)
    assert "1</strong> selected product" in text
    assert '<select id="value" name="value">' in text and 'value="red"' in text
    refreshed = client.post(
        "/mass-edit/preview",
        data={"id": ids, "op": "set_value", "attribute": "weight", "refresh": "1"},
    )
    text = refreshed.get_data(as_text=True)
    assert (
        refreshed.status_code == 200
        and 'name="value.amount"' in text
        and 'name="value.unit"' in text
    )
    assert 'id="value-locale"' not in text  # weight has no locale
    nothing = client.get("/mass-edit")
    assert nothing.status_code == 302 and nothing.headers["Location"].startswith("/products")


def test_job_status_is_json_and_labels_are_escaped(catalog, db_session, logged_in_client):
    _product(db_session, "JS-1")
    client = logged_in_client("editor")
    page = _start(
        client,
        _ids(db_session, "JS-1"),
        op="set_value",
        attribute="name",
        value_locale="en_US",
        value=XSS,
    )
    text = page.get_data(as_text=True)
    assert XSS not in text and "&lt;img src=x onerror=alert(1)&gt;" in text
    job = _last_job(db_session)
    status = client.get(f"/mass-edit/jobs/{job.id}/status").get_json()
    assert status["status"] == "succeeded" and status["finished"] is True
    assert (status["total"], status["changed"], status["fraction"]) == (1, 1, 1.0)


def test_only_editors_may_mass_edit(catalog, db_session, logged_in_client):
    _product(db_session, "ROLE-1")
    ids = _ids(db_session, "ROLE-1")
    data = {"id": ids, "op": "delete"}
    for role in ("viewer", "translator"):
        client = logged_in_client(role)
        assert client.get(f"/mass-edit?id={ids[0]}").status_code == 403
        assert client.post("/mass-edit/preview", data=data).status_code == 403
        assert client.post("/mass-edit", data=data).status_code == 403
        grid = client.get("/products").get_data(as_text=True)
        assert 'name="id"' not in grid and "Mass edit the selection" not in grid
    assert catalog.product("ROLE-1")
    editor = logged_in_client("editor")
    _start(editor, ids, op="change_status", new_status="in_review")
    job = _last_job(db_session)
    assert logged_in_client("viewer").get(f"/mass-edit/jobs/{job.id}").status_code == 403
    assert editor.get(f"/mass-edit/jobs/{job.id + 1}").status_code == 404
    assert editor.get("/mass-edit/preview").status_code == 405


def test_a_job_whose_operation_became_impossible_fails_with_a_message(catalog, db_session):
    _product(db_session, "LATE-1")
    op = mass_edit.Operation(kind="set_value", attribute="nope", data="x")
    job = mass_edit.create_job(db_session, op, mass_edit.Selection(ids=(1,)))
    done = mass_edit.run_job(db_session, job.id, commit=False)
    assert done.status == "failed" and "no longer possible" in done.message


def test_the_grid_offers_selection_and_all_matching(catalog, db_session, logged_in_client):
    text = logged_in_client("editor").get("/products?q=crew").get_data(as_text=True)
    assert text.count('name="id"') == 2
    assert "Select all 2 products matching this search" in text
    assert 'name="all" value="1"' in text and 'action="/mass-edit"' in text


# --- CSRF, on an app of its own with protection enabled ------------------------------------


@pytest.fixture
def csrf_client(tmp_path):
    application = create_app(
        {
            "DATABASE_URL": f"sqlite:///{tmp_path / 'csrf.db'}",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "m" * 32,
            "TESTING": True,
            "WTF_CSRF_ENABLED": True,
            "QUEUE_URL": "memory://",
            "SEARCH_URL": "memory://",
        }
    )
    with application.app_context():
        upgrade_database()
        create_user(db.session, "mass@example.com", "editor", "a test password")
        db.session.commit()
    client = application.test_client()
    token = re.search(
        r'name="csrf_token" value="([^"]+)"', client.get("/login").get_data(as_text=True)
    )
    credentials = {"email": "mass@example.com", "password": "a test password"}
    assert client.post("/login", data={**credentials, "csrf_token": token[1]}).status_code == 302
    yield client
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def test_every_mass_edit_and_view_form_needs_the_csrf_token(csrf_client):
    for path in (
        "/mass-edit",
        "/mass-edit/preview",
        "/views",
        "/views/1/rename",
        "/views/1/delete",
    ):
        assert (
            csrf_client.post(path, data={"id": "1", "op": "delete", "name": "x"}).status_code == 400
        )
