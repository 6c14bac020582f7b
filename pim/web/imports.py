"""Imports screens: recent jobs and the upload form, one job's progress and report, and the
supplier portal's "My products".

Suppliers reach only the views marked :func:`~pim.web.security.supplier_portal`. Every job
is looked up through :func:`pim.imports.jobs.job_for`, so a job of another supplier's
profile answers 404 whatever its id; uploads go only to the profiles a user may use.
The job runs on the queue (never inside the request): the page polls its status.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

from flask import (
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user

from pim.extensions import db
from pim.imports import jobs, profiles, report, supplier
from pim.models import ImportJob
from pim.services.errors import InvalidData, NotFound
from pim.web.blueprint import bp
from pim.web.security import require, supplier_portal

#: Largest upload accepted when ``MAX_CONTENT_LENGTH`` is not configured.
UPLOAD_LIMIT = 512 * 1024 * 1024
#: The profile editor sends about a dozen inputs per column of the file.
FORM_PARTS = 5000
REPORT_PAGE_SIZE = 50
PRODUCTS_PAGE_SIZE = 50
#: Job option choices of the upload form ("" keeps the profile's default).
MODES = {"skip": _l("Skip bad rows"), "all_or_nothing": _l("All or nothing")}
CREATE = {"create": _l("Create and update"), "update_only": _l("Update only")}
MISSING = {
    "ignore": _l("Ignore"),
    "flag": _l("Flag in the report"),
    "disable": _l("Disable the products"),
}


def init_app(app: Flask) -> None:
    """Upload limits and the "too large" page."""
    if app.config.get("MAX_CONTENT_LENGTH") is None:
        app.config["MAX_CONTENT_LENGTH"] = UPLOAD_LIMIT
    if app.config.get("MAX_FORM_PARTS", 0) < FORM_PARTS:
        app.config["MAX_FORM_PARTS"] = FORM_PARTS
    app.register_error_handler(413, too_large)


def too_large(error):
    """413: say what the limit is instead of a bare error."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH") or UPLOAD_LIMIT
    message = _(
        "The file is too large: uploads are limited to %(limit)s. Split the file, or "
        "ask an administrator to put it in the profile's drop folder.",
        limit=_size(limit),
    )
    title = _("File too large")
    return render_template("error.html", code=413, title=title, message=message), 413


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return _("%(size)s MB", size=f"{count / 1024 / 1024:.0f}")
    if count >= 1024:
        return _("%(size)s KB", size=f"{count / 1024:.0f}")
    return ngettext("%(num)d byte", "%(num)d bytes", count)


# --- the imports page and the upload -------------------------------------------------------


@bp.get("/imports")
@supplier_portal
@require("import")
def imports():
    """Recent jobs the user may see, and the upload form."""
    return _render_imports()


@bp.post("/imports")
@supplier_portal
@require("import")
def import_upload():
    """Keep the uploaded file, queue a job for it and show its page."""
    code = request.form.get("profile", "")
    if not code:
        return _render_imports(request.form, _("Choose an import profile."), 422)
    profile = _usable_profile_or_404(code)
    upload = request.files.get("file")
    if problem := _upload_problem(upload):
        return _render_imports(request.form, problem, 422)
    path = jobs.keep_file(current_app.instance_path, upload.stream, upload.filename)
    try:
        job = jobs.create_job(
            db.session, profile, path, upload.filename, user=_user(), options=job_options()
        )
    except InvalidData as invalid:
        db.session.rollback()
        path.unlink(missing_ok=True)
        return _render_imports(request.form, _sentence(invalid), 422)
    return _start(job)


def job_options(form=None) -> dict:
    """The job options chosen in the upload form (None: the profile's default)."""
    form = request.form if form is None else form
    create = {"create": True, "update_only": False}.get(form.get("create", ""))
    return {
        "mode": form.get("mode") or None,
        "missing": form.get("missing") or None,
        "create": create,
        "dry_run": True if form.get("dry_run") == "1" else None,
    }


def _upload_problem(upload) -> str | None:
    """Why the uploaded file cannot be imported, or None."""
    if upload is None or not upload.filename:
        return _("Choose a file to import.")
    upload.stream.seek(0, os.SEEK_END)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if size == 0:
        return _("The file %(name)s is empty: there is nothing to import.", name=upload.filename)
    return None


