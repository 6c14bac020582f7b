"""``/api/v1/jobs``: the background jobs of every kind (imports, mass edits, and what
plugins add, such as feed runs), their live progress, counts, times and reports; and
``/api/v1/mass-edits`` to start a mass edit (or preview one).

A job's id is ``<kind>-<number>`` (``import-12``, ``mass-edit-3``). Kinds live in a
registry, ``app.extensions["vitrine_api_job_kinds"]``: a plugin adds its own with
:func:`register_kind` from its ``init_app`` (the PIM never imports plugins)::

    register_kind(app, JobKind(name="feed-run", model=FeedRun, permission="read", ...))
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask import Flask, current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import select

from pim.api import API_PREFIX, auth
from pim.api.job_schemas import (
    JobListArgs,
    JobPageSchema,
    JobSchema,
    MassEditPreviewSchema,
    MassEditSchema,
    PageArgs,
    ReportPageSchema,
)
from pim.api.pagination import decode_cursor, encode_cursor, next_url
from pim.api.problems import ApiError
from pim.api.resources import documented_errors, json_response
from pim.extensions import db
from pim.imports import jobs as import_jobs
from pim.imports import report as import_report
from pim.models import ImportIssue, ImportJob, JobStatus, MassEditFailure, MassEditJob, Product
from pim.services import mass_edit
from pim.services.errors import InvalidData, Problem
from pim.services.structure_cache import Structure

KINDS_KEY = "vitrine_api_job_kinds"
#: report lines shown in a job's representation; the ``next`` link pages through the rest
REPORT_SHOWN = 20
JOB_STATUSES = tuple(s.value for s in JobStatus)
_CURSOR_PREFIX = "job:"

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix=f"{API_PREFIX}/jobs",
    description="Background jobs (imports, mass edits, feed runs…): progress, counts, reports.",
)
mass_edits_blp = Blueprint(
    "mass_edits",
    __name__,
    url_prefix=f"{API_PREFIX}/mass-edits",
    description="One operation applied to many products, by a job (or previewed).",
)


@dataclass(frozen=True)
class JobKind:
    """How the API lists and shows one kind of job.

    ``describe(session, row)`` gives the kind's part of the representation: ``status``,
    ``finished``, ``progress``, ``message``, the times, ``counts`` and ``details``;
    ``report(session, row, after, limit)`` gives up to ``limit`` report lines after the
    position ``after`` (0: from the start) and the position of the last one, or None when
    there are no more; ``report_total(session, row)`` counts them.
    """

    name: str
    model: type
    permission: str
    statuses: tuple[str, ...]
    describe: Callable
    report: Callable
    report_total: Callable
    #: ``(user, row) -> bool``: whether the user may see this job (beyond ``permission``)
    visible: Callable = lambda user, row: True

    def public_id(self, row) -> str:
        return f"{self.name}-{row.id}"


def register_kind(app: Flask, kind: JobKind) -> None:
    """Make a kind of job available under ``/api/v1/jobs``."""
    app.extensions.setdefault(KINDS_KEY, {})[kind.name] = kind


def job_kinds() -> dict[str, JobKind]:
    """The kinds of job of the current app, by name."""
    return current_app.extensions.get(KINDS_KEY, {})


def job_url(kind: JobKind, row) -> str:
    """The URL of a job (the ``Location`` of whatever started it)."""
    return url_for("jobs.JobItem", job_id=kind.public_id(row))


def iso(moment: datetime | None) -> str | None:
    """A time as ISO 8601 (None stays None)."""
    return moment.isoformat() if moment is not None else None


def job_document(session, kind: JobKind, row) -> dict:
    """The full representation of a job, with the first lines of its report."""
    described = kind.describe(session, row)
    started, finished = described.get("started_at"), described.get("finished_at")
    lines, last = kind.report(session, row, 0, REPORT_SHOWN)
    report_next = None
    if last is not None:
        report_next = url_for(
            "jobs.JobReport", job_id=kind.public_id(row), cursor=encode_cursor(last)
        )
    return {
        "id": kind.public_id(row),
        "kind": kind.name,
        **{k: iso(v) if isinstance(v, datetime) else v for k, v in described.items()},
        "duration_seconds": (finished - started).total_seconds() if started and finished else None,
        "report": {
            "total": kind.report_total(session, row),
            "items": lines,
            "next": report_next,
        },
        "url": job_url(kind, row),
    }


def find_job(session, job_id: str) -> tuple[JobKind, object]:
    """The kind and row of ``import-12``; 404 when there is none the user may see, 403
    when the role may not see jobs of that kind."""
    name, _, number = job_id.rpartition("-")
    kind = job_kinds().get(name)
    if kind is None or not (number.isascii() and number.isdigit()) or len(number) > 18:
        raise ApiError(404, f"job {job_id!r} does not exist.")
    user = auth.current_user()
    if not user.can(kind.permission):
        raise ApiError(403, f"Your role does not allow seeing {name} jobs.")
    row = session.get(kind.model, int(number))
    if row is None or not kind.visible(user, row):
        raise ApiError(404, f"job {job_id!r} does not exist.")
    return kind, row


# --- views ---------------------------------------------------------------------------------


@blp.route("")
class JobCollection(MethodView):
    @blp.arguments(JobListArgs, location="query", unknown=RAISE)
    @blp.response(200, JobPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List jobs

        Jobs of the kinds your role may see (imports need ``import``, mass edits ``edit``),
        grouped by kind, newest first within a kind; ``kind`` and ``status`` filter.
        """
        kinds = _listed_kinds(args.get("kind"), args.get("status"))
        after = _decode_job_cursor(args.get("cursor"), kinds)
        rows = _page(db.session, kinds, args.get("status"), after, args["limit"])
        cursor = None
        if len(rows) > args["limit"]:
            rows = rows[: args["limit"]]
            kind, row = rows[-1]
            cursor = _encode_job_cursor(kind.name, row.id)
        items = [job_document(db.session, kind, row) for kind, row in rows]
        return json_response({"items": items, "next": next_url(cursor)})


