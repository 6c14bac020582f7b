"""Imports: mapping profiles, jobs with their report, row hashes and pending media links."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Column, ForeignKey, Index, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.types import JSONType, UTCDateTime, utcnow
from pim.models.users import User


class JobStatus(enum.StrEnum):
    """Life of an import job."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


profile_member = Table(
    "import_profile_member",
    db.metadata,
    Column("profile_id", ForeignKey("import_profile.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True),
)


class ImportProfile(db.Model):
    """A saved way to read one source's files: format, reader options, column mapping,
    and what an import may do (create products, handle rows missing from a full feed…)."""

    __tablename__ = "import_profile"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")
    #: who writes through this profile: erp, plm, supplier:NAME, migration
    source: Mapped[str] = mapped_column(String(64))
    #: ``product`` or ``product_model``
    entity: Mapped[str] = mapped_column(String(20), default="product")
    #: :class:`pim.imports.readers.ReaderOptions` fields (format, encoding, delimiter…)
    reader: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: the mapping document, see :mod:`pim.imports.mapping`
    mapping: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: bumped on every change of reader or mapping: row hashes of older revisions are stale
    revision: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    members: Mapped[list[User]] = relationship(secondary=profile_member)


class ImportJob(db.Model):
    """One run of one file through a profile (or an Akeneo directory), with live counts."""

    __tablename__ = "import_job"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    profile_id: Mapped[int | None] = mapped_column(
        ForeignKey("import_profile.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="profile")
    filename: Mapped[str] = mapped_column(String(255))
    #: absolute path of the file (uploads are kept under the instance folder)
    stored_path: Mapped[str] = mapped_column(String(1000))
    #: create / update_only, skip / all_or_nothing, ignore / flag / disable, dry_run, force
    options: Mapped[dict] = mapped_column(JSONType, default=dict)
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED, index=True)
    phase: Mapped[str] = mapped_column(String(40), default="")
    progress: Mapped[float] = mapped_column(default=0.0)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_created: Mapped[int] = mapped_column(default=0)
    rows_updated: Mapped[int] = mapped_column(default=0)
    rows_skipped: Mapped[int] = mapped_column(default=0)
    rows_failed: Mapped[int] = mapped_column(default=0)
    warnings: Mapped[int] = mapped_column(default=0)
    #: per-file counts of an Akeneo import, or other summary figures
    summary: Mapped[dict] = mapped_column(JSONType, default=dict)
    message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    profile: Mapped[ImportProfile | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def rows_written(self) -> int:
        return self.rows_created + self.rows_updated

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)


class ImportIssue(db.Model):
    """A rejected row or a warning of a job: line, column, value and reason."""

    __tablename__ = "import_issue"
    __table_args__ = (Index("ix_import_issue_job", "job_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("import_job.id", ondelete="CASCADE"))
    severity: Mapped[str] = mapped_column(String(10), default="error")
    file: Mapped[str | None] = mapped_column(String(255))
    line: Mapped[int | None]
    key: Mapped[str | None] = mapped_column(String(255))
    column: Mapped[str | None] = mapped_column(String(255))
    value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class ImportRowHash(db.Model):
    """The content hash of the last row imported for a key, to skip unchanged rows, and the
    last job that saw it, to find what is missing from a full feed."""

    __tablename__ = "import_row_hash"

    profile_id: Mapped[int] = mapped_column(
        ForeignKey("import_profile.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[int] = mapped_column(index=True)


class PendingMedia(db.Model):
    """An image or file named by an import, waiting to become an asset in the DAM."""

    __tablename__ = "pending_media"
    __table_args__ = (
        UniqueConstraint(
            "owner_type", "owner_key", "attribute", "locale", "scope", "reference", name="one_link"
        ),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``product`` or ``product_model`` and its identifier or code
    owner_type: Mapped[str] = mapped_column(String(20))
    owner_key: Mapped[str] = mapped_column(String(255), index=True)
    attribute: Mapped[str] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(20), default="")
    scope: Mapped[str] = mapped_column(String(100), default="")
    #: an http(s) URL or a path to a file the import brought along
    reference: Mapped[str] = mapped_column(String(2000))
    source: Mapped[str] = mapped_column(String(64))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("import_job.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
