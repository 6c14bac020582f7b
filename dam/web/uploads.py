"""Uploads: single files (one XHR per file, or a plain multi-file form) and zip archives.

Each file is its own transaction: a refused file is reported and the others land. After a
commit, the new assets' renditions are queued (never made in the request).
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from dam.archive import ArchiveError, open_zip
from dam.context import current_media
from dam.naming import DEFAULT_RULES, PatternError, compile_rule
from dam.services import assets
from dam.services.bulk import BulkInterrupted, import_entries
from dam.services.renditions import queue_renditions
from dam.storage import StorageError
from dam.web.blueprint import bp
from dam.web.common import ui_actor, user, wants_json
from pim.extensions import db
from pim.web.security import require

MAX_PATTERN = 200


@bp.post("/upload")
@require("edit")
def upload():
    """Store the posted files; JSON (one file) for ``upload.js``, else flashes and back."""
    files = [item for item in request.files.getlist("files") if item and item.filename]
    if wants_json():
        if not files:
            return jsonify(file=None, status="error", asset=None, error=_("Choose a file.")), 422
        outcome, status = _store(files[0])
        return jsonify(outcome), status
    if not files:
        flash(_("Choose one or more files to upload."), "error")
    for item in files:
        outcome, _status = _store(item)
        flash(*_flash_text(outcome))
    return redirect(url_for("dam.library"), code=303)


def _store(item) -> tuple[dict, int]:
    """Upload one file in its own transaction → (the JSON outcome, HTTP status)."""
    name = assets.clean_filename(item.filename)
    try:
        result = assets.upload(db.session, current_media(), item.stream, item.filename, user=user())
        db.session.commit()
    except assets.AssetRefused as refused:
        db.session.rollback()
        return _outcome(name, "error", error=str(refused)), 422
    except StorageError as error:
        db.session.rollback()
        message = _("%(file)s: the file could not be stored (%(error)s)", file=name, error=error)
        return _outcome(name, "error", error=message), 503
    asset_id, code = result.asset.id, result.asset.code
    if result.created:
        queue_renditions([asset_id])
    status = "new" if result.created else "duplicate"
    return _outcome(name, status, asset_id=asset_id, code=code, problems=result.problems), 200


def _outcome(name, status, *, asset_id=None, code=None, error=None, problems=()) -> dict:
    asset = None
    if asset_id is not None:
        url = url_for("dam.asset_page", asset_id=asset_id)
        asset = {"id": asset_id, "code": code, "url": url}
    return {
        "file": name,
        "status": status,
        "asset": asset,
        "error": error,
        "problems": list(problems),
    }


def _flash_text(outcome: dict) -> tuple[str, str]:
    name, asset = outcome["file"], outcome["asset"]
    if outcome["status"] == "new":
        return _("%(file)s: uploaded as asset %(code)s.", file=name, code=asset["code"]), "success"
    if outcome["status"] == "duplicate":
        return (
            _(
                "%(file)s: duplicate; the same file is already in the library as asset %(code)s.",
                file=name,
                code=asset["code"],
            ),
            "error",
        )
    return outcome["error"], "error"


# --- zip archives ---------------------------------------------------------------------


@bp.post("/upload-zip")
@require("edit")
def upload_zip():
    """Import every file of a zip, linking by naming rules; show the report of each file."""
    archive = request.files.get("archive")
    if archive is None or not archive.filename:
        return _zip_refused(_("Choose a .zip file to import."))
    if not archive.filename.lower().endswith(".zip"):
        name = assets.clean_filename(archive.filename)
        return _zip_refused(_("%(file)s: not a .zip file.", file=name))
    try:
        rules = _rules(request.form)
    except PatternError as error:
        return _zip_refused(_("Naming pattern: %(error)s", error=error))
    with _kept(archive) as path:
        try:
            report, stopped = _import_zip(path, archive.filename, rules)
        except ArchiveError as error:
            db.session.rollback()
            return _zip_refused(str(error))
    new_ids = [item.asset_id for item in report.files if item.status == "new"]
    if new_ids:
        queue_renditions(new_ids)
    return render_template(
        "dam/zip_report.html",
        archive=assets.clean_filename(archive.filename),
        report=report,
        summary=report.summary(),
        stopped=stopped,
        linking=rules is not None,
    )


def _rules(form):
    if form.get("no_link") == "1":
        return None
    pattern = form.get("pattern", "").strip()
    if not pattern:
        return DEFAULT_RULES
    if len(pattern) > MAX_PATTERN:
        raise PatternError(_("at most %(count)s characters", count=MAX_PATTERN))
    return (compile_rule(pattern),)


def _import_zip(path: Path, filename: str, rules):
    media = current_media()
    with open_zip(path, name=assets.clean_filename(filename)) as entries:
        try:
            report = import_entries(
                db.session,
                media,
                entries,
                actor=ui_actor(),
                user=user(),
                rules=rules,
                commit=db.session.commit,
            )
        except BulkInterrupted as interrupted:
            db.session.rollback()
            return interrupted.report, str(interrupted)
    return report, None


@contextmanager
def _kept(upload) -> Iterator[Path]:
    """The uploaded archive in a temporary file (zip reading needs to seek), removed after."""
    fd, raw = tempfile.mkstemp(prefix="vitrine-zip-upload-", suffix=".zip")
    path = Path(raw)
    try:
        with os.fdopen(fd, "wb") as out:
            upload.save(out)
        yield path
    finally:
        path.unlink(missing_ok=True)


def _zip_refused(message: str):
    current_app.logger.info("zip upload refused: %s", message)
    flash(message, "error")
    return redirect(url_for("dam.library"), code=303)
