"""Locales, currencies and channels (a channel is also the *scope* of scopable values)."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.types import JSONType

channel_locale = Table(
    "channel_locale",
    db.metadata,
    Column("channel_id", ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
    Column("locale_id", ForeignKey("locale.id", ondelete="CASCADE"), primary_key=True),
)

channel_currency = Table(
    "channel_currency",
    db.metadata,
    Column("channel_id", ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True),
    Column("currency_id", ForeignKey("currency.id", ondelete="CASCADE"), primary_key=True),
)


class Locale(db.Model):
    """A content locale such as ``fr_FR``; active when a channel uses it."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)

    channels: Mapped[list[Channel]] = relationship(
        secondary=channel_locale, back_populates="locales"
    )


class Currency(db.Model):
    """An ISO 4217 currency that prices may be expressed in."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(3), unique=True)
    enabled: Mapped[bool] = mapped_column(default=True)


class Channel(db.Model):
    """A destination (web shop, marketplace, print) and the scope of scopable values."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)
    category_tree_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL")
    )

    locales: Mapped[list[Locale]] = relationship(
        secondary=channel_locale, back_populates="channels", order_by="Locale.code"
    )
    currencies: Mapped[list[Currency]] = relationship(
        secondary=channel_currency, order_by="Currency.code"
    )
    category_tree = relationship("Category")

    @property
    def locale_codes(self) -> list[str]:
        return [locale.code for locale in self.locales]

    @property
    def currency_codes(self) -> list[str]:
        return [currency.code for currency in self.currencies]


class StructureRevision(db.Model):
    """One row whose token changes with every structure write (cache invalidation).

    Processes cache the structure snapshot per token; a random token (not a counter) means
    a rolled-back change can never be mistaken for a later committed one.
    """

    __tablename__ = "structure_revision"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32))
