"""The product grid's own tables: each user's saved views, and mass edit jobs with the
products they could not change.

A saved view keeps what the grid's URL says (query, sort, columns, channel and locale, the
grouping); a mass edit job keeps its operation and its selection — the chosen ids, or the
query when the user picked "all matching", resolved when the job starts.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.imports import JobStatus
from pim.models.types import JSONType, UTCDateTime, utcnow
from pim.models.users import User


class SavedView(db.Model):
    """A named way to look at the product grid, visible to its owner only."""

    __tablename__ = "saved_view"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="one_name_per_user"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    #: the search box's text (:mod:`pim.search.query` syntax)
    query: Mapped[str] = mapped_column(Text, default="")
    family: Mapped[str] = mapped_column(String(100), default="")
    status: Mapped[str] = mapped_column(String(20), default="")
    sort: Mapped[str] = mapped_column(String(20), default="")
    #: column specs as in the ``cols`` parameter: ``["name-fr_FR", "color"]``
    columns: Mapped[list] = mapped_column(JSONType, default=list)
    scope: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str | None] = mapped_column(String(20))
    group_by_model: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship()


class MassEditJob(db.Model):
    """One operation applied to many products by the queue worker, with live counts."""

    __tablename__ = "mass_edit_job"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the operation's kind and parameters (see :mod:`pim.services.mass_edit`)
    operation: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: ``{"ids": [...]}`` or ``{"query": {"q": ..., "family": ..., "status": ...}}``
    selection: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: what the job does, in words (kept as it was said when the job was created)
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=JobStatus.QUEUED, index=True)
    total: Mapped[int] = mapped_column(default=0)
    processed: Mapped[int] = mapped_column(default=0)
    changed: Mapped[int] = mapped_column(default=0)
    unchanged: Mapped[int] = mapped_column(default=0)
    failed: Mapped[int] = mapped_column(default=0)
    message: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    created_by: Mapped[User | None] = relationship()

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.SUCCEEDED, JobStatus.FAILED)

    @property
    def fraction(self) -> float:
        """How much is done, from 0 to 1 (1 once finished)."""
        if self.finished:
            return 1.0
        return min(self.processed / self.total, 1.0) if self.total else 0.0


class MassEditFailure(db.Model):
    """A product a mass edit job could not change, and why."""

    __tablename__ = "mass_edit_failure"
    __table_args__ = (Index("ix_mass_edit_failure_job", "job_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[int] = mapped_column(ForeignKey("mass_edit_job.id", ondelete="CASCADE"))
    #: no foreign key: the product may be gone (deleted since, or by the job itself)
    product_id: Mapped[int | None]
    identifier: Mapped[str] = mapped_column(String(255))
    reason: Mapped[str] = mapped_column(Text)
