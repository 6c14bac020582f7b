"""Stored completeness per product × channel × locale, kept true by every write path."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from pim.extensions import db
from pim.models.types import JSONType


class Completeness(db.Model):
    """How complete a product is for one channel and locale, and what is missing."""

    __table_args__ = (
        Index("ix_completeness_channel_locale_ratio", "channel_id", "locale_id", "ratio"),
    )

    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True
    )
    locale_id: Mapped[int] = mapped_column(
        ForeignKey("locale.id", ondelete="CASCADE"), primary_key=True
    )
    required: Mapped[int]
    missing_count: Mapped[int]
    #: whole percent, rounded down so that 100 means truly complete
    ratio: Mapped[int]
    #: codes of the missing required attributes, in attribute order
    missing: Mapped[list] = mapped_column(JSONType, default=list)
