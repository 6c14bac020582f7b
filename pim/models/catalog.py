"""Product models, products, their categories, associations and unique values.

Values are one JSON document per product or model in the *standard format*:
``{attribute_code: [{"locale": str|None, "scope": str|None, "data": ...}]}``. A level only
stores the values it owns; a variant's effective values merge its ancestors' (see
:mod:`pim.services.inheritance`).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.categories import Category
from pim.models.families import Family, FamilyVariant
from pim.models.types import JSONType, UTCDateTime, utcnow


class WorkflowStatus(enum.StrEnum):
    """Editorial state of a product or model."""

    DRAFT = "draft"
    IN_REVIEW = "in_review"
    APPROVED = "approved"


#: Allowed workflow moves; anything else is refused with a clear message.
WORKFLOW_TRANSITIONS = {
    WorkflowStatus.DRAFT: {WorkflowStatus.IN_REVIEW},
    WorkflowStatus.IN_REVIEW: {WorkflowStatus.APPROVED, WorkflowStatus.DRAFT},
    WorkflowStatus.APPROVED: {WorkflowStatus.DRAFT, WorkflowStatus.IN_REVIEW},
}


class Lifecycle(enum.StrEnum):
    """Commercial life of an article."""

    NEW = "new"
    ACTIVE = "active"
    PHASE_OUT = "phase_out"
    DISCONTINUED = "discontinued"


product_category = Table(
    "product_category",
    db.metadata,
    Column("product_id", ForeignKey("product.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_product_category_category_id", "category_id"),
)

model_category = Table(
    "product_model_category",
    db.metadata,
    Column("model_id", ForeignKey("product_model.id", ondelete="CASCADE"), primary_key=True),
    Column("category_id", ForeignKey("category.id", ondelete="CASCADE"), primary_key=True),
)


class ProductModel(db.Model):
    """A root model (level 0) or a sub-model (level 1) of a family variant."""

    __tablename__ = "product_model"

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(255), unique=True)
    family_variant_id: Mapped[int] = mapped_column(ForeignKey("family_variant.id"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_model.id", ondelete="CASCADE"), index=True
    )
    values: Mapped[dict] = mapped_column(JSONType, default=dict)
    workflow_status: Mapped[str] = mapped_column(String(20), default=WorkflowStatus.DRAFT)
    version: Mapped[int] = mapped_column(default=1)
    #: the source that created it (owns its values unless ``value_sources`` says otherwise)
    source: Mapped[str | None] = mapped_column(String(64), index=True)
    #: value key (``name-fr_FR-ecommerce``) → source, for values written by another source
    value_sources: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: value key (``name-fr_FR``) → the source text a translation was made from
    #: (``{"from": "en_US", "hash": …}``, see :mod:`pim.services.translation_status`)
    translation_sources: Mapped[dict | None] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __mapper_args__ = {"version_id_col": version}

    family_variant: Mapped[FamilyVariant] = relationship()
    parent: Mapped[ProductModel | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[ProductModel]] = relationship(
        back_populates="parent", passive_deletes="all"
    )
    # the database cascades deletions; services record a version for each deleted item
    products: Mapped[list[Product]] = relationship(back_populates="parent", passive_deletes="all")
    categories: Mapped[list[Category]] = relationship(secondary=model_category)

    @property
    def level(self) -> int:
        return 0 if self.parent_id is None else 1

    @property
    def family(self) -> Family:
        return self.family_variant.family


class Product(db.Model):
    """A sellable article (a variant when it has a parent model), keyed by its identifier."""

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    identifier: Mapped[str] = mapped_column(String(255), unique=True)
    family_id: Mapped[int | None] = mapped_column(ForeignKey("family.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_model.id", ondelete="CASCADE"), index=True
    )
    enabled: Mapped[bool] = mapped_column(default=True)
    values: Mapped[dict] = mapped_column(JSONType, default=dict)
    workflow_status: Mapped[str] = mapped_column(
        String(20), default=WorkflowStatus.DRAFT, index=True
    )
    lifecycle: Mapped[str] = mapped_column(String(20), default=Lifecycle.NEW)
    #: the source that created it (owns its values unless ``value_sources`` says otherwise)
    source: Mapped[str | None] = mapped_column(String(64), index=True)
    #: value key (``name-fr_FR-ecommerce``) → source, for values written by another source
    value_sources: Mapped[dict] = mapped_column(JSONType, default=dict)
    #: value key (``name-fr_FR``) → the source text a translation was made from
    #: (``{"from": "en_US", "hash": …}``, see :mod:`pim.services.translation_status`)
    translation_sources: Mapped[dict | None] = mapped_column(JSONType, default=dict)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    __mapper_args__ = {"version_id_col": version}

    family: Mapped[Family | None] = relationship()
    parent: Mapped[ProductModel | None] = relationship(back_populates="products")
    categories: Mapped[list[Category]] = relationship(secondary=product_category)


class AssociationType(db.Model):
    """A kind of link between products (cross_sell, upsell, substitution, pack…)."""

    __tablename__ = "association_type"
    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)


class Association(db.Model):
    """One directed link from a product or model to a product or model."""

    __table_args__ = (
        CheckConstraint("(owner_product_id IS NULL) <> (owner_model_id IS NULL)", name="one_owner"),
        CheckConstraint(
            "(target_product_id IS NULL) <> (target_model_id IS NULL)", name="one_target"
        ),
        Index("ix_association_owner", "owner_product_id", "owner_model_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    association_type_id: Mapped[int] = mapped_column(
        ForeignKey("association_type.id", ondelete="CASCADE")
    )
    owner_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE")
    )
    owner_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_model.id", ondelete="CASCADE")
    )
    target_product_id: Mapped[int | None] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE")
    )
    target_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_model.id", ondelete="CASCADE")
    )

    association_type: Mapped[AssociationType] = relationship()
    target_product: Mapped[Product | None] = relationship(foreign_keys=[target_product_id])
    target_model: Mapped[ProductModel | None] = relationship(foreign_keys=[target_model_id])


class UniqueValue(db.Model):
    """Enforces unique attributes across products (one row per attribute and value)."""

    __tablename__ = "unique_value"
    __table_args__ = (UniqueConstraint("attribute_id", "data_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attribute_id: Mapped[int] = mapped_column(ForeignKey("attribute.id", ondelete="CASCADE"))
    product_id: Mapped[int] = mapped_column(
        ForeignKey("product.id", ondelete="CASCADE"), index=True
    )
    data_key: Mapped[str] = mapped_column(String(255))
