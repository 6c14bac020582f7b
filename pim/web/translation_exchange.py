"""Translation files in the browser: export texts to translate, import the translated file.

* ``/translations/export`` (``web.translation_export``): the form (target locales, source
  locale, attributes, the items by identifier or search query, format, only pending); it
  posts to ``web.translation_export_download``, which answers the file. Links may fill
  the form: ``ids`` (identifiers or codes, repeated or comma-separated), ``id`` (the
  product grid's ticked rows), ``q`` with ``family``/``status`` (the grid's search), ``to``
  (target locales), ``from``, ``attribute``, ``format`` and ``pending=1``.
* ``/translations/import`` (``web.translation_import``): upload
  (``web.translation_import_check``) → dry-run report (changes old → new, problems naming
  unit ids) → "Apply" (``web.translation_import_apply``).

The uploaded bytes wait for "Apply" in the instance folder under a random token (with the
uploader's id beside them), so applying re-reads exactly the file that was checked; files
older than :data:`KEEP_UPLOADS` are removed at the next upload. Applying the same file
twice changes nothing the second time. Translators see and submit only their locales.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from io import BytesIO
from pathlib import Path

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select

from pim.extensions import db
from pim.models import Product, Source
from pim.services import translation_exchange as exchange
from pim.services import translation_status
from pim.services.actors import Actor
from pim.services.structure_cache import Structure
from pim.web.blueprint import bp
from pim.web.listing import Filters
from pim.web.security import require

#: the file formats offered, in this order
FORMAT_LABELS = {
    "xliff12": _l("XLIFF 1.2 (most translation tools)"),
    "xliff20": _l("XLIFF 2.0"),
    "csv": _l("CSV sheet"),
    "xlsx": _l("Excel sheet (XLSX)"),
}
UPLOAD_DIR = "translation-uploads"
#: seconds an uploaded file waits for "Apply"
KEEP_UPLOADS = 24 * 3600
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
#: changes and problems listed on the report page (the counts are complete)
SHOWN = 500
#: identifiers taken from the query string or the form
MAX_IDENTIFIERS = 10_000


# --- export --------------------------------------------------------------------------------


@bp.get("/translations/export")
@require("translate")
def translation_export():
    """The export form, filled from the grid's parameters."""
    structure = Structure.current(db.session)
    form = _form_from_args(request.args)
    allowed = _allowed_locales(structure)
    if not form["target_locales"] and len(allowed) == 1:
        form["target_locales"] = sorted(allowed)  # a translator of one language
    return _render_export(structure, form)


@bp.post("/translations/export")
@require("translate")
def translation_export_download():
    """The file of the submitted form, or the form again saying what is wrong."""
    structure = Structure.current(db.session)
    form = _form_from_post(request.form)
    others = sorted(set(form["target_locales"]) - _allowed_locales(structure))
    if others:
        error = _("You may not translate into %(locales)s.", locales=", ".join(others))
        return _render_export(structure, form, error, 403)
    try:
        result = exchange.export_translations(db.session, _selection(form), form["format"])
    except exchange.ExchangeError as error:
        db.session.rollback()
        return _render_export(structure, form, str(error), 422)
    db.session.rollback()  # an export writes nothing
    return export_response(result)


