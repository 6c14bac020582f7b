"""Attribute groups, typed attributes and their options."""

from __future__ import annotations

import enum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.types import JSONType


class AttributeType(enum.StrEnum):
    """The kinds of value an attribute holds (see :mod:`pim.values` for their data shape)."""

    IDENTIFIER = "identifier"
    TEXT = "text"
    TEXTAREA = "textarea"
    NUMBER = "number"
    METRIC = "metric"
    PRICE = "price"
    BOOLEAN = "boolean"
    DATE = "date"
    SIMPLE_SELECT = "simple_select"
    MULTI_SELECT = "multi_select"
    ASSET_COLLECTION = "asset_collection"


class AttributeGroup(db.Model):
    """A named section of the product editor (marketing, composition, logistics…)."""

    __tablename__ = "attribute_group"

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)
    sort_order: Mapped[int] = mapped_column(default=0)

    attributes: Mapped[list[Attribute]] = relationship(
        back_populates="group", order_by="Attribute.sort_order"
    )


class Attribute(db.Model):
    """A typed property of products, optionally per locale and/or per channel."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    type: Mapped[str] = mapped_column(String(30))
    group_id: Mapped[int] = mapped_column(ForeignKey("attribute_group.id"))
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)
    sort_order: Mapped[int] = mapped_column(default=0)
    localizable: Mapped[bool] = mapped_column(default=False)
    scopable: Mapped[bool] = mapped_column(default=False)
    is_unique: Mapped[bool] = mapped_column(default=False)
    # validation rules; a None means "no rule"
    max_length: Mapped[int | None]
    regex: Mapped[str | None] = mapped_column(String(255))
    min_value: Mapped[str | None] = mapped_column(String(40))
    max_value: Mapped[str | None] = mapped_column(String(40))
    decimals_allowed: Mapped[bool] = mapped_column(default=True)
    #: textarea only: rich text (sanitised HTML) instead of plain text
    rich_text: Mapped[bool] = mapped_column(default=False)
    #: metric only: unit family (``Weight``, ``Length``…) and the unit shown by default
    metric_family: Mapped[str | None] = mapped_column(String(40))
    default_unit: Mapped[str | None] = mapped_column(String(40))
    #: sources allowed to write this attribute through imports, highest precedence first
    #: (``supplier:*`` matches every supplier); None uses the catalogue's default order
    sources: Mapped[list | None] = mapped_column(JSONType)

    group: Mapped[AttributeGroup] = relationship(back_populates="attributes")
    options: Mapped[list[AttributeOption]] = relationship(
        back_populates="attribute",
        cascade="all, delete-orphan",
        order_by="(AttributeOption.sort_order, AttributeOption.code)",
    )

    def label(self, locale: str | None) -> str:
        """The label in ``locale``, else any label, else the code."""
        return _label(self.labels, locale, self.code)


class AttributeOption(db.Model):
    """A choice of a simple or multi select attribute."""

    __tablename__ = "attribute_option"
    __table_args__ = (UniqueConstraint("attribute_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(100))
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)
    sort_order: Mapped[int] = mapped_column(default=0)
    #: optional colour swatch as ``#rrggbb``
    swatch: Mapped[str | None] = mapped_column(String(7))

    attribute: Mapped[Attribute] = relationship(back_populates="options")

    def label(self, locale: str | None) -> str:
        return _label(self.labels, locale, self.code)


def _label(labels: dict, locale: str | None, fallback: str) -> str:
    if locale and labels.get(locale):
        return labels[locale]
    return next((text for text in labels.values() if text), fallback)
