"""``vitrine dam import|show|expiring|expire|renditions`` and the storage housekeeping."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, datetime, timedelta

import pytest
from damtest import jpeg_bytes, media_on
from sqlalchemy import select

from dam.models import Asset, AssetLink
from dam.services import assets, cleanup
from pim.models import ProductModel


def _folder(tmp_path):
    folder = tmp_path / "shoot"
    folder.mkdir()
    (folder / "TS-CREW-RED-S_main_1.jpg").write_bytes(jpeg_bytes(seed=1))
    (folder / "TS-CREW-RED-S_detail_2.jpg").write_bytes(jpeg_bytes(seed=2))
    (folder / "TS-CREW-red-3.jpg").write_bytes(jpeg_bytes(seed=3))
    (folder / "unknown-thing.jpg").write_bytes(jpeg_bytes(seed=4))
    (folder / "notes.jpg").write_bytes(b"<?php system($_GET['c']); ?>")
    return folder


def test_import_a_folder_links_by_name_and_reports_every_file(
    cli_runner, db_session, catalog, tmp_path
):
    folder = _folder(tmp_path)
    result = cli_runner.invoke(args=["dam", "import", str(folder), "--json"])
    assert result.exit_code == 1, result.output  # one file was refused
    report = json.loads(result.output)
    by_file = {item["file"]: item for item in report["files"]}
    assert report["summary"] == {
        "files": 5,
        "new": 4,
        "duplicates": 0,
        "errors": 1,
        "linked": 3,
        "unmatched": 1,
    }
    assert by_file["TS-CREW-RED-S_main_1.jpg"]["linked"] == ["product TS-CREW-RED-S"]
    # {model}-{color}-{order}: the colour's sub-model, which its variants inherit from
    assert by_file["TS-CREW-red-3.jpg"]["linked"] == ["product model TS-CREW-RED"]
    assert "matches" in by_file["unknown-thing.jpg"]["link_note"]
    assert "PHP" in by_file["notes.jpg"]["error"] or "php" in by_file["notes.jpg"]["error"]
    red = db_session.scalar(select(ProductModel).where(ProductModel.code == "TS-CREW-RED"))
    assert red.values["images"][0]["data"] == [by_file["TS-CREW-red-3.jpg"]["asset_code"]]

    again = cli_runner.invoke(args=["dam", "import", str(folder), "--json"])
    summary = json.loads(again.output)["summary"]
    assert (summary["new"], summary["duplicates"]) == (0, 4)


def test_import_a_zip_refuses_hostile_entries_and_keeps_the_rest(
    cli_runner, db_session, catalog, tmp_path
):
    archive = tmp_path / "upload.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("TS-CREW-RED-M_main_1.jpg", jpeg_bytes(seed=5))
        zf.writestr("../evil.jpg", jpeg_bytes(seed=6))
    result = cli_runner.invoke(args=["dam", "import", str(archive), "--json"])
    report = json.loads(result.output)
    by_file = {item["file"]: item for item in report["files"]}
    assert by_file["TS-CREW-RED-M_main_1.jpg"]["status"] == "new"
    assert by_file["../evil.jpg"]["status"] == "error"
    assert not (tmp_path.parent / "evil.jpg").exists()
    assert result.exit_code == 1


def test_import_refuses_a_bad_pattern_and_a_file_that_is_not_a_zip(
    cli_runner, db_session, tmp_path
):
    bad = cli_runner.invoke(args=["dam", "import", str(tmp_path), "--pattern", "{colour}"])
    assert bad.exit_code == 2 and "colour" in bad.output
    text = tmp_path / "list.txt"
    text.write_text("hello")
    result = cli_runner.invoke(args=["dam", "import", str(text)])
    assert result.exit_code == 1 and "not a folder or a zip" in result.output


def test_show_prints_metadata_rights_links_and_renditions(
    cli_runner, db_session, catalog, tmp_path
):
    folder = tmp_path / "one"
    folder.mkdir()
    (folder / "TS-CREW-RED-S_main_1.jpg").write_bytes(jpeg_bytes(seed=9))
    cli_runner.invoke(args=["dam", "import", str(folder)])
    asset = db_session.scalars(select(Asset)).one()
    made = cli_runner.invoke(args=["dam", "renditions", asset.code, "--preset", "thumb"])
    assert "1 rendition(s) made" in made.output
    for ref in (asset.code, asset.sha256):
        result = cli_runner.invoke(args=["dam", "show", ref, "--json"])
        data = json.loads(result.output)
        assert data["sha256"] == asset.sha256
        assert data["links"] == [
            {
                "owner_type": "product",
                "owner": "TS-CREW-RED-S",
                "role": "main",
                "position": 0,
                "attribute": None,
            }
        ]
        assert [r["preset"] for r in data["renditions"]] == ["thumb"]
        assert "exif" in data["embedded_metadata"]
    missing = cli_runner.invoke(args=["dam", "show", "nope"])
    assert missing.exit_code == 1 and "no asset 'nope'" in missing.output


def test_expiring_and_expire(cli_runner, db_session, app):
    media = media_on("memory://")
    soon = assets.upload(db_session, media, io.BytesIO(jpeg_bytes(seed=20)), "soon.jpg").asset
    past = assets.upload(db_session, media, io.BytesIO(jpeg_bytes(seed=21)), "past.jpg").asset
    soon.valid_until = date.today() + timedelta(days=12)
    past.valid_until = date.today() - timedelta(days=1)
    db_session.flush()
    listed = json.loads(
        cli_runner.invoke(args=["dam", "expiring", "--days", "30", "--json"]).output
    )
    assert [row["filename"] for row in listed] == ["soon.jpg"]
    none = cli_runner.invoke(args=["dam", "expiring", "--days", "5"])
    assert "0 asset(s) expiring within 5 day(s)" in none.output
    expired = cli_runner.invoke(args=["dam", "expire"])
    assert "expired" in expired.output and "past.jpg" in expired.output
    db_session.refresh(past)
    assert past.status == "expired"


def test_orphans_are_deleted_only_on_a_later_run_and_the_trash_is_purged(db_session):
    media = media_on("memory://")
    kept = assets.upload(db_session, media, io.BytesIO(jpeg_bytes(seed=30)), "kept.jpg").asset
    media.storage.put_stream("originals/aa/bb/" + "a" * 64, io.BytesIO(b"orphan"))
    now = datetime.now().astimezone()
    report, seen = cleanup.remove_orphans(db_session, media.storage, {}, now=now)
    assert report.orphans_found == ["originals/aa/bb/" + "a" * 64] and report.deleted == []
    report, seen = cleanup.remove_orphans(
        db_session, media.storage, seen, now=now + timedelta(hours=2)
    )
    assert report.deleted == ["originals/aa/bb/" + "a" * 64] and seen == {}
    assert media.storage.exists(kept.versions[0].storage_key)

    key, code = kept.versions[0].storage_key, kept.code
    assets.trash(db_session, kept)
    assert cleanup.purge_trash(db_session, older_than=timedelta(days=30)) == ([], set())
    kept.deleted_at = now - timedelta(days=40)
    codes, keys = cleanup.purge_trash(db_session, older_than=timedelta(days=30))
    assert (codes, keys) == ([code], {key})
    assert db_session.scalar(select(Asset).where(Asset.code == code)) is None
    assert db_session.scalars(select(AssetLink)).all() == []


@pytest.mark.parametrize("days", ["-1", "x"])
def test_expiring_refuses_bad_days(cli_runner, db_session, days):
    result = cli_runner.invoke(args=["dam", "expiring", "--days", days])
    assert result.exit_code == 2
