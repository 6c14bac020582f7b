"""Versions: who changed what, when and through which source, with a snapshot to revert to."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pim.extensions import db
from pim.models.types import JSONType, UTCDateTime, utcnow


class Source(enum.StrEnum):
    """Where a change came from."""

    UI = "ui"
    API = "api"
    IMPORT = "import"
    SYSTEM = "system"
    MASS_EDIT = "mass_edit"
    TRANSLATION = "translation"


class Version(db.Model):
    """One recorded change of a product, model or structure entity."""

    __table_args__ = (
        Index("ix_version_resource", "resource_type", "resource_id", "number", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    resource_type: Mapped[str] = mapped_column(String(40))
    resource_id: Mapped[int]
    resource_key: Mapped[str] = mapped_column(String(255))
    number: Mapped[int]
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    #: the author's e-mail (or a system name) kept even when the user is deleted
    author: Mapped[str] = mapped_column(String(254), default="system")
    source: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    #: ``{field: {"old": …, "new": …}}``
    changes: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: the full state after the change, used to revert
    snapshot: Mapped[dict] = mapped_column(JSONType, default=dict)
    comment: Mapped[str | None] = mapped_column(Text)
