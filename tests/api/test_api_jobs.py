"""Jobs through the API: imports and mass edits (and what plugins register) under one
``/api/v1/jobs`` list with kind and status filters, each job's live progress, counts,
times and paginated report; mass edits started (or previewed) with ``/api/v1/mass-edits``."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from pim.api import jobs as api_jobs
from pim.imports import jobs as import_jobs
from pim.imports import profiles
from pim.models import ImportJob, JobStatus, MassEditJob
from pim.queue import current_queue
from pim.services import products

JOBS = "/api/v1/jobs"
MASS_EDITS = "/api/v1/mass-edits"
MAPPING = {"key": {"column": "sku"}, "fields": {"family": {"value": "tshirts"}}, "auto": True}
ADD_MEN = {"kind": "add_categories", "categories": ["men"]}
SET_NAME = {"kind": "set_value", "attribute": "name", "locale": "en_US", "data": "Renamed"}
BOTH = ["TS-CREW-RED-S", "TS-CREW-RED-M"]


def csv_with(bad_rows: int, good_rows: int = 1) -> bytes:
    lines = ["sku;name-en_US;color"]
    lines += [f"J-OK-{i};Fine;blue" for i in range(good_rows)]
    lines += [f"J-BAD-{i};Wrong;mauve" for i in range(bad_rows)]
    return ("\n".join(lines) + "\n").encode()


def upload(api, content: bytes):
    data = {"profile": "erp", "file": (io.BytesIO(content), "jobs.csv")}
    response = api.open("POST", "/api/v1/imports", data=data, content_type="multipart/form-data")
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def mass_edit(api, operation, identifiers=BOTH, **extra):
    return api.post(MASS_EDITS, {"identifiers": identifiers, "operation": operation, **extra})


def fields_of(response) -> dict:
    assert response.headers["Content-Type"] == "application/problem+json", response.data
    return {e["field"]: e["message"] for e in response.get_json().get("errors", [])}


@pytest.fixture
def profile(catalog, db_session):
    return profiles.save_profile(
        db_session,
        {"code": "erp", "source": "erp", "reader": {"format": "csv"}, "mapping": MAPPING},
    )


def test_an_import_report_is_capped_in_the_job_and_paged_with_a_cursor(api, profile):
    job = upload(api, csv_with(bad_rows=27))
    assert job["counts"]["failed"] == 27 and job["counts"]["created"] == 1
    report = job["report"]
    assert report["total"] == 27
    assert len(report["items"]) == api_jobs.REPORT_SHOWN
    assert report["items"][0]["key"] == "J-BAD-0" and report["items"][0]["field"] == "color"
    rest = api.get(report["next"])
    assert rest.status_code == 200
    page = rest.get_json()
    assert [line["key"] for line in page["items"]] == [f"J-BAD-{i}" for i in range(20, 27)]
    assert page["next"] is None
    small = api.get(f"{job['url']}/report?limit=5").get_json()
    assert len(small["items"]) == 5
    assert api.get(small["next"]).get_json()["items"][0]["key"] == "J-BAD-5"
    assert api.get(f"{job['url']}/report?limit=101").status_code == 422
    assert api.get(f"{job['url']}/report?cursor=nope").status_code == 422


def test_a_running_job_shows_the_live_progress_of_the_queue(api, profile, db_session, tmp_path):
    path = tmp_path / "live.csv"
    path.write_bytes(csv_with(bad_rows=0))
    job = import_jobs.create_job(db_session, profile, path, "live.csv")
    job.status = JobStatus.RUNNING
    db_session.flush()
    key = import_jobs.progress_key(job.id)
    current_queue().put(key, {"fraction": 0.4, "read": 400, "created": 390, "phase": "rows"})
    try:
        body = api.get(f"{JOBS}/import-{job.id}").get_json()
    finally:
        current_queue().delete(key)
    assert body["status"] == "running" and body["finished"] is False
    assert body["progress"] == 0.4
    assert body["counts"]["read"] == 400 and body["counts"]["created"] == 390
    assert body["details"]["phase"] == "rows"
    assert body["finished_at"] is None and body["duration_seconds"] is None
    assert_unknown_job_ids_are_404(api)


def test_jobs_of_every_kind_are_listed_with_filters_and_a_cursor(api, profile, db_session):
    upload(api, csv_with(bad_rows=0))
    upload(api, csv_with(bad_rows=0))
    assert mass_edit(api, ADD_MEN).status_code == 202
    listing = api.get(JOBS).get_json()
    kinds = [job["kind"] for job in listing["items"]]
    assert kinds == ["import", "import", "mass-edit"]
    first, second = listing["items"][:2]
    assert int(first["id"].split("-")[1]) > int(second["id"].split("-")[1])  # newest first
    assert listing["next"] is None

    page = api.get(f"{JOBS}?limit=2").get_json()
    assert [job["id"] for job in page["items"]] == [first["id"], second["id"]]
    following = api.get(page["next"]).get_json()
    assert [job["kind"] for job in following["items"]] == ["mass-edit"]
    assert following["next"] is None

    only = api.get(f"{JOBS}?kind=mass-edit").get_json()["items"]
    assert [job["kind"] for job in only] == ["mass-edit"]
    assert api.get(f"{JOBS}?status=failed").get_json()["items"] == []
    assert len(api.get(f"{JOBS}?status=succeeded").get_json()["items"]) == 3
    assert "unknown kind" in fields_of(api.get(f"{JOBS}?kind=backup"))["kind"]
    assert "unknown status" in fields_of(api.get(f"{JOBS}?status=paused"))["status"]
    assert "cursor" in fields_of(api.get(f"{JOBS}?cursor=aWQ6NDI"))
    assert api.get(f"{JOBS}?limit=0").status_code == 422
    assert api.get(f"{JOBS}?kind=imp%00ort").status_code == 422
    assert api.get(f"{JOBS}?sort=id").status_code == 422


def assert_unknown_job_ids_are_404(api):
    for job_id in ("import-999999", "backup-1", "import-x", "import", "mass-edit-", "-1"):
        response = api.get(f"{JOBS}/{job_id}")
        assert response.status_code == 404, job_id
        assert response.headers["Content-Type"] == "application/problem+json"


def test_a_mass_edit_runs_as_a_job_and_reports_the_products_it_refused(api, catalog):
    response = mass_edit(api, SET_NAME)
    assert response.status_code == 202, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/jobs/{body['id']}")
    assert body["kind"] == "mass-edit" and body["status"] == "succeeded"
    assert body["counts"]["total"] == 2 and body["counts"]["failed"] == 2
    assert body["details"]["selection"]["ids"]
    assert body["report"]["total"] == 2
    assert {line["key"] for line in body["report"]["items"]} == set(BOTH)
    assert all(line["message"] for line in body["report"]["items"])

    changed = mass_edit(api, ADD_MEN, identifiers=["TS-CREW-RED-S"]).get_json()
    assert changed["counts"]["changed"] == 1 and changed["report"]["total"] == 0
    product = products.get_product(catalog.session, "TS-CREW-RED-S")
    assert "men" in {c.code for c in product.categories}


def test_a_mass_edit_preview_changes_nothing(api, catalog, db_session):
    response = mass_edit(api, ADD_MEN, preview=True)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["total"] == 2
    assert {s["identifier"] for s in body["samples"]} == set(BOTH)
    assert {s["outcome"] for s in body["samples"]} == {"change"}
    by_query = api.post(MASS_EDITS, {"query": "", "operation": ADD_MEN, "preview": True})
    assert by_query.get_json()["total"] == 2
    product = products.get_product(db_session, "TS-CREW-RED-S")
    assert "men" not in {c.code for c in product.categories}
    assert db_session.scalar(select(func.count()).select_from(MassEditJob)) == 0


def test_bad_mass_edits_are_422(api, catalog, db_session):
    assert (
        "unknown products"
        in fields_of(mass_edit(api, ADD_MEN, ["TS-CREW-RED-S", "NOPE"]))["identifiers"]
    )
    both = api.post(MASS_EDITS, {"identifiers": BOTH, "query": "x", "operation": ADD_MEN})
    assert "either" in fields_of(both)["identifiers"]
    assert "either" in fields_of(api.post(MASS_EDITS, {"operation": ADD_MEN}))["identifiers"]
    assert "operation" in fields_of(mass_edit(api, {"kind": "explode"}))
    assert "categories" in str(fields_of(mass_edit(api, {"kind": "add_categories"})))
    assert fields_of(mass_edit(api, {"kind": "add_categories", "categories": ["x\x00"]}))
    assert "operation.kind" in fields_of(mass_edit(api, {"kind": 3}))
    assert "preview" in fields_of(mass_edit(api, ADD_MEN, preview="yes"))
    assert "identifiers" in fields_of(mass_edit(api, ADD_MEN, identifiers=[]))
    assert "identifiers" in fields_of(mass_edit(api, ADD_MEN, identifiers=["A"] * 1001))
    assert (
        api.post(MASS_EDITS, data=b"{", headers={"Content-Type": "application/json"}).status_code
        == 400
    )
    assert db_session.scalar(select(func.count()).select_from(MassEditJob)) == 0


def test_roles_see_the_kinds_of_jobs_they_may(api, api_as, profile, client, db_session):
    imported = upload(api, csv_with(bad_rows=0))
    edited = mass_edit(api, ADD_MEN).get_json()
    viewer = api_as("viewer")
    assert viewer.get(JOBS).get_json()["items"] == []  # no import, no edit: no such jobs
    assert viewer.get(f"{JOBS}/{imported['id']}").status_code == 403
    assert viewer.get(f"{JOBS}/{edited['id']}/report").status_code == 403
    assert viewer.get(f"{JOBS}?kind=import").status_code == 403
    assert mass_edit(viewer, ADD_MEN).status_code == 403
    translator = api_as("translator")
    assert mass_edit(translator, ADD_MEN).status_code == 403
    admin = api_as("admin")
    assert [job["id"] for job in admin.get(JOBS).get_json()["items"]] == [
        imported["id"],
        edited["id"],
    ]
    supplier = api_as("supplier")
    assert supplier.get(JOBS).status_code == 403
    assert client.get(JOBS).status_code == 401
    assert client.get(f"{JOBS}/{imported['id']}").status_code == 401
    assert client.post(MASS_EDITS, json={"identifiers": BOTH}).status_code == 401
    assert db_session.scalar(select(func.count()).select_from(ImportJob)) == 1