def export_response(result: exchange.ExportResult):
    """The exported file as a private attachment (the name quoted safely by werkzeug), with
    what it holds in ``X-Vitrine-Units`` and ``X-Vitrine-Items`` (the page and the API)."""
    response = send_file(
        BytesIO(result.data),
        mimetype=result.mimetype,
        as_attachment=True,
        download_name=result.filename,
        max_age=0,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Vitrine-Units"] = str(result.units)
    response.headers["X-Vitrine-Items"] = str(result.items)
    return response


def _form_from_args(args) -> dict:
    """The form's first state from the grid's link (its selection and search)."""
    identifiers = _split(args.getlist("ids")) + _grid_identifiers(args.getlist("id"))
    return {
        "target_locales": args.getlist("to"),
        "source_locale": args.get("from") or translation_status.source_locale(),
        "attributes": args.getlist("attribute"),
        "identifiers": "\n".join(dict.fromkeys(identifiers)),
        "q": Filters.from_args(args).query_text(),
        "format": args.get("format") if args.get("format") in exchange.FORMATS else "xliff12",
        "only_pending": args.get("pending") == "1",
    }


def _form_from_post(form) -> dict:
    chosen = form.get("format", "")
    return {
        "target_locales": list(dict.fromkeys(form.getlist("target_locales"))),
        "source_locale": form.get("source_locale") or translation_status.source_locale(),
        "attributes": list(dict.fromkeys(form.getlist("attributes"))),
        "identifiers": form.get("identifiers", "")[:1_000_000],
        "q": form.get("q", "").strip()[:1000],
        "format": chosen if chosen in exchange.FORMATS else "xliff12",
        "only_pending": form.get("only_pending") == "1",
    }


def _split(values) -> list[str]:
    """Identifiers typed one per line or separated by commas."""
    found = [part.strip() for value in values for part in re.split(r"[,\n\r]+", value)]
    return [part for part in found if part][:MAX_IDENTIFIERS]


def _grid_identifiers(ids) -> list[str]:
    """The identifiers of the grid's ticked rows (product ids)."""
    numbers = [int(v) for v in ids if v.isascii() and v.isdigit() and len(v) < 12]
    if not numbers:
        return []
    query = select(Product.identifier).where(Product.id.in_(numbers[:MAX_IDENTIFIERS]))
    return list(db.session.scalars(query.order_by(Product.identifier)))


def _selection(form: dict) -> exchange.ExportSelection:
    return exchange.ExportSelection(
        target_locales=form["target_locales"],
        identifiers=_split([form["identifiers"]]),
        query=form["q"] or None,
        attributes=form["attributes"],
        source_locale=form["source_locale"],
        only_pending=form["only_pending"],
    )


def _allowed_locales(structure: Structure) -> set[str]:
    """The activated locales the signed-in user translates into (a translator's own)."""
    active = set(structure.active_locales)
    allowed = current_user.translation_locales
    return active if allowed is None else active & allowed


def _render_export(structure: Structure, form: dict, error: str | None = None, status=200):
    attributes = sorted(
        (a for a in structure.attributes.values() if translation_status.is_translatable(a)),
        key=lambda a: (a.sort_order, a.code),
    )
    page = render_template(
        "translations/export.html",
        form=form,
        error=error,
        target_locales=sorted(_allowed_locales(structure)),
        source_locales=sorted(structure.active_locales),
        attributes=attributes,
        formats=FORMAT_LABELS,
    )
    return page, status


# --- import --------------------------------------------------------------------------------


@bp.get("/translations/import")
@require("translate")
def translation_import():
    """The upload form."""
    return _render_import()


@bp.post("/translations/import")
@require("translate")
def translation_import_check():
    """The dry-run report of the uploaded file, with "Apply" when it can be applied."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _render_import(error=_("Choose the translated file to import."), status=422)
    data = upload.read()
    if not data:
        error = _("The file %(name)s is empty: there is nothing to import.", name=upload.filename)
        return _render_import(error=error, status=422)
    report = _import(data, upload.filename, dry_run=True)
    token = _keep(data, upload.filename) if report.ok and report.has_changes else None
    return _render_import(report=report, token=token, status=200 if report.ok else 422)


@bp.post("/translations/import/apply")
@require("translate")
def translation_import_apply():
    """Import the checked file for real, then say what changed."""
    kept = _kept(request.form.get("token", ""))
    if kept is None:
        flash(_("This upload is no longer available: upload the file again."), "error")
        return redirect(url_for("web.translation_import"), 303)
    data, filename = kept
    report = _import(data, filename, dry_run=False)
    if not report.ok:
        return _render_import(report=report, status=422)
    if report.applied:
        flash(_applied_message(report), "success")
    else:
        flash(_("Nothing changed: the translations of %(name)s are already stored.",
                name=filename), "info")  # fmt: skip
    return redirect(url_for("web.translation_import"), 303)


def _import(data: bytes, filename: str, *, dry_run: bool):
    """Run the service; commit only an applied import."""
    actor = Actor.for_user(current_user, Source.TRANSLATION)
    report = exchange.import_translations(db.session, data, filename, actor=actor, dry_run=dry_run)
    if report.applied:
        db.session.commit()
    else:
        db.session.rollback()
    return report


def _applied_message(report) -> str:
    """Two whole sentences (each with its own plural): values stored, items changed."""
    values = ngettext(
        "%(num)d translation of %(name)s stored.",
        "%(num)d translations of %(name)s stored.",
        len(report.changes),
        name=report.filename,
    )
    items = ngettext(
        "%(num)d product or model has a new version.",
        "%(num)d products and models have a new version.",
        report.items_changed,
    )
    return f"{values} {items}"


def _render_import(*, report=None, token=None, error=None, status=200):
    page = render_template(
        "translations/import.html", report=report, token=token, error=error, shown=SHOWN
    )
    return page, status


# --- uploads waiting for "Apply" -----------------------------------------------------------


def _upload_dir() -> Path:
    return Path(current_app.instance_path) / UPLOAD_DIR


def _keep(data: bytes, filename: str) -> str:
    """Store the checked file under a new random token (and forget expired ones)."""
    folder = _upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    _forget_old(folder)
    token = secrets.token_urlsafe(24)
    (folder / f"{token}.bin").write_bytes(data)
    meta = {"filename": Path(filename).name[-200:], "user_id": current_user.id}
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def _kept(token: str) -> tuple[bytes, str] | None:
    """The bytes and name of the file kept under ``token`` for this user, or None."""
    if not TOKEN.fullmatch(token):
        return None
    folder = _upload_dir()
    try:
        meta = json.loads((folder / f"{token}.json").read_text(encoding="utf-8"))
        data = (folder / f"{token}.bin").read_bytes()
    except (OSError, ValueError):
        return None
    if meta.get("user_id") != current_user.id:
        return None
    return data, meta.get("filename") or "upload"


def _forget_old(folder: Path) -> None:
    limit = time.time() - KEEP_UPLOADS
    for path in folder.iterdir():
        try:
            if path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue  # another request removed it first
