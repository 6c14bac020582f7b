"""Families (attribute sets with per-channel requirements) and family variants."""

from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.attributes import Attribute
from pim.models.types import JSONType

family_attribute = Table(
    "family_attribute",
    db.metadata,
    Column("family_id", ForeignKey("family.id", ondelete="CASCADE"), primary_key=True),
    Column("attribute_id", ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True),
)


class Family(db.Model):
    """The kind of product (t-shirts, dresses…): which attributes and which are required."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)
    label_attribute_id: Mapped[int | None] = mapped_column(
        ForeignKey("attribute.id", ondelete="SET NULL")
    )
    image_attribute_id: Mapped[int | None] = mapped_column(
        ForeignKey("attribute.id", ondelete="SET NULL")
    )

    attributes: Mapped[list[Attribute]] = relationship(
        secondary=family_attribute, order_by="Attribute.sort_order"
    )
    requirements: Mapped[list[FamilyRequirement]] = relationship(
        back_populates="family", cascade="all, delete-orphan"
    )
    label_attribute: Mapped[Attribute | None] = relationship(foreign_keys=[label_attribute_id])
    image_attribute: Mapped[Attribute | None] = relationship(foreign_keys=[image_attribute_id])
    variants: Mapped[list[FamilyVariant]] = relationship(
        back_populates="family", cascade="all, delete-orphan"
    )


class FamilyRequirement(db.Model):
    """Attribute required for completeness of a family's products in a channel."""

    __tablename__ = "family_requirement"

    family_id: Mapped[int] = mapped_column(
        ForeignKey("family.id", ondelete="CASCADE"), primary_key=True
    )
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True
    )
    channel_id: Mapped[int] = mapped_column(
        ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True
    )

    family: Mapped[Family] = relationship(back_populates="requirements")
    attribute: Mapped[Attribute] = relationship()
    channel = relationship("Channel")


class FamilyVariant(db.Model):
    """How a family's products vary: axes and owned attributes per level (1 or 2).

    Attributes not listed at any level belong to the root product model (level 0).
    With one level, products are the level-1 variants; with two, level 1 is a sub-model.
    """

    __tablename__ = "family_variant"

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    family_id: Mapped[int] = mapped_column(ForeignKey("family.id", ondelete="CASCADE"))
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)

    family: Mapped[Family] = relationship(back_populates="variants")
    attribute_sets: Mapped[list[FamilyVariantAttribute]] = relationship(
        cascade="all, delete-orphan", order_by="FamilyVariantAttribute.level"
    )

    @property
    def levels(self) -> int:
        return max((row.level for row in self.attribute_sets), default=0)

    def axes(self, level: int) -> list[str]:
        return [r.attribute.code for r in self.attribute_sets if r.level == level and r.is_axis]

    def owned(self, level: int) -> list[str]:
        """Codes of the attributes (axes included) owned by ``level`` (1 or 2)."""
        return [r.attribute.code for r in self.attribute_sets if r.level == level]


class FamilyVariantAttribute(db.Model):
    """An attribute owned by a level of a family variant; ``is_axis`` marks the axes."""

    __tablename__ = "family_variant_attribute"

    family_variant_id: Mapped[int] = mapped_column(
        ForeignKey("family_variant.id", ondelete="CASCADE"), primary_key=True
    )
    attribute_id: Mapped[int] = mapped_column(
        ForeignKey("attribute.id", ondelete="CASCADE"), primary_key=True
    )
    level: Mapped[int]
    is_axis: Mapped[bool] = mapped_column(default=False)

    attribute: Mapped[Attribute] = relationship()
