"""Runs one import job: read, map, skip unchanged rows, apply ownership, write, report.

The file is streamed in batches. Each batch: rows are keyed and hashed; rows whose hash
matches the last import of that key through the same profile are skipped without being
mapped; the others are mapped, filtered by the consolidation rules
(:mod:`pim.imports.ownership`) and written by :mod:`pim.services.bulk`, which validates
every value. Refused rows become report lines (line, column, value, reason).

In ``skip`` mode each batch is committed through ``checkpoint`` with the job's counts,
so a killed job keeps whole batches and a re-run skips them by hash. ``all_or_nothing``
and dry runs work inside one savepoint that is rolled back when any row failed (or
always, for a dry run); their report is written after the rollback.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, fields
from itertools import islice

from flask_babel import gettext as _

from pim.imports import store
from pim.imports.mapping import MappedRow, Mapper, MappingError
from pim.imports.ownership import Ownership
from pim.imports.readers import ReaderOptions, ReadError, open_table
from pim.imports.readers.xml_reader import XmlReader
from pim.models import ImportIssue, ImportJob, JobStatus
from pim.models.types import utcnow
from pim.services import bulk, products
from pim.services.actors import Actor
from pim.services.errors import DomainError
from pim.services.structure_cache import Structure

#: report lines kept per job; beyond, the job says how many were left out
MAX_ISSUES = 100_000
MODES = ("skip", "all_or_nothing")
#: batches before which table statistics are refreshed (each ×4: a log number of times)
ANALYZE_AT = frozenset(4**n for n in range(1, 12))
MISSING = ("ignore", "flag", "disable")


@dataclass
class ImportOptions:
    """What one run may do; defaults come from the profile, overrides from the job."""

    create: bool = True
    mode: str = "skip"
    missing: str = "ignore"
    dry_run: bool = False
    force: bool = False
    batch_size: int = 1000

    @classmethod
    def from_dict(cls, *layers: dict) -> ImportOptions:
        """Merge option dictionaries (later wins); raises ValueError naming a bad option."""
        merged: dict = {}
        for layer in layers:
            merged.update({k: v for k, v in (layer or {}).items() if v is not None})
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(merged) - known)
        if unknown:
            raise ValueError(_("unknown import options: %(unknown)s", unknown=", ".join(unknown)))
        options = cls(**merged)
        if options.mode not in MODES:
            raise ValueError(_("mode must be one of %(modes)s", modes=", ".join(MODES)))
        if options.missing not in MISSING:
            raise ValueError(_("missing must be one of %(missing)s", missing=", ".join(MISSING)))
        if not isinstance(options.batch_size, int) or options.batch_size < 1:
            raise ValueError(_("batch_size must be a positive whole number"))
        return options


@dataclass
class Counts:
    """Rows read, created, updated, skipped (unchanged) and failed; warnings issued."""

    read: int = 0
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0
    warnings: int = 0


Progress = Callable[[Counts, float], None]


def row_hash(revision: int, cells: dict) -> str:
    """A short content hash of a row, tied to the profile revision that maps it."""
    text = json.dumps([revision, cells], sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class Stopped(Exception):
    """The file turned out to be unreadable part-way; the message says what was kept."""


class ImportRun:
    """One execution of an :class:`ImportJob`; see the module docstring."""

    def __init__(
        self,
        session,
        job: ImportJob,
        *,
        progress: Progress | None = None,
        checkpoint: Callable[[], None] | None = None,
    ):
        self.session = session
        self.job = job
        self.profile = job.profile
        self.progress = progress or (lambda counts, fraction: None)
        self.checkpoint = checkpoint or session.flush
        self.counts = Counts()
        self.issues: list[dict] = []
        self.issues_dropped = 0
        self.issues_saved = 0
        self.first_line: dict[str, int] = {}
        self.skipped_new: list[str] = []

    # --- the run ------------------------------------------------------------------------

    def run(self) -> ImportJob:
        """Run the job to its end; the job row says how it went."""
        job = self.job
        job.status, job.started_at, job.phase = JobStatus.RUNNING, utcnow(), "reading"
        # who runs it, so that a job left "running" by a dead process can be told apart
        job.summary = dict(
            job.summary or {}, worker={"host": socket.gethostname(), "pid": os.getpid()}
        )
        self.checkpoint()
        try:
            self.options = ImportOptions.from_dict(
                (self.profile.mapping or {}).get("options"), job.options
            )
            self._run()
        except (ReadError, MappingError, Stopped, ValueError) as error:
            self._fail(str(error))
        else:
            job.status = JobStatus.SUCCEEDED
            job.message = self._conclusion()
        job.phase, job.finished_at, job.progress = "done", utcnow(), 1.0
        self._save_report()
        self.checkpoint()
        return job

    def _run(self) -> None:
        self.structure = Structure.current(self.session)
        self.ownership = Ownership(self.structure, self.profile.source)
        self.actor = self._actor()
        make_writer = bulk.product_writer if self.profile.entity == "product" else bulk.model_writer
        self.writer = make_writer(self.session, self.actor, self.structure)
        mapper = Mapper(self.profile.mapping, self.structure, self.profile.entity)
        reader = ReaderOptions(**(self.profile.reader or {}))
        with open_table(self.job.stored_path, reader, display_name=self.job.filename) as table:
            self.mapper = mapper
            atomic = self.options.dry_run or self.options.mode == "all_or_nothing"
            if atomic:
                self._atomic(table)
            else:
                self._batches(table, commit=True)
                self._handle_missing()

    def _atomic(self, table) -> None:
        savepoint = self.session.begin_nested()
        try:
            self._batches(table, commit=False)
            if not self.options.dry_run and not self.counts.failed:
                self._handle_missing()
        except BaseException:
            savepoint.rollback()
            raise
        if self.options.dry_run or self.counts.failed:
            savepoint.rollback()
        else:
            savepoint.commit()

    def _batches(self, table, commit: bool) -> None:
        rows = iter(table)
        try:
            first = list(islice(rows, self.options.batch_size))
            # XML paths are known once records are read: bind after the first batch
            self.mapper.bind(table.columns, require_all=not isinstance(table, XmlReader))
            number = 0
            while batch := first or list(islice(rows, self.options.batch_size)):
                first, number = None, number + 1
                if number in ANALYZE_AT:
                    store.refresh_statistics(self.session)
                self._batch(batch)
                self.job.progress = table.progress()
                if commit:
                    self._save_counts()
                    self._save_report()
                    self.checkpoint()
                self.progress(self.counts, self.job.progress)
        except ReadError as error:
            if commit and self.counts.read:
                raise Stopped(
                    _(
                        "%(error)s The rows before it were imported; fix the file and import it "
                        "again (unchanged rows are skipped).",
                        error=error,
                    )
                ) from None
            raise

    # --- one batch -----------------------------------------------------------------------

    def _batch(self, rows: list) -> None:
        self.counts.read += len(rows)
        keyed = self._keyed(rows)
        hashes = {}
        if not self.options.force:
            hashes = store.row_hashes(self.session, self.profile.id, self.profile.entity, keyed)
        # unchanged rows are skipped without loading, mapping or validating anything
        unchanged = {key for key, (_, digest) in keyed.items() if hashes.get(key) == digest}
        self.counts.skipped += len(unchanged)
        rest = [key for key in keyed if key not in unchanged]
        stored = store.stored_rows(self.session, self.profile.entity, rest)
        todo = []
        for key in rest:
            row, digest = keyed[key]
            if key not in stored and not self.options.create:
                self.counts.skipped += 1
                self.skipped_new.append(key)
            else:
                mapped = self.mapper.map_row(row)
                if self._refuse_issues(mapped):
                    continue
                mapped.hash = digest
                todo.append(mapped)
        self._write(todo, stored)
        if self.options.missing != "ignore":  # only a full feed needs to know what it saw
            store.mark_seen(self.session, self.profile.id, self.job.id, keyed)

    def _keyed(self, rows: list) -> dict:
        """Key → (row, hash) for the batch's rows; duplicates and keyless rows reported."""
        keyed = {}
        key_column = self.mapper.key.label
        for row in rows:
            key = self.mapper.key_of(row)
            if not key or row.problems:
                self._refuse_issues(self.mapper.map_row(row))
                continue
            if key in self.first_line:
                self.counts.skipped += 1
                self._issue(
                    row.line,
                    key,
                    key_column,
                    key,
                    f"{key!r} already appeared on line {self.first_line[key]}: this row is "
                    "ignored (the first occurrence is imported)",
                    "warning",
                )
                continue
            self.first_line[key] = row.line
            keyed[key] = (row, row_hash(self.profile.revision, row.cells))
        return keyed

    def _refuse_issues(self, mapped: MappedRow) -> bool:
        for issue in mapped.issues:
            self._issue(mapped.line, mapped.key, issue.column, issue.value, issue.reason)
        if mapped.issues:
            self.counts.failed += 1
        return bool(mapped.issues)

    def _write(self, todo: list[MappedRow], stored: dict) -> None:
        if not todo:
            return
        for mapped in todo:
            values = mapped.payload.get("values")
            if values:
                mapped.payload["values"] = self.ownership.filter(
                    mapped.key, values, stored.get(mapped.key)
                )
            mapped.media = [m for m in mapped.media if self.ownership.may_write(m[0])]
        result = self.writer.write([m.payload for m in todo], batch_size=len(todo))
        failed = self._report_failures(todo, result)
        self.counts.created += result.created
        self.counts.updated += result.updated
        self.counts.skipped += result.unchanged
        done = [m for i, m in enumerate(todo) if i not in failed]
        store.save_hashes(self.session, self.profile.id, self.job.id, {m.key: m.hash for m in done})
        self._media_links(done)

    def _report_failures(self, todo: list[MappedRow], result) -> set[int]:
        failed = set()
        for index, key, reason in result.failed:
            failed.add(index)
            self.counts.failed += 1
            mapped = todo[index]
            problems = result.problems.get(index)
            if not problems:
                self._issue(mapped.line, key, None, "", reason)
                continue
            for problem in problems:
                column = self.mapper.column_of(problem)
                value = self._raw(mapped, column)
                self._issue(mapped.line, key, column, value, problem.message)
        return failed

    def _raw(self, mapped: MappedRow, column: str | None) -> str:
        value = mapped.cells.get(column, "") if column else ""
        return value if isinstance(value, str) else ", ".join(value)

    def _media_links(self, done: list[MappedRow]) -> None:
        links = [
            {
                "owner_type": self.profile.entity,
                "owner_key": m.key,
                "attribute": attribute,
                "locale": locale or "",
                "scope": scope or "",
                "reference": reference[:2000],
                "source": self.profile.source,
                "job_id": self.job.id,
                "status": "pending",
                "created_at": utcnow(),
            }
            for m in done
            for attribute, locale, scope, reference in m.media
        ]
        store.add_media_links(self.session, links)

    # --- after the rows --------------------------------------------------------------------

    def _handle_missing(self) -> None:
        if self.options.missing == "ignore":
            return
        self.job.phase = "missing"
        for keys in store.missing_keys(self.session, self.profile.id, self.job.id):
            if self.options.missing == "disable" and self.profile.entity == "product":
                self._disable(keys)
            else:
                for key in keys:
                    self._issue(None, key, None, "", _("missing from this full feed"), "warning")

    def _disable(self, keys: list[str]) -> None:
        for key in keys:
            try:
                product = products.get_product(self.session, key)
            except DomainError:
                continue
            if product.enabled:
                with self.session.begin_nested():
                    products.update_product(
                        self.session,
                        product,
                        {"enabled": False},
                        self.actor,
                        structure=self.structure,
                        comment="missing from a full feed",
                    )
            self._issue(None, key, None, "", _("missing from this full feed: disabled"), "warning")

    # --- report --------------------------------------------------------------------------

    def _issue(self, line, key, column, value, reason, severity="error") -> None:
        if severity == "warning":
            self.counts.warnings += 1
        if len(self.issues) + self.issues_saved >= MAX_ISSUES:
            self.issues_dropped += 1
            return
        self.issues.append(
            {
                "job_id": self.job.id,
                "severity": severity,
                "file": self.job.filename[:255],
                "line": line,
                "key": (key or None) and str(key)[:255],
                "column": column and str(column)[:255],
                "value": value if isinstance(value, str) else str(value),
                "reason": reason,
            }
        )

    def _save_report(self) -> None:
        if self.issues:
            self.session.execute(ImportIssue.__table__.insert(), self.issues)
            self.issues_saved += len(self.issues)
            self.issues = []
        self._save_counts()

    def _save_counts(self) -> None:
        job, counts = self.job, self.counts
        job.rows_read, job.rows_created, job.rows_updated = (
            counts.read,
            counts.created,
            counts.updated,
        )
        job.rows_skipped, job.rows_failed, job.warnings = (
            counts.skipped,
            counts.failed,
            counts.warnings,
        )
        job.summary = dict(job.summary or {}, issues_left_out=self.issues_dropped)

    def _aggregate_warnings(self) -> None:
        for attribute, reason, count, examples in self.ownership.summary():
            self._issue(
                None,
                ", ".join(examples),
                attribute,
                str(count),
                _(
                    "%(count)s value(s) of %(attribute)s not written: %(reason)s",
                    count=count,
                    attribute=attribute,
                    reason=reason,
                ),
                "warning",
            )
        if self.skipped_new:
            self._issue(
                None,
                ", ".join(self.skipped_new[:5]),
                self.mapper.key.label,
                str(len(self.skipped_new)),
                _(
                    "%(count)s row(s) name products that do not exist; this import only "
                    "updates, so they were skipped",
                    count=len(self.skipped_new),
                ),
                "warning",
            )

    def _conclusion(self) -> str:
        self._aggregate_warnings()
        c = self.counts
        counts = {
            "read": c.read,
            "created": c.created,
            "updated": c.updated,
            "skipped": c.skipped,
            "failed": c.failed,
            "warnings": c.warnings,
        }
        if self.options.dry_run:
            text = _(
                "%(read)s rows read: %(created)s would be created, %(updated)s would be "
                "updated, %(skipped)s skipped, %(failed)s failed, %(warnings)s warnings.",
                **counts,
            )
        else:
            text = _(
                "%(read)s rows read: %(created)s created, %(updated)s updated, %(skipped)s "
                "skipped, %(failed)s failed, %(warnings)s warnings.",
                **counts,
            )
        if self.options.mode == "all_or_nothing" and c.failed and not self.options.dry_run:
            self.job.status = JobStatus.FAILED
            text += " " + _("Nothing was written (all-or-nothing import with failed rows).")
        if self.options.dry_run:
            text += " " + _("Dry run: nothing was written.")
        if self.issues_dropped:
            text += " " + _("%(count)s more report lines were left out.", count=self.issues_dropped)
        return text

    def _fail(self, message: str) -> None:
        self.job.status = JobStatus.FAILED
        self.job.message = message
        self._issue(None, None, None, "", message)

    def _actor(self) -> Actor:
        user = self.job.created_by
        name = user.email if user else f"import {self.profile.code}"
        return Actor(name=name, source=self.profile.source, user_id=user.id if user else None)
