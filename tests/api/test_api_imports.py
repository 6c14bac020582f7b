"""Imports through the API: profiles (list, get), uploads answered 202 with the job to
follow (the in-memory queue has run it by then), dry runs, and every refusal: bad files,
unknown profiles, oversize bodies, wrong types, NUL bytes, roles."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from pim.imports import profiles
from pim.models import ImportJob, Product

PROFILES = "/api/v1/import-profiles"
IMPORTS = "/api/v1/imports"
MAPPING = {"key": {"column": "sku"}, "fields": {"family": {"value": "tshirts"}}, "auto": True}
GOOD_CSV = b"sku;name-en_US;color\nAPI-1;One;blue\nAPI-2;Two;mauve\nAPI-3;Three;red\n"


def save_profile(session, code="erp", **extra):
    document = {
        "code": code,
        "source": "erp",
        "reader": {"format": "csv"},
        "mapping": MAPPING,
        **extra,
    }
    return profiles.save_profile(session, document)


def upload(api, content=GOOD_CSV, filename="erp.csv", profile="erp", **fields):
    data = {"profile": profile, **fields}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return api.open("POST", IMPORTS, data=data, content_type="multipart/form-data")


def errors_of(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    return {e["field"]: e["message"] for e in response.get_json().get("errors", [])}


def imported(session) -> int:
    return session.scalar(select(func.count()).where(Product.identifier.startswith("API-")))


@pytest.fixture
def profile(catalog, db_session):
    return save_profile(db_session)


def test_profiles_are_listed_with_a_cursor_and_fetched_by_code(api, profile, db_session):
    save_profile(db_session, code="plm")
    save_profile(db_session, code="zeta")
    first = api.get(f"{PROFILES}?limit=2")
    assert first.status_code == 200
    body = first.get_json()
    assert [p["code"] for p in body["items"]] == ["erp", "plm"]
    assert body["items"][0]["mapping"] == MAPPING
    assert body["items"][0]["reader"] == {"format": "csv"}
    rest = api.get(body["next"]).get_json()
    assert [p["code"] for p in rest["items"]] == ["zeta"] and rest["next"] is None
    one = api.get(f"{PROFILES}/erp")
    assert one.status_code == 200
    assert one.get_json()["source"] == "erp"
    missing = api.get(f"{PROFILES}/nope")
    assert missing.status_code == 404
    assert missing.headers["Content-Type"] == "application/problem+json"
    assert api.get(f"{PROFILES}?limit=0").status_code == 422
    assert api.get(f"{PROFILES}?cursor=garbage").status_code == 422
    assert api.get(f"{PROFILES}?colour=red").status_code == 422


def test_an_upload_answers_202_with_the_finished_job_and_its_report(api, profile, db_session):
    response = upload(api)
    assert response.status_code == 202, response.get_json()
    job = db_session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
    assert response.headers["Location"].endswith(f"/api/v1/jobs/import-{job.id}")
    body = response.get_json()
    assert body["id"] == f"import-{job.id}" and body["kind"] == "import"
    assert body["status"] == "succeeded" and body["finished"] is True
    assert body["progress"] == 1.0
    assert body["counts"] == {
        "read": 3,
        "created": 2,
        "updated": 0,
        "skipped": 0,
        "failed": 1,
        "warnings": 0,
    }
    assert body["details"]["profile"] == "erp" and body["details"]["filename"] == "erp.csv"
    assert body["started_at"] and body["finished_at"] and body["duration_seconds"] >= 0
    assert body["report"]["total"] == 1
    (line,) = body["report"]["items"]
    assert (line["line"], line["key"], line["field"], line["value"]) == (
        3,
        "API-2",
        "color",
        "mauve",
    )
    assert line["severity"] == "error" and line["message"]
    assert imported(db_session) == 2
    assert job.created_by.email == api.user.email

    fetched = api.get(response.headers["Location"])
    assert fetched.status_code == 200
    assert fetched.get_json()["counts"] == body["counts"]


def test_a_dry_run_reads_every_row_and_writes_nothing(api, profile, db_session):
    response = upload(api, dry_run="true")
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert body["details"]["dry_run"] is True
    assert body["counts"]["read"] == 3 and body["counts"]["failed"] == 1
    assert imported(db_session) == 0
    assert_job_options_override_the_profile(api, db_session)


def assert_job_options_override_the_profile(api, db_session):
    response = upload(api, mode="all_or_nothing")
    assert response.status_code == 202
    assert response.get_json()["details"]["options"] == {"mode": "all_or_nothing"}
    assert imported(db_session) == 0  # one bad row: nothing written
    assert errors_of(upload(api, mode="sometimes")) == {
        "mode": "Must be one of: skip, all_or_nothing."
    }


BAD_FILES = [
    ({"content": None}, "send the file"),
    ({"content": b""}, "is empty"),
    ({"filename": "photo.png"}, "is not a file an import reads"),
    ({"content": b"PK\x03\x04zipped", "filename": "erp.csv"}, "reads csv files"),
    ({"content": b"sku\x00\x01\x02", "filename": "erp.txt"}, "not text"),
]


def test_bad_files_are_refused_naming_the_file_field(api, profile, db_session):
    for kwargs, message in BAD_FILES:
        response = upload(api, **kwargs)
        assert response.status_code == 422, kwargs
        assert message in errors_of(response)["file"]
    assert_bad_fields_are_422(api)
    assert db_session.scalar(select(func.count()).select_from(ImportJob)) == 0


def assert_bad_fields_are_422(api):
    assert "unknown import profile" in errors_of(upload(api, profile="nope"))["profile"]
    assert "profile" in errors_of(upload(api, profile=""))
    assert "profile" in errors_of(upload(api, profile="er\x00p"))
    assert "dry_run" in errors_of(upload(api, dry_run="maybe"))
    assert "colour" in errors_of(upload(api, colour="red"))


def test_an_oversize_upload_is_413_and_json_is_415(api, profile, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    big = b"sku;name-en_US\n" + b"API-9;" + b"x" * 5000 + b"\n"
    response = upload(api, content=big)
    assert response.status_code == 413
    assert "2000 bytes" in response.get_json()["detail"]
    assert upload(api).status_code == 202
    as_json = api.post(IMPORTS, {"profile": "erp", "url": "https://example.com/x.csv"})
    assert as_json.status_code == 415


def test_roles(api_as, profile, client, db_session):
    roles = {"admin": (200, 202), "editor": (200, 202), "viewer": (403, 403)}
    roles["translator"] = (403, 403)
    for role, (listed, uploaded) in roles.items():
        caller = api_as(role)
        assert caller.get(PROFILES).status_code == listed, role
        assert caller.get(f"{PROFILES}/erp").status_code == listed, role
        assert upload(caller).status_code == uploaded, role
    assert_suppliers_and_strangers_are_refused(api_as, profile, client, db_session)


def assert_suppliers_and_strangers_are_refused(api_as, profile, client, db_session):
    supplier = api_as("supplier")
    profile.members = [supplier.user]
    assert supplier.get(PROFILES).status_code == 403  # the API needs read: use the portal
    assert upload(supplier).status_code == 403
    stranger = client.post(IMPORTS, data={"profile": "erp"}, content_type="multipart/form-data")
    assert stranger.status_code == 401
    assert client.get(PROFILES).status_code == 401
    assert db_session.scalar(select(func.count()).select_from(ImportJob)) == 2  # admin, editor
