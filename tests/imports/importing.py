"""Helpers for import tests: write files, save profiles, run jobs synchronously."""

from __future__ import annotations

import csv
from pathlib import Path

from pim.imports import jobs, profiles
from pim.models import ImportIssue, ImportJob


def write_csv(path: Path, header: list[str], rows: list[list], delimiter=";") -> Path:
    """A UTF-8 CSV file."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


ERP_MAPPING = {
    "key": {"column": "sku"},
    "fields": {"family": {"value": "tshirts"}},
    "auto": True,
}


def save_profile(session, code="erp", source="erp", mapping=None, **extra):
    """Save a profile (auto-mapped columns, family tshirts by default)."""
    document = {
        "code": code,
        "source": source,
        "reader": {"format": "csv"},
        "mapping": mapping or ERP_MAPPING,
        **extra,
    }
    return profiles.save_profile(session, document)


def run(session, profile, path: Path, **options) -> ImportJob:
    """Create and run a job at once (no queue), committing like the worker does."""
    job = jobs.create_job(session, profile, path, path.name, options=options)
    session.commit()
    return jobs.run_job(session, job.id)


def issues_of(session, job) -> list[ImportIssue]:
    return list(
        session.scalars(
            ImportIssue.__table__.select().where(ImportIssue.job_id == job.id).order_by("id")
        )
    )


def report_lines(session, job, severity="error") -> list:
    """(line, column, value, reason) of the job's report lines of one severity."""
    rows = session.execute(
        ImportIssue.__table__.select()
        .where(ImportIssue.job_id == job.id, ImportIssue.severity == severity)
        .order_by(ImportIssue.id)
    ).mappings()
    return [(r["line"], r["column"], r["value"], r["reason"]) for r in rows]