@blp.route("/<job_id>")
class JobItem(MethodView):
    @blp.response(200, JobSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, job_id):
        """Get a job

        Its status and progress (live while it runs), counts, times and the first lines of
        its report (``report.next`` pages through the rest).
        """
        kind, row = find_job(db.session, job_id)
        response = json_response(job_document(db.session, kind, row))
        response.headers["Cache-Control"] = "no-store"
        return response


@blp.route("/<job_id>/report")
class JobReport(MethodView):
    @blp.arguments(PageArgs, location="query", unknown=RAISE)
    @blp.response(200, ReportPageSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def get(self, args, job_id):
        """A job's report, a page at a time

        Rejected rows and warnings of an import (line, key, column, value, reason),
        products a mass edit refused, a feed run's errors and exclusions.
        """
        kind, row = find_job(db.session, job_id)
        after = decode_cursor(args.get("cursor"))
        lines, last = kind.report(db.session, row, after, args["limit"])
        cursor = encode_cursor(last) if last is not None else None
        return json_response({"items": lines, "next": next_url(cursor)})


def _listed_kinds(name: str | None, status: str | None) -> list[JobKind]:
    kinds = job_kinds()
    if name is not None and name not in kinds:
        known = ", ".join(kinds)
        raise _invalid("kind", f"unknown kind {name!r} (known: {known})")
    user = auth.current_user()
    listed = [k for k in kinds.values() if name in (None, k.name) and user.can(k.permission)]
    if name is not None and not listed:
        raise ApiError(403, f"Your role does not allow seeing {name} jobs.")
    known_statuses = {s for k in listed for s in k.statuses}
    if status is not None and status not in known_statuses:
        raise _invalid("status", f"unknown status {status!r} ({', '.join(sorted(known_statuses))})")
    return listed


def _page(session, kinds: list[JobKind], status, after, limit: int) -> list[tuple]:
    """Up to ``limit + 1`` (kind, row) after the cursor: kinds in order, newest first."""
    rows: list[tuple] = []
    user = auth.current_user()
    started = after is None
    for kind in kinds:
        query = select(kind.model).order_by(kind.model.id.desc())
        if not started:
            if kind.name != after[0]:
                continue
            started = True
            query = query.where(kind.model.id < after[1])
        if status is not None:
            query = query.where(kind.model.status == status)
        for row in session.scalars(query.limit(limit + 1 - len(rows))):
            if kind.visible(user, row):
                rows.append((kind, row))
        if len(rows) > limit:
            break
    return rows


def _encode_job_cursor(kind: str, row_id: int) -> str:
    raw = f"{_CURSOR_PREFIX}{kind}:{row_id}".encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _decode_job_cursor(cursor: str | None, kinds: list[JobKind]) -> tuple[str, int] | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raw = ""
    name, _, number = raw.removeprefix(_CURSOR_PREFIX).rpartition(":")
    valid = raw.startswith(_CURSOR_PREFIX) and number.isascii() and number.isdigit()
    valid = valid and len(number) <= 18
    if not valid or name not in {k.name for k in kinds}:
        raise _invalid("cursor", "invalid cursor; follow the next link")
    return name, int(number)


def _invalid(field: str, message: str) -> ApiError:
    return ApiError(
        422, "The request has invalid fields.", errors=[{"field": field, "message": message}]
    )


# --- import jobs ---------------------------------------------------------------------------


def describe_import(session, job: ImportJob) -> dict:
    """An import job's part of its representation: counts of rows, profile, file."""
    status = import_jobs.job_status(job)  # live counts while it runs
    return {
        "status": job.status,
        "finished": job.finished,
        "progress": 1.0 if job.finished else float(status.get("fraction") or 0.0),
        "message": job.message,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "counts": {
            name: int(status.get(name) or 0)
            for name in ("read", "created", "updated", "skipped", "failed", "warnings")
        },
        "details": {
            "profile": job.profile.code if job.profile else None,
            "filename": job.filename,
            "options": job.options or {},
            "phase": status.get("phase") or job.phase,
            "dry_run": bool((job.options or {}).get("dry_run")),
        },
    }


def import_report_lines(session, job: ImportJob, after: int, limit: int):
    """Rejected rows and warnings after issue id ``after``, in order."""
    query = (
        select(ImportIssue)
        .where(ImportIssue.job_id == job.id, ImportIssue.id > after)
        .order_by(ImportIssue.id)
        .limit(limit + 1)
    )
    issues = list(session.scalars(query))
    lines = [
        {
            "severity": issue.severity,
            "file": issue.file,
            "line": issue.line,
            "key": issue.key,
            "field": issue.column,
            "value": issue.value,
            "message": issue.reason,
        }
        for issue in issues[:limit]
    ]
    return lines, (issues[limit - 1].id if len(issues) > limit else None)


IMPORT_KIND = JobKind(
    name="import",
    model=ImportJob,
    permission="import",
    statuses=JOB_STATUSES,
    describe=describe_import,
    report=import_report_lines,
    report_total=import_report.issue_count,
    visible=lambda user, job: import_jobs.may_use(user, job.profile),
)


# --- mass edit jobs ------------------------------------------------------------------------


def describe_mass_edit(session, job: MassEditJob) -> dict:
    """A mass edit job's part of its representation: counts, operation, selection."""
    status = mass_edit.job_status(job)  # live counts while it runs
    return {
        "status": job.status,
        "finished": job.finished,
        "progress": float(status.get("fraction") or 0.0),
        "message": job.message,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
        "counts": {
            name: int(status.get(name) or 0)
            for name in ("total", "processed", "changed", "unchanged", "failed")
        },
        "details": {
            "description": job.description,
            "operation": job.operation,
            "selection": job.selection,
            "author": job.created_by.email if job.created_by else None,
        },
    }


def mass_edit_report_lines(session, job: MassEditJob, after: int, limit: int):
    """The products the job refused, after failure id ``after``, with why."""
    query = (
        select(MassEditFailure)
        .where(MassEditFailure.job_id == job.id, MassEditFailure.id > after)
        .order_by(MassEditFailure.id)
        .limit(limit + 1)
    )
    failures = list(session.scalars(query))
    lines = [
        {"severity": "error", "key": failure.identifier, "message": failure.reason}
        for failure in failures[:limit]
    ]
    return lines, (failures[limit - 1].id if len(failures) > limit else None)


MASS_EDIT_KIND = JobKind(
    name="mass-edit",
    model=MassEditJob,
    permission="edit",
    statuses=JOB_STATUSES,
    describe=describe_mass_edit,
    report=mass_edit_report_lines,
    report_total=mass_edit.failure_count,
)


# --- starting a mass edit ------------------------------------------------------------------


@mass_edits_blp.route("")
class MassEditCollection(MethodView):
    permissions = {"POST": "edit"}

    @mass_edits_blp.arguments(MassEditSchema)
    @mass_edits_blp.response(202, JobSchema, description="Queued (see Location)")
    @mass_edits_blp.alt_response(
        200, schema=MassEditPreviewSchema, description="The preview (``preview: true``)"
    )
    @documented_errors(mass_edits_blp, 401, 403, 413, 415, 422)
    def post(self, payload):
        """Start a mass edit (or preview it)

        ``identifiers`` (up to 1,000) or ``query`` (the UI's search syntax) select the
        products; ``operation`` is checked as in the UI (``kind``: set_value, clear_value,
        add_options, remove_options, change_family, add_categories, remove_categories,
        replace_categories, change_status, add_associations, delete). ``preview: true``
        answers how many products are selected and what happens to the first ones; else a
        job is queued: 202 with its ``Location``.
        """
        session = db.session
        selection = _selection(session, payload)
        structure = Structure.current(session)
        operation = mass_edit.Operation.from_dict(payload["operation"])
        operation = mass_edit.check_operation(session, structure, operation)
        if payload["preview"]:
            found = mass_edit.preview(session, structure, operation, selection, auth.actor())
            session.rollback()
            return json_response(
                {
                    "total": found.total,
                    "description": mass_edit.describe(structure, operation),
                    "samples": [vars(sample) for sample in found.samples],
                }
            )
        job = mass_edit.create_job(
            session,
            operation,
            selection,
            user=auth.current_user(),
            description=mass_edit.describe(structure, operation),
        )
        session.commit()
        job_id = job.id
        mass_edit.enqueue(job)
        return started(session, MASS_EDIT_KIND, job_id)


def _selection(session, payload: dict) -> mass_edit.Selection:
    identifiers, query = payload.get("identifiers"), payload.get("query")
    if (identifiers is None) == (query is None):
        raise _invalid("identifiers", "give either identifiers or query")
    if query is not None:
        return mass_edit.Selection(query=query)
    wanted = list(dict.fromkeys(identifiers))
    rows = dict(
        session.execute(
            select(Product.identifier, Product.id).where(Product.identifier.in_(wanted))
        ).all()
    )
    unknown = [i for i in wanted if i not in rows]
    if unknown:
        raise InvalidData(
            "mass edit", [_problem("identifiers", f"unknown products: {', '.join(unknown[:20])}")]
        )
    return mass_edit.Selection(ids=tuple(rows[i] for i in wanted))


def _problem(field: str, message: str) -> Problem:
    return Problem(message, field=field)


def started(session, kind: JobKind, row_id: int):
    """202 Accepted with the job's representation and ``Location`` (the in-memory queue
    has already run it; a worker may not have started it yet)."""
    session.expire_all()
    row = session.get(kind.model, row_id)
    response = json_response(job_document(session, kind, row), 202)
    response.headers["Location"] = job_url(kind, row)
    return response


def init_app(app: Flask) -> None:
    """Register the PIM's job kinds."""
    register_kind(app, IMPORT_KIND)
    register_kind(app, MASS_EDIT_KIND)
