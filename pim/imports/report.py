"""An import's report: its counts and every rejected row or warning, as JSON or CSV.

The CSV is meant to be opened in a spreadsheet, so cells that a spreadsheet would run as
a formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) are prefixed
with an apostrophe there; the stored values are untouched.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

from sqlalchemy import func, select

from pim.models import ImportIssue, ImportJob
from pim.spreadsheet import escape_formula

COLUMNS = ("severity", "file", "line", "key", "column", "value", "reason")


def issues(session, job: ImportJob, limit: int | None = None, offset: int = 0) -> list:
    """The job's report lines in order."""
    query = (
        select(ImportIssue).where(ImportIssue.job_id == job.id).order_by(ImportIssue.id)
    ).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    return list(session.scalars(query))


def issue_count(session, job: ImportJob) -> int:
    return session.scalar(select(func.count()).where(ImportIssue.job_id == job.id)) or 0


def issue_dict(issue: ImportIssue) -> dict:
    return {name: getattr(issue, name) for name in COLUMNS}


def summary(session, job: ImportJob, limit: int = 100) -> dict:
    """The JSON summary of ``vitrine pim import --json`` (and the API)."""
    return {
        "job": job.id,
        "file": job.filename,
        "profile": job.profile.code if job.profile else None,
        "status": job.status,
        "message": job.message,
        "options": job.options,
        "rows": {
            "read": job.rows_read,
            "created": job.rows_created,
            "updated": job.rows_updated,
            "skipped": job.rows_skipped,
            "failed": job.rows_failed,
            "warnings": job.warnings,
        },
        "issues": [issue_dict(i) for i in issues(session, job, limit=limit)],
        "issues_total": issue_count(session, job),
    }


def _safe(value) -> str:
    return escape_formula("" if value is None else str(value))


def csv_chunks(session, job: ImportJob, batch: int = 1000) -> Iterator[str]:
    """The report as CSV text, streamed in chunks (header first)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    last_id = 0
    while True:
        rows = list(
            session.scalars(
                select(ImportIssue)
                .where(ImportIssue.job_id == job.id, ImportIssue.id > last_id)
                .order_by(ImportIssue.id)
                .limit(batch)
            )
        )
        for issue in rows:
            writer.writerow([_safe(getattr(issue, name)) for name in COLUMNS])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        last_id = rows[-1].id