def _start(job: ImportJob):
    """Commit the new job, hand it to the queue and show its page."""
    db.session.commit()
    job_id = job.id
    jobs.enqueue(job)
    return redirect(url_for("web.import_job", job_id=job_id))


def start_job(profile, path: Path, filename: str, options: dict):
    """Create, commit and queue a job; the response shows its page (used by the editor)."""
    job = jobs.create_job(db.session, profile, path, filename, user=_user(), options=options)
    return _start(job)


def _render_imports(form=None, error: str | None = None, status: int = 200):
    user = _user()
    page = render_template(
        "imports/index.html",
        jobs=jobs.visible_jobs(db.session, user),
        profiles=profiles.visible_profiles(db.session, user),
        form=form or {},
        error=error,
        modes=MODES,
        create_choices=CREATE,
        missing_choices=MISSING,
    )
    return page, status


def _usable_profile_or_404(code: str):
    try:
        profile = profiles.get_profile(db.session, code)
    except NotFound:
        abort(404)
    if not jobs.may_use(_user(), profile):
        abort(404)
    return profile


# --- one job ----------------------------------------------------------------------------


@bp.get("/imports/<int:job_id>")
@supplier_portal
@require("import")
def import_job(job_id: int):
    """The job's progress (polled by ``imports.js``) and its report, a page at a time."""
    job = _job_or_404(job_id)
    total = report.issue_count(db.session, job)
    pages = max(math.ceil(total / REPORT_PAGE_SIZE), 1)
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    lines = report.issues(
        db.session, job, limit=REPORT_PAGE_SIZE, offset=(page - 1) * REPORT_PAGE_SIZE
    )
    return render_template(
        "imports/job.html",
        job=job,
        status=jobs.job_status(job),
        lines=lines,
        total=total,
        page=page,
        pages=pages,
        can_rerun=_can_rerun(job),
    )


@bp.get("/imports/<int:job_id>/status")
@supplier_portal
@require("import")
def import_status(job_id: int):
    """The job's live counts as JSON, for the progress bar."""
    response = jsonify(jobs.job_status(_job_or_404(job_id)))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/imports/<int:job_id>/report.csv")
@supplier_portal
@require("import")
def import_report_csv(job_id: int):
    """The whole report as a CSV download, streamed."""
    job = _job_or_404(job_id)
    chunks = stream_with_context(report.csv_chunks(db.session, job))
    response = Response(chunks, mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="import-{job.id}-report.csv"'
    return response


@bp.post("/imports/<int:job_id>/run-again")
@supplier_portal
@require("import")
def import_rerun(job_id: int):
    """A new job with the same stored file, profile and options."""
    job = _job_or_404(job_id)
    if not _can_rerun(job):
        flash(
            _(
                "This import cannot run again: it is still running, its profile was deleted "
                "or its file is gone."
            ),
            "error",
        )
        return redirect(url_for("web.import_job", job_id=job.id))
    options = dict(job.options or {})
    return start_job(job.profile, Path(job.stored_path), job.filename, options)


def _can_rerun(job: ImportJob) -> bool:
    return (
        job.finished
        and job.kind == "profile"
        and job.profile is not None
        and Path(job.stored_path).is_file()
    )


def _job_or_404(job_id: int) -> ImportJob:
    try:
        return jobs.job_for(db.session, _user(), job_id)
    except NotFound:
        abort(404)


# --- the supplier's products ---------------------------------------------------------------


@bp.get("/imports/my-products")
@supplier_portal
@require("supplier_portal")
def my_products():
    """Products created through the sources of the supplier's profiles (read only)."""
    sources = supplier.sources_of(db.session, _user())
    after = request.args.get("after", type=int)
    rows, more = supplier.products_page(db.session, sources, after, PRODUCTS_PAGE_SIZE)
    return render_template(
        "imports/my_products.html",
        rows=rows,
        sources=sources,
        next_after=rows[-1].id if more else None,
        first_page=after is None,
    )


def _user():
    return current_user._get_current_object()


def _sentence(invalid: InvalidData) -> str:
    return " ".join(p.message.rstrip(".") + "." for p in invalid.problems) or str(invalid)
