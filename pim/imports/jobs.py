"""Import jobs: created from an upload, the CLI or a drop folder, run by the queue worker.

Uploads are kept under ``<instance>/imports/files/`` so the worker (possibly another
process) can read them. Each profile has a drop folder ``<instance>/imports/dropbox/CODE/``;
the worker looks at it every minute and imports every file that has stopped changing,
moving it out of the folder first so it is imported once.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
import shutil
import socket
import time
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select

from pim import events
from pim.extensions import db
from pim.i18n import language_of
from pim.imports.engine import ImportOptions, ImportRun
from pim.models import ImportJob, ImportProfile, JobStatus, Role, User
from pim.models.types import utcnow
from pim.queue import current_queue, periodic, task
from pim.services.errors import InvalidData, NotFound, Problem

log = logging.getLogger(__name__)

RUN_TASK = "imports.run"
#: a dropped file is imported once it has not changed for this many seconds
SETTLE_SECONDS = 10
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def imports_dir(instance_path: str | Path) -> Path:
    return Path(instance_path) / "imports"


def dropbox_dir(instance_path: str | Path, profile_code: str) -> Path:
    """The drop folder of a profile."""
    return imports_dir(instance_path) / "dropbox" / profile_code


def keep_file(instance_path: str | Path, source, filename: str) -> Path:
    """Copy an uploaded stream (or move a dropped file) into the imports folder."""
    safe = _UNSAFE.sub("_", Path(filename).name)[-120:] or "upload"
    target = imports_dir(instance_path) / "files" / f"{secrets.token_hex(8)}-{safe}"
    target.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(source, Path):
        shutil.move(source, target)
    else:
        with open(target, "wb") as out:
            shutil.copyfileobj(source, out, 1024 * 1024)
    return target


def create_job(
    session,
    profile: ImportProfile,
    path: Path,
    filename: str,
    *,
    user: User | None = None,
    options: dict | None = None,
    kind: str = "profile",
) -> ImportJob:
    """A queued job for ``path`` (options are checked now, so a typo fails at once)."""
    options = {k: v for k, v in (options or {}).items() if v is not None}
    try:
        ImportOptions.from_dict((profile.mapping or {}).get("options"), options)
    except (ValueError, TypeError) as error:
        raise InvalidData(_("import"), [Problem(str(error), field="options")]) from None
    job = ImportJob(
        profile=profile,
        kind=kind,
        filename=Path(filename).name[:255] or "upload",
        stored_path=str(Path(path).resolve()),
        options=options,
        status=JobStatus.QUEUED,
        created_by=user,
    )
    session.add(job)
    session.flush()
    return job


def enqueue(job: ImportJob) -> None:
    """Hand a committed job to the worker."""
    current_queue().enqueue(RUN_TASK, job.id)


def progress_key(job_id: int) -> str:
    return f"import-progress:{job_id}"


def run_job(session, job_id: int, *, progress=None, commit=True) -> ImportJob | None:
    """Run a queued job (the worker's task and the CLI); returns it when done. The report
    is written in the language of the user who started the job (it is stored as text)."""
    job = session.get(ImportJob, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return job
    with language_of(job.created_by):
        return _run(session, job, progress, session.commit if commit else session.flush)


def _run(session, job: ImportJob, progress, checkpoint) -> ImportJob:
    job_id = job.id
    if job.profile is None:
        job.status, job.message = JobStatus.FAILED, _("its import profile was deleted")
        return _announce(session, job, checkpoint)
    try:
        job = ImportRun(session, job, progress=progress, checkpoint=checkpoint).run()
    except Exception as error:
        log.exception("import job %s crashed", job_id)
        session.rollback()
        job = session.get(ImportJob, job_id)
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.message = _(
            "the import stopped on an internal error (%(kind)s): %(error)s",
            kind=type(error).__name__,
            error=error,
        )
    return _announce(session, job, checkpoint)


def _announce(session, job: ImportJob, checkpoint) -> ImportJob:
    """Record the ``import.finished`` event of an ended job, and save."""
    events.emit(session, events.IMPORT_FINISHED, job_event_data(job))
    checkpoint()
    return job


def job_event_data(job: ImportJob) -> dict:
    """``data`` of ``import.finished``: the job's outcome and counts."""
    return {
        "id": job.id,
        "profile": job.profile.code if job.profile else None,
        "filename": job.filename,
        "status": str(job.status),
        "dry_run": bool((job.options or {}).get("dry_run")),
        "message": job.message,
        "rows": {
            "read": job.rows_read,
            "created": job.rows_created,
            "updated": job.rows_updated,
            "skipped": job.rows_skipped,
            "failed": job.rows_failed,
        },
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


@task(RUN_TASK)
def run_job_task(job_id: int) -> None:
    """The queue task: run the job, publishing live progress in the queue's storage."""
    queue = current_queue()

    def publish(counts, fraction):
        queue.put(progress_key(job_id), {"fraction": fraction, **counts.__dict__})

    try:
        run_job(db.session, job_id, progress=publish)
    finally:
        queue.delete(progress_key(job_id))


def fail_abandoned_jobs(session) -> list[ImportJob]:
    """Mark failed the jobs left "running" by a process of this machine that has ended
    (a killed worker); run again, they skip what was written. Jobs of other machines and
    of live processes are left alone."""
    abandoned = []
    running = session.scalars(select(ImportJob).where(ImportJob.status == JobStatus.RUNNING))
    for job in running:
        worker = (job.summary or {}).get("worker") or {}
        if worker.get("host") != socket.gethostname() or _alive(worker.get("pid")):
            continue
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.message = _(
            "The worker running this import stopped (process %(pid)s). "
            "Run it again: rows already written are skipped.",
            pid=worker.get("pid"),
        )
        abandoned.append(job)
    session.flush()
    return abandoned


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, owned by someone else
    return True


def job_status(job: ImportJob) -> dict:
    """What the progress bar shows: the job's counts, live ones while it runs."""
    status = {
        "id": job.id,
        "status": job.status,
        "phase": job.phase,
        "fraction": job.progress,
        "read": job.rows_read,
        "created": job.rows_created,
        "updated": job.rows_updated,
        "skipped": job.rows_skipped,
        "failed": job.rows_failed,
        "warnings": job.warnings,
        "message": job.message,
        "finished": job.finished,
    }
    if job.status == JobStatus.RUNNING:
        live = current_queue().peek(progress_key(job.id))
        if isinstance(live, dict):
            status.update(live)
    return status


def visible_jobs(session, user: User, limit: int = 50) -> list[ImportJob]:
    """Recent jobs the user may see (suppliers: their profiles' jobs only)."""
    query = select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)
    if user.role == Role.SUPPLIER:
        query = query.join(ImportProfile).where(ImportProfile.members.any(User.id == user.id))
    return list(session.scalars(query))


def job_for(session, user: User, job_id: int) -> ImportJob:
    """The job if the user may see it; NotFound otherwise (no hint it exists)."""
    job = session.get(ImportJob, job_id)
    if job is None or not may_use(user, job.profile):
        raise NotFound(_("import %(job_id)s does not exist", job_id=job_id))
    return job


def may_use(user: User, profile: ImportProfile | None) -> bool:
    """Staff may use every profile; a supplier only the profiles they are a member of."""
    if not user.can("import"):
        return False
    if user.role != Role.SUPPLIER:
        return True
    return profile is not None and any(member.id == user.id for member in profile.members)


def scan_dropbox(session, instance_path, settle: float = SETTLE_SECONDS) -> list[ImportJob]:
    """Create a job for every settled file in the profiles' drop folders."""
    jobs = []
    now = time.time()
    for profile in session.scalars(select(ImportProfile).order_by(ImportProfile.code)):
        folder = dropbox_dir(instance_path, profile.code)
        if not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if not path.is_file() or path.name.startswith(".") or path.suffix in (".part", ".tmp"):
                continue
            if now - path.stat().st_mtime < settle:
                continue  # still being written
            kept = keep_file(instance_path, path, path.name)
            jobs.append(create_job(session, profile, kept, path.name))
    return jobs


@periodic("imports.scan_dropbox", minute="*")
def scan_dropbox_task() -> None:
    """Every minute: turn dropped files into queued jobs and run them."""
    jobs = scan_dropbox(db.session, current_app.instance_path)
    db.session.commit()
    for job in jobs:
        enqueue(job)
