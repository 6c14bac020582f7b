"""Imports screens: upload → job → report, profiles from a sample, and the supplier portal.

The test app's queue is in memory and runs a job inside ``enqueue``, so a job is finished
by the time the upload's redirect is answered.
"""

from __future__ import annotations

import csv
import io
import re
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from pim.imports import profiles
from pim.models import ImportJob, ImportProfile, Product

HEADER = ["SKU", "Name (FR)", "Prix EUR", "Internal note"]
GOOD = [["SUP-1", "Chemise", "12,50", "x"], ["SUP-2", "Robe", "30", "y"]]
BAD = ["SUP-3", "Jupe", "abc", "z"]

MAPPING = {
    "key": {"column": "SKU"},
    "fields": {"family": {"value": "tshirts"}},
    "values": [
        {"column": "Name (FR)", "attribute": "name", "locale": "fr_FR"},
        {
            "column": "Prix EUR",
            "attribute": "price",
            "transforms": [{"op": "decimal_comma"}, {"op": "currency", "currency": "EUR"}],
        },
    ],
    "ignore": ["Internal note"],
}


def _csv(header=HEADER, rows=(*GOOD, BAD)) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode()


def _profile(session, code="acme", source="supplier:acme", members=()):
    document = {
        "code": code,
        "label": f"Supplier {code}",
        "source": source,
        "reader": {"format": "csv"},
        "mapping": MAPPING,
        "members": [m.email for m in members],
    }
    return profiles.save_profile(session, document)


def _upload(client, profile="acme", content=None, filename="feed.csv", **options):
    data = {
        "profile": profile,
        "file": (io.BytesIO(_csv() if content is None else content), filename),
    }
    data.update(options)
    return client.post("/imports", data=data, content_type="multipart/form-data")


def _job_id(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/imports/(\d+)$", response.headers["Location"]).group(1))


def _product_count(session, prefix="SUP-") -> int:
    query = select(func.count()).where(Product.identifier.startswith(prefix))
    return session.scalar(query)


@pytest.fixture
def editor(catalog, db_session, logged_in_client):
    _profile(db_session)
    return logged_in_client("editor")


# --- upload, job page, status, report, run again ----------------------------------------------


def test_upload_runs_the_job_and_its_page_shows_the_counts(editor, db_session):
    job_id = _job_id(_upload(editor))

    job = db_session.get(ImportJob, job_id)
    assert job.status == "succeeded" and job.created_by == editor.user
    assert (job.rows_read, job.rows_created, job.rows_failed) == (3, 2, 1)
    assert _product_count(db_session) == 2
    page = editor.get(f"/imports/{job_id}").get_data(as_text=True)
    assert f"Import #{job_id}: feed.csv" in page
    assert '<dd data-count="read">3</dd>' in page
    assert '<dd data-count="written">2</dd>' in page
    assert '<dd data-count="failed">1</dd>' in page
    assert 'value="100"' in page  # the progress bar
    assert "Download report (CSV)" in page and "Run again" in page
    assert "&#39;abc&#39; is not a number" in page  # the report table
    assert "js/imports.js" in page
    listing = editor.get("/imports").get_data(as_text=True)
    assert f'href="/imports/{job_id}"' in listing and "feed.csv" in listing


def test_report_csv_names_the_bad_rows_line_column_value_and_reason(editor):
    job_id = _job_id(_upload(editor))

    response = editor.get(f"/imports/{job_id}/report.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="import-{job_id}-report.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    assert rows[0]["line"] == "4" and rows[0]["key"] == "SUP-3"
    assert rows[0]["column"] == "Prix EUR" and rows[0]["value"] == "abc"
    assert "not a number" in rows[0]["reason"] and rows[0]["severity"] == "error"


def test_status_json_gives_the_counts_for_the_progress_bar(editor):
    job_id = _job_id(_upload(editor))

    response = editor.get(f"/imports/{job_id}/status")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    status = response.get_json()
    assert status["status"] == "succeeded" and status["finished"] is True
    assert status["fraction"] == 1.0 and status["phase"] == "done"
    assert (status["read"], status["created"], status["failed"]) == (3, 2, 1)


def test_run_again_makes_a_new_job_with_the_same_file_and_options(editor, db_session):
    first = _job_id(_upload(editor, mode="all_or_nothing"))
    assert _product_count(db_session) == 0  # one bad row: nothing written

    again = _job_id(editor.post(f"/imports/{first}/run-again"))
    assert again != first
    old, new = db_session.get(ImportJob, first), db_session.get(ImportJob, again)
    assert new.stored_path == old.stored_path and new.filename == "feed.csv"
    assert new.options == old.options == {"mode": "all_or_nothing"}
    assert new.status == "failed" and new.rows_failed == 1


def test_the_report_is_paginated(editor, db_session):
    rows = [[f"SUP-{i}", "N", "bad", ""] for i in range(60)]
    job_id = _job_id(_upload(editor, content=_csv(rows=rows)))

    first = editor.get(f"/imports/{job_id}").get_data(as_text=True)
    second = editor.get(f"/imports/{job_id}?page=2").get_data(as_text=True)
    assert "Page 1 of 2" in first and "SUP-49<" in first and "SUP-50<" not in first
    assert "SUP-50<" in second and "SUP-59<" in second and "SUP-0<" not in second


def test_dry_run_upload_leaves_the_catalogue_unchanged(editor, db_session):
    job_id = _job_id(_upload(editor, dry_run="1"))

    job = db_session.get(ImportJob, job_id)
    assert job.options == {"dry_run": True} and job.rows_created == 2
    assert "would be created" in job.message
    assert _product_count(db_session) == 0


def test_upload_options_reach_the_job(editor, db_session):
    job_id = _job_id(_upload(editor, create="update_only", missing="flag", mode="skip"))
    job = db_session.get(ImportJob, job_id)
    assert job.options == {"create": False, "missing": "flag", "mode": "skip"}
    assert _product_count(db_session) == 0  # update only: the new products were skipped


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"content": b""}, "is empty"),
        ({"profile": ""}, "Choose an import profile."),
        ({"filename": ""}, "Choose a file to import."),
        ({"mode": "sideways"}, "mode must be one of"),
    ],
)
def test_upload_problems_are_explained(editor, db_session, fields, message):
    response = _upload(editor, **fields)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert db_session.scalar(select(func.count()).select_from(ImportJob)) == 0


