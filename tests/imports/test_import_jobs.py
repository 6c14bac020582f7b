"""Import entry points: the CLI, drop folders, and a real queue worker (SQLite and Redis)."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from factories import build_catalog
from importing import ERP_MAPPING, save_profile, write_csv
from openpyxl import Workbook
from sqlalchemy import select

from pim import create_app
from pim.cli import upgrade_database
from pim.extensions import db
from pim.imports import jobs
from pim.models import ImportJob, PendingMedia, Product
from pim.queue import current_queue
from pim.services import products

HEADER = ["sku", "name-en_US", "color"]


def test_cli_import_with_json_summary_and_report(catalog, db_session, cli_runner, tmp_path):
    save_profile(db_session)
    path = write_csv(
        tmp_path / "erp.csv", HEADER, [["C-1", "One", "blue"], ["C-2", "Two", "mauve"]]
    )

    result = cli_runner.invoke(args=["pim", "import", str(path), "--profile", "erp", "--json"])

    assert result.exit_code == 1, result.output  # one row was refused
    summary = json.loads(result.output)
    assert summary["rows"] == {
        "read": 2, "created": 1, "updated": 0, "skipped": 0, "failed": 1, "warnings": 0
    }  # fmt: skip
    assert summary["issues"][0]["line"] == 3 and summary["issues"][0]["column"] == "color"
    report = cli_runner.invoke(args=["pim", "import-report", str(summary["job"])])
    assert report.exit_code == 0
    assert "3,C-2,color,mauve," in report.output.replace("\r\n", "\n").split("\n", 2)[1]


def test_cli_dry_run_and_unknown_profile(catalog, db_session, cli_runner, tmp_path):
    save_profile(db_session)
    path = write_csv(tmp_path / "erp.csv", HEADER, [["D-1", "One", "blue"]])

    result = cli_runner.invoke(args=["pim", "import", str(path), "--profile", "erp", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output
    assert db_session.scalar(select(Product.id).where(Product.identifier == "D-1")) is None

    result = cli_runner.invoke(args=["pim", "import", str(path), "--profile", "nope"])
    assert result.exit_code != 0 and "'nope' does not exist" in result.output


def test_cli_profiles_save_refuses_bad_mappings_with_every_problem(
    catalog, db_session, cli_runner, tmp_path
):
    document = {
        "code": "acme",
        "source": "supplier:acme",
        "mapping": {
            "key": {"column": "ref"},
            "values": [
                {"column": "Colour", "attribute": "colour"},
                {"column": "Name", "attribute": "name"},
                {"column": "W", "attribute": "weight", "transforms": [{"op": "unit", "unit": "X"}]},
            ],
        },
    }
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(document))

    result = cli_runner.invoke(args=["pim", "profiles", "save", str(path)])

    assert result.exit_code != 0
    for expected in ("unknown attribute 'colour'", "name: needs a locale", "needs a known unit"):
        assert expected in result.output
    document["mapping"]["values"] = [{"column": "Name", "attribute": "name", "locale": "en_US"}]
    path.write_text(json.dumps(document))
    result = cli_runner.invoke(args=["pim", "profiles", "save", str(path)])
    assert result.exit_code == 0, result.output
    shown = cli_runner.invoke(args=["pim", "profiles", "show", "acme"])
    assert json.loads(shown.output)["source"] == "supplier:acme"


def test_xlsx_and_transforms(catalog, db_session, tmp_path):
    mapping = {
        "key": {"column": "Reference"},
        "fields": {"family": {"value": "tshirts"}},
        "values": [
            {"column": "Colour", "attribute": "color", "transforms": [
                {"op": "map", "values": {"Navy Blue": "blue"}, "unmapped": "error"}
            ]},
            {"column": "Weight (kg)", "attribute": "weight", "transforms": [
                {"op": "decimal_comma"}, {"op": "unit", "unit": "KILOGRAM", "to": "GRAM"}
            ]},
            {"column": "Price", "attribute": "price", "transforms": [
                {"op": "decimal_comma"}, {"op": "currency", "currency": "EUR"}
            ]},
            {"column": "Launch", "attribute": "release_date", "transforms": [
                {"op": "date", "format": "%d/%m/%Y"}
            ]},
            {"columns": ["Line", "Model"], "attribute": "name", "locale": "en_US",
             "transforms": [{"op": "concat", "sep": " "}]},
            {"column": "Materials", "attribute": "material", "transforms": [
                {"op": "split", "sep": "/"}, {"op": "lower"}
            ]},
            {"column": "Image", "attribute": "images"},
        ],
        "fields_extra": None,
    }  # fmt: skip
    del mapping["fields_extra"]
    profile = save_profile(db_session, code="plm", source="plm", mapping=mapping)
    profile.reader = {"format": "xlsx"}
    book = Workbook()
    sheet = book.active
    sheet.append(["Reference", "Colour", "Weight (kg)", "Price", "Launch", "Line", "Model",
                  "Materials", "Image"])  # fmt: skip
    sheet.append(["X-1", "Navy Blue", "0,25", "1.234,50", "31/01/2026", "Basic", "Tee",
                  "Cotton/Elastane", "https://images.example.com/x-1.jpg"])  # fmt: skip
    sheet.append(["X-2", "Mauve", "1", "2", "01/02/2026", "A", "B", "Cotton", ""])
    path = tmp_path / "plm.xlsx"
    book.save(path)

    job = jobs.create_job(db_session, profile, path, path.name)
    db_session.commit()
    job = jobs.run_job(db_session, job.id)

    assert (job.rows_created, job.rows_failed) == (1, 1), job.message
    values = products.get_product(db_session, "X-1").values
    assert values["color"][0]["data"] == "blue"
    assert values["weight"][0]["data"] == {"amount": "250", "unit": "GRAM"}
    assert values["price"][0]["data"] == [{"amount": "1234.50", "currency": "EUR"}]
    assert values["release_date"][0]["data"] == "2026-01-31"
    assert values["name"][0]["data"] == "Basic Tee"
    assert values["material"][0]["data"] == ["cotton", "elastane"]
    link = db_session.scalar(select(PendingMedia).where(PendingMedia.owner_key == "X-1"))
    assert (link.attribute, link.reference, link.status) == (
        "images",
        "https://images.example.com/x-1.jpg",
        "pending",
    )


def test_xml_feed_through_a_profile(catalog, db_session, tmp_path):
    mapping = {
        "key": {"column": "@sku"},
        "fields": {"family": {"value": "tshirts"}},
        "values": [
            {"column": "name", "attribute": "name", "locale": "en_US"},
            {"column": "price/@eur", "attribute": "price",
             "transforms": [{"op": "currency", "currency": "EUR"}]},
        ],
        "ignore": ["supplier/note"],
    }  # fmt: skip
    profile = save_profile(db_session, code="feed", source="supplier:feed", mapping=mapping)
    profile.reader = {"format": "xml", "record_tag": "item"}
    path = tmp_path / "feed.xml"
    path.write_text(
        '<?xml version="1.0"?><feed>'
        '<item sku="XML-1"><name>Linen shirt</name><price eur="49.90"/></item>'
        '<item sku="XML-2"><name>Tee</name><price eur="abc"/>'
        "<supplier><note>x</note></supplier></item></feed>"
    )
    job = jobs.create_job(db_session, profile, path, path.name)
    db_session.commit()
    job = jobs.run_job(db_session, job.id)

    assert (job.rows_created, job.rows_failed) == (1, 1), job.message
    product = products.get_product(db_session, "XML-1")
    assert product.values["price"][0]["data"] == [{"amount": "49.90", "currency": "EUR"}]
    assert product.source == "supplier:feed"


def test_drop_folder_files_become_jobs_once(catalog, db_session, app, tmp_path):
    profile = save_profile(db_session)
    folder = jobs.dropbox_dir(app.instance_path, profile.code)
    folder.mkdir(parents=True, exist_ok=True)
    write_csv(folder / "nightly.csv", HEADER, [["DROP-1", "Dropped", "red"]])
    (folder / "partial.csv.part").write_text("sku\n")

    created = jobs.scan_dropbox(db_session, app.instance_path, settle=0)

    assert [job.filename for job in created] == ["nightly.csv"]
    assert not (folder / "nightly.csv").exists()
    assert jobs.scan_dropbox(db_session, app.instance_path, settle=0) == []
    db_session.commit()
    job = jobs.run_job(db_session, created[0].id)
    assert job.rows_created == 1


def test_queued_upload_runs_in_the_memory_queue(catalog, db_session, app, tmp_path):
    profile = save_profile(db_session)
    path = write_csv(tmp_path / "q.csv", HEADER, [["Q-1", "Queued", "red"]])
    job = jobs.create_job(db_session, profile, path, path.name)
    db_session.commit()

    jobs.enqueue(job)

    db_session.refresh(job)
    assert job.status == "succeeded"
    assert jobs.job_status(job)["created"] == 1


@pytest.fixture(params=["sqlite", "redis"])
def worker_app(request, tmp_path, scratch_database_url):
    """An app on a private database with a real queue (SQLite file or Redis)."""
    queue_url = (
        f"sqlite:///{tmp_path / 'queue.db'}"
        if request.param == "sqlite"
        else "redis://127.0.0.1:6379/15"
    )
    app = create_app(
        {
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SECRET_KEY": "s" * 32,
            "DATABASE_URL": scratch_database_url,
            "QUEUE_URL": queue_url,
        }
    )
    with app.app_context():
        upgrade_database()
        build_catalog(db.session)
        db.session.commit()
        if request.param == "redis":
            try:
                current_queue().huey.storage.conn.ping()
            except Exception as error:  # noqa: BLE001 - any connection failure
                pytest.fail(f"Redis is not reachable on 127.0.0.1:6379: {error}")
            current_queue().huey.flush()
        yield app
        db.session.remove()
        db.engine.dispose()


def test_a_real_worker_runs_queued_imports(worker_app, tmp_path):
    session = db.session
    profile = save_profile(session, mapping=ERP_MAPPING)
    sku = f"W-{uuid.uuid4().hex[:6]}"
    path = write_csv(tmp_path / "w.csv", HEADER, [[sku, "Worker", "blue"]])
    job = jobs.create_job(session, profile, path, path.name)
    session.commit()
    jobs.enqueue(job)
    consumer = current_queue().consumer()
    consumer.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            session.rollback()  # end the read transaction: see the worker's commits
            if session.get(ImportJob, job.id).finished:
                break
            time.sleep(0.1)
    finally:
        consumer.stop(graceful=True)
    session.rollback()
    finished = session.get(ImportJob, job.id)
    assert finished.status == "succeeded", finished.message
    assert products.get_product(session, sku).values["name"][0]["data"] == "Worker"


def test_jobs_left_running_by_a_dead_worker_are_failed(catalog, db_session, tmp_path):
    import os
    import socket
    import subprocess
    import sys

    profile = save_profile(db_session)
    path = write_csv(tmp_path / "a.csv", HEADER, [["AB-1", "x", "red"]])
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    host = socket.gethostname()
    dead, alive, elsewhere = (
        jobs.create_job(db_session, profile, path, path.name) for _ in range(3)
    )
    for job, worker in (
        (dead, {"host": host, "pid": int(ended.stdout)}),
        (alive, {"host": host, "pid": os.getpid()}),
        (elsewhere, {"host": "another-machine", "pid": 1}),
    ):
        job.status, job.summary = "running", {"worker": worker}
    db_session.flush()

    assert jobs.fail_abandoned_jobs(db_session) == [dead]
    assert dead.status == "failed" and "Run it again" in dead.message
    assert alive.status == elsewhere.status == "running"