def test_a_file_over_the_limit_is_refused_with_the_limit(editor, app, monkeypatch):
    assert app.config["MAX_CONTENT_LENGTH"] == 512 * 1024 * 1024
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2048)
    response = _upload(editor, content=b"x" * 4096)
    assert response.status_code == 413
    assert "too large: uploads are limited to 2 KB" in response.get_data(as_text=True)


def test_unknown_job_and_profile_answer_404(editor):
    assert editor.get("/imports/999999").status_code == 404
    assert editor.get("/imports/999999/status").status_code == 404
    assert _upload(editor, profile="nope").status_code == 404


def test_roles_without_import_cannot_reach_the_imports(catalog, logged_in_client):
    for role in ("viewer", "translator"):
        client = logged_in_client(role)
        assert client.get("/imports").status_code == 403
        assert client.get("/imports/profiles").status_code == 403
        assert b'href="/imports"' not in client.get("/products").data
    assert logged_in_client("editor").get("/imports/my-products").status_code == 403


# --- profiles: a sample, suggestions, the editor -------------------------------------------


class FormValues(HTMLParser):
    """What a browser would submit for the forms of a page: ``forms[action]`` → [(name, value)]."""

    def __init__(self):
        super().__init__()
        self.forms: dict[str, list] = {}
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = self.forms.setdefault(attrs.get("action", ""), [])
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name") and attrs.get("type") not in ("file",):
            if attrs.get("type") != "checkbox" or "checked" in attrs:
                self._form.append((attrs["name"], attrs.get("value", "")))
        elif tag == "select":
            self._select = [attrs.get("name"), None, None]
        elif tag == "option" and self._select:
            if self._select[2] is None:
                self._select[2] = attrs.get("value", "")
            if "selected" in attrs:
                self._select[1] = attrs.get("value", "")
        elif tag == "textarea":
            self._textarea = [attrs["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select:
            name, chosen, first = self._select
            self._form.append((name, chosen if chosen is not None else first))
            self._select = None
        elif tag == "textarea" and self._textarea:
            self._form.append(tuple(self._textarea))
            self._textarea = None


def _form(page: str, action: str) -> dict:
    parser = FormValues()
    parser.feed(page)
    values: dict = {}
    for name, value in parser.forms[action]:
        values.setdefault(name, []).append(value)
    return values


def _row_values(form: dict, column: str) -> dict:
    index = next(k[:-7] for k, v in form.items() if k.endswith("-column") and v == [column])
    return {k[len(index) + 1 :]: v[0] for k, v in form.items() if k.startswith(index + "-")}


SAMPLE_HEADER = ["SKU", "Name (FR)", "Prix EUR", "Weight (kg)", "Colour", "Internal note"]
SAMPLE_ROWS = [["NEW-1", "Chemise", "12,50", "0,25", "Red", "call"]]


def _sample_page(client, **fields):
    data = {
        "code": "acme-feed",
        "label": "ACME feed",
        "source_kind": "supplier",
        "supplier_name": "acme",
        "entity": "product",
        "format": "csv",
        "file": (io.BytesIO(_csv(SAMPLE_HEADER, SAMPLE_ROWS)), "acme.csv"),
        **fields,
    }
    return client.post("/imports/profiles/new", data=data, content_type="multipart/form-data")


@pytest.fixture
def staff(catalog, logged_in_client):
    return logged_in_client("editor")


def test_a_sample_gives_suggested_mappings(staff):
    response = _sample_page(staff)
    assert response.status_code == 200
    form = _form(response.get_data(as_text=True), "/imports/profiles")

    assert _row_values(form, "SKU")["target"] == "@key"
    assert {k: _row_values(form, "Name (FR)")[k] for k in ("target", "locale")} == {
        "target": "name",
        "locale": "fr_FR",
    }
    price = _row_values(form, "Prix EUR")
    assert (price["target"], price["decimal_comma"], price["currency"]) == ("price", "1", "EUR")
    weight = _row_values(form, "Weight (kg)")
    assert (weight["target"], weight["unit"], weight["decimal_comma"]) == (
        "weight",
        "KILOGRAM",
        "1",
    )
    colour = _row_values(form, "Colour")
    assert (colour["target"], colour["option_label"]) == ("color", "1")
    assert _row_values(form, "Internal note")["target"] == ""
    assert form["code"] == ["acme-feed"] and form["supplier_name"] == ["acme"]
    page = response.get_data(as_text=True)
    assert "Save and dry run on the sample" in page and "Chemise" in page  # first values


def test_saving_the_suggestion_creates_the_profile(staff, db_session, make_user):
    supplier = make_user(role="supplier", email="jane@acme.example")
    form = _form(_sample_page(staff).get_data(as_text=True), "/imports/profiles")
    form["members"] = [supplier.email]
    form["action"] = ["save"]

    response = staff.post("/imports/profiles", data=form)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/imports/profiles/acme-feed")
    profile = profiles.get_profile(db_session, "acme-feed")
    assert profile.source == "supplier:acme" and profile.reader == {"format": "csv"}
    assert [m.email for m in profile.members] == ["jane@acme.example"]
    mapping = profile.mapping
    assert mapping["key"] == {"column": "SKU"}
    assert mapping["ignore"] == ["Internal note"]
    assert {"column": "Name (FR)", "attribute": "name", "locale": "fr_FR"} in mapping["values"]
    assert {
        "column": "Weight (kg)",
        "attribute": "weight",
        "transforms": [{"op": "decimal_comma"}, {"op": "unit", "unit": "KILOGRAM"}],
    } in mapping["values"]
    # the saved profile's page shows the same mapping again
    edit = _form(
        staff.get("/imports/profiles/acme-feed").get_data(as_text=True),
        "/imports/profiles/acme-feed",
    )
    assert _row_values(edit, "Prix EUR")["currency"] == "EUR"
    assert edit["members"] == ["jane@acme.example"]


def test_save_errors_are_shown_and_nothing_typed_is_lost(staff, db_session):
    form = _form(_sample_page(staff).get_data(as_text=True), "/imports/profiles")
    form.update(code=["Bad Code!"], supplier_name=[""], label=["My label"], action=["save"])
    index = next(k[:-7] for k, v in form.items() if k.endswith("-column") and v == ["Colour"])
    form[f"{index}-map"] = ["Rouge = red\nno equals sign"]

    response = staff.post("/imports/profiles", data=form)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was saved" in page
    assert "lower-case letters, digits, - and _ only" in page
    assert "erp, plm, migration or supplier:NAME" in page
    assert "Colour: write each value map line as" in page
    again = _form(page, "/imports/profiles")
    assert again["code"] == ["Bad Code!"] and again["label"] == ["My label"]
    assert _row_values(again, "Colour")["map"] == "Rouge = red\nno equals sign"
    assert _row_values(again, "Prix EUR")["currency"] == "EUR"
    assert "Chemise" in page  # the sample's first values are still shown
    assert db_session.scalar(select(func.count()).select_from(ImportProfile)) == 0


def test_save_and_dry_run_on_the_sample_changes_nothing(staff, db_session):
    form = _form(_sample_page(staff).get_data(as_text=True), "/imports/profiles")
    form["action"] = ["dry_run"]

    job_id = _job_id(staff.post("/imports/profiles", data=form))
    job = db_session.get(ImportJob, job_id)
    assert job.profile.code == "acme-feed" and job.filename == "acme.csv"
    assert job.options == {"dry_run": True} and job.status == "succeeded"
    assert job.rows_created == 1 and "would be created" in job.message
    assert db_session.scalar(select(Product.id).where(Product.identifier == "NEW-1")) is None
    page = staff.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "dry run" in page and "would be created" in page


def test_an_unreadable_sample_is_explained(staff):
    response = _sample_page(staff, format="xml")
    assert response.status_code == 422
    assert "no record element is set" in response.get_data(as_text=True)


def test_editing_keeps_rules_the_inputs_cannot_show(staff, db_session):
    document = {
        "code": "erp",
        "source": "erp",
        "reader": {"format": "csv", "delimiter": ";", "max_cell_chars": 1000},
        "mapping": {
            "key": {"column": "sku", "transforms": [{"op": "upper"}]},
            "fields": {"enabled": {"value": False}, "family": {"value": "tshirts"}},
            "values": [
                {
                    "columns": ["Brand", "Line", "Fit"],
                    "attribute": "name",
                    "locale": "en_US",
                    "transforms": [{"op": "concat", "sep": " / "}],
                },
                {"column": "Size", "attribute": "size", "transforms": [{"op": "lower"}]},
            ],
        },
    }
    profiles.save_profile(db_session, document)
    page = staff.get("/imports/profiles/erp").get_data(as_text=True)
    form = _form(page, "/imports/profiles/erp")
    assert _row_values(form, "sku")["transforms"] == '[{"op": "upper"}]'
    form.update(label=["ERP nightly"], action=["save"])

    assert staff.post("/imports/profiles/erp", data=form).status_code == 302
    saved = profiles.get_profile(db_session, "erp")
    assert saved.label == "ERP nightly"
    assert saved.reader == {"format": "csv", "delimiter": ";", "max_cell_chars": 1000}
    assert saved.mapping["key"] == document["mapping"]["key"]
    assert saved.mapping["values"] == document["mapping"]["values"]
    assert saved.mapping["fields"] == document["mapping"]["fields"]


def test_a_new_sample_adds_suggestions_for_new_columns(staff, db_session):
    _profile(db_session)
    data = {"file": (io.BytesIO(_csv([*HEADER, "Colour"], [[*GOOD[0], "Red"]])), "new.csv")}
    response = staff.post(
        "/imports/profiles/acme/sample", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 200
    form = _form(response.get_data(as_text=True), "/imports/profiles/acme")
    assert _row_values(form, "Colour")["target"] == "color"
    assert _row_values(form, "Prix EUR")["currency"] == "EUR"  # the saved rule is kept
    assert form["sample"][0].endswith("-new.csv")


def test_profiles_list_and_unknown_profile(staff, db_session):
    _profile(db_session)
    page = staff.get("/imports/profiles").get_data(as_text=True)
    assert 'href="/imports/profiles/acme"' in page and "supplier:acme" in page
    assert staff.get("/imports/profiles/nope").status_code == 404


# --- the supplier portal ------------------------------------------------------------------


@pytest.fixture
def suppliers(catalog, db_session, logged_in_client):
    """Suppliers A and B, each with a profile of their own and one import done."""
    a, b = logged_in_client("supplier"), logged_in_client("supplier")
    _profile(db_session, "profile-a", "supplier:a", members=[a.user])
    _profile(db_session, "profile-b", "supplier:b", members=[b.user])
    rows_a = [["A-1", "Chemise A", "10", ""]]
    rows_b = [["B-1", "Chemise B", "10", ""]]
    a.job = _job_id(_upload(a, "profile-a", _csv(rows=rows_a), "a-feed.csv"))
    b.job = _job_id(_upload(b, "profile-b", _csv(rows=rows_b), "b-feed.csv"))
    return a, b


def test_a_supplier_sees_only_their_own_jobs_and_profiles(suppliers):
    a, b = suppliers
    page = a.get("/imports").get_data(as_text=True)
    assert "a-feed.csv" in page and "b-feed.csv" not in page
    assert 'value="profile-a"' in page and "profile-b" not in page
    assert a.get(f"/imports/{a.job}").status_code == 200
    assert a.get(f"/imports/{a.job}/status").get_json()["created"] == 1
    assert a.get(f"/imports/{a.job}/report.csv").status_code == 200


def test_another_suppliers_job_answers_404_everywhere(suppliers, db_session):
    a, b = suppliers
    jobs_before = db_session.scalar(select(func.count()).select_from(ImportJob))
    for path in (f"/imports/{b.job}", f"/imports/{b.job}/status", f"/imports/{b.job}/report.csv"):
        assert a.get(path).status_code == 404, path
    assert a.post(f"/imports/{b.job}/run-again").status_code == 404
    assert _upload(a, "profile-b").status_code == 404
    assert db_session.scalar(select(func.count()).select_from(ImportJob)) == jobs_before


def test_my_products_lists_only_the_suppliers_products(suppliers):
    a, b = suppliers
    page = a.get("/imports/my-products").get_data(as_text=True)
    assert "A-1" in page and "B-1" not in page and "TS-CREW-RED-S" not in page
    assert "tshirts" in page and "%</span>" in page  # family and completeness
    assert "B-1" in b.get("/imports/my-products").get_data(as_text=True)


def test_my_products_pages_on_a_cursor(catalog, db_session, logged_in_client, monkeypatch):
    from pim.web import imports as views

    monkeypatch.setattr(views, "PRODUCTS_PAGE_SIZE", 2)
    client = logged_in_client("supplier")
    _profile(db_session, members=[client.user])
    rows = [[f"SUP-{i}", "N", "1", ""] for i in range(3)]
    _job_id(_upload(client, content=_csv(rows=rows)))

    first = client.get("/imports/my-products").get_data(as_text=True)
    assert "SUP-0" in first and "SUP-1" in first and "SUP-2" not in first
    after = re.search(r'href="(/imports/my-products\?after=\d+)"', first).group(1)
    second = client.get(after).get_data(as_text=True)
    assert "SUP-2" in second and "SUP-0" not in second


def test_a_supplier_is_refused_every_staff_page(suppliers):
    a, _ = suppliers
    for path in (
        "/products",
        "/products/TS-CREW-RED-S",
        "/models/TS-CREW",
        "/imports/profiles",
        "/imports/profiles/new",
        "/imports/profiles/profile-a",
        "/assets",
        "/settings",
    ):
        assert a.get(path).status_code == 403, path
    assert a.post("/imports/profiles", data={}).status_code == 403
    assert a.post("/imports/profiles/profile-a", data={}).status_code == 403
    assert a.post("/products/TS-CREW-RED-S", data={}).status_code == 403


def test_a_supplier_lands_on_imports_and_sees_only_their_menu(suppliers):
    a, _ = suppliers
    assert a.get("/").headers["Location"].endswith("/imports")
    page = a.get("/imports").get_data(as_text=True)
    nav = page[page.index('<nav class="mainnav"') : page.index("</nav>")]
    assert re.findall(r"<a href=\"([^\"]+)\"", nav) == ["/imports", "/imports/my-products"]
    assert a.post("/logout").status_code == 302


def test_staff_see_every_suppliers_jobs(suppliers, logged_in_client):
    page = logged_in_client("admin").get("/imports").get_data(as_text=True)
    assert "a-feed.csv" in page and "b-feed.csv" in page


def test_saving_an_unchanged_profile_keeps_its_revision(staff, db_session):
    profile = _profile(db_session)
    revision = profile.revision
    form = _form(
        staff.get("/imports/profiles/acme").get_data(as_text=True), "/imports/profiles/acme"
    )
    form["action"] = ["save"]

    assert staff.post("/imports/profiles/acme", data=form).status_code == 302
    db_session.refresh(profile)
    assert profile.revision == revision  # unchanged rows of the next import are still skipped
    assert profile.mapping == MAPPING


PASSWORD = "a long enough password"


def test_suppliers_land_on_their_imports_after_signing_in(catalog, client, make_user, login):
    supplier = make_user(role="supplier", password=PASSWORD)
    staff_user = make_user(role="editor", password=PASSWORD)

    landed = login(client, supplier, password=PASSWORD)

    assert landed.status_code == 302 and landed.headers["Location"].endswith("/imports")
    client.post("/logout")
    assert login(client, staff_user, password=PASSWORD).headers["Location"] == "/"  # dashboard
