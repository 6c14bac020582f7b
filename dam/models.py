"""DAM tables: assets, their file versions, rights, product links, renditions, collections.

An asset's file is content-addressed in storage (``originals/ab/cd/<sha256>``); every
replacement adds an :class:`AssetVersion` and the asset mirrors its current version's
facts (size, type, dimensions). Renditions are unique per (asset, version, preset,
fingerprint), so a preset change or a new version never serves a stale picture.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.types import JSONType, UTCDateTime, utcnow


class AssetStatus(enum.StrEnum):
    """Lifecycle of an asset; ``expired`` is also derived from ``valid_until``."""

    DRAFT = "draft"
    APPROVED = "approved"
    ARCHIVED = "archived"
    EXPIRED = "expired"


#: Moves an editor may make (``expired`` is set by the daily job or a new end date).
STATUS_TRANSITIONS = {
    AssetStatus.DRAFT: {AssetStatus.APPROVED, AssetStatus.ARCHIVED},
    AssetStatus.APPROVED: {AssetStatus.DRAFT, AssetStatus.ARCHIVED},
    AssetStatus.ARCHIVED: {AssetStatus.DRAFT, AssetStatus.APPROVED},
    AssetStatus.EXPIRED: {AssetStatus.ARCHIVED},
}


class LicenceType(enum.StrEnum):
    UNKNOWN = "unknown"
    OWNED = "owned"
    LICENSED = "licensed"
    ROYALTY_FREE = "royalty_free"
    CC0 = "cc0"
    CC_BY = "cc_by"
    CC_BY_SA = "cc_by_sa"
    CC_BY_ND = "cc_by_nd"
    CC_BY_NC = "cc_by_nc"
    CC_BY_NC_SA = "cc_by_nc_sa"
    CC_BY_NC_ND = "cc_by_nc_nd"


class ReleaseStatus(enum.StrEnum):
    """PLUS model/property release status."""

    UNKNOWN = "unknown"
    NONE = "none"
    NOT_APPLICABLE = "not_applicable"
    LIMITED = "limited"
    UNLIMITED = "unlimited"


class LinkRole(enum.StrEnum):
    MAIN = "main"
    GALLERY = "gallery"
    SWATCH = "swatch"
    ON_MODEL = "on_model"
    DETAIL = "detail"
    SIZE_CHART = "size_chart"
    SPEC_SHEET = "spec_sheet"


collection_member = Table(
    "asset_collection_member",
    db.metadata,
    Column(
        "collection_id", ForeignKey("asset_collection.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("asset_id", ForeignKey("asset.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_asset_collection_member_asset_id", "asset_id"),
)


class AssetCollection(db.Model):
    """A named set of assets (a shoot, a season, a campaign)."""

    __tablename__ = "asset_collection"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    label: Mapped[str] = mapped_column(String(255), default="")


class Asset(db.Model):
    """A picture, video or document with its rights and lifecycle."""

    __tablename__ = "asset"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    #: stable public code (product values and feeds name assets by it)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    # facts of the current version
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))  # image | video | document
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int | None]
    height: Mapped[int | None]
    frames: Mapped[int | None]
    pages: Mapped[int | None]
    duration: Mapped[float | None] = mapped_column(Float)
    current_version: Mapped[int] = mapped_column(default=1)
    #: non-fatal flags (e.g. truncated image data) shown wherever the asset is
    problems: Mapped[list] = mapped_column(JSONType, default=list)
    #: extracted embedded metadata: {"exif": {}, "iptc": {}, "xmp": {}, "conflicts": []}
    embedded: Mapped[dict] = mapped_column(JSONType, default=dict)

    status: Mapped[str] = mapped_column(String(20), default=AssetStatus.DRAFT, index=True)
    title: Mapped[dict] = mapped_column(JSONType, default=dict)  # locale → text
    alt_text: Mapped[dict] = mapped_column(JSONType, default=dict)  # locale → text
    tags: Mapped[list] = mapped_column(JSONType, default=list)
    focal_x: Mapped[float | None] = mapped_column(Float)
    focal_y: Mapped[float | None] = mapped_column(Float)

    # rights
    copyright_holder: Mapped[str] = mapped_column(String(500), default="")
    copyright_notice: Mapped[str] = mapped_column(String(1000), default="")
    creator: Mapped[str] = mapped_column(String(500), default="")
    credit_line: Mapped[str] = mapped_column(String(500), default="")
    licensor: Mapped[str] = mapped_column(String(500), default="")
    licence_type: Mapped[str] = mapped_column(String(30), default=LicenceType.UNKNOWN)
    usage_terms: Mapped[str] = mapped_column(Text, default="")
    web_statement: Mapped[str] = mapped_column(String(2000), default="")
    #: channel codes the asset may be used on; empty means every channel
    allowed_channels: Mapped[list] = mapped_column(JSONType, default=list)
    #: ISO 3166-1 alpha-2 codes; empty means worldwide
    allowed_territories: Mapped[list] = mapped_column(JSONType, default=list)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_until: Mapped[date | None] = mapped_column(Date, index=True)
    model_release: Mapped[str] = mapped_column(String(20), default=ReleaseStatus.UNKNOWN)
    property_release: Mapped[str] = mapped_column(String(20), default=ReleaseStatus.UNKNOWN)

    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    #: soft deletion: in the trash since then (restorable), purged later
    deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    row_version: Mapped[int] = mapped_column(default=1)

    versions: Mapped[list[AssetVersion]] = relationship(
        back_populates="asset",
        cascade="all, delete-orphan",
        order_by="AssetVersion.number",
        passive_deletes=True,
    )
    links: Mapped[list[AssetLink]] = relationship(
        back_populates="asset", cascade="all, delete-orphan", passive_deletes=True
    )
    collections: Mapped[list[AssetCollection]] = relationship(
        secondary=collection_member, order_by="AssetCollection.code"
    )

    __mapper_args__ = {"version_id_col": row_version}

    def __repr__(self) -> str:
        return f"<Asset {self.code} {self.filename!r}>"


class AssetVersion(db.Model):
    """One file an asset has had; the newest is the asset's current file."""

    __tablename__ = "asset_version"
    __table_args__ = (
        UniqueConstraint("asset_id", "number", name="one_number"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"))
    number: Mapped[int]
    storage_key: Mapped[str] = mapped_column(String(300), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    width: Mapped[int | None]
    height: Mapped[int | None]
    frames: Mapped[int | None]
    pages: Mapped[int | None]
    duration: Mapped[float | None] = mapped_column(Float)
    problems: Mapped[list] = mapped_column(JSONType, default=list)
    embedded: Mapped[dict] = mapped_column(JSONType, default=dict)
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    comment: Mapped[str] = mapped_column(String(500), default="")

    asset: Mapped[Asset] = relationship(back_populates="versions")


class AssetLink(db.Model):
    """An asset shown on a product or a product model, with a role and an order."""

    __tablename__ = "asset_link"
    __table_args__ = (
        CheckConstraint("(product_id IS NULL) <> (product_model_id IS NULL)", name="one_owner"),
        UniqueConstraint("asset_id", "product_id", name="once_per_product"),
        UniqueConstraint("asset_id", "product_model_id", name="once_per_model"),
        Index("ix_asset_link_owner_product", "product_id", "position"),
        Index("ix_asset_link_owner_model", "product_model_id", "position"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    product_model_id: Mapped[int | None] = mapped_column(
        ForeignKey("product_model.id", ondelete="CASCADE")
    )
    role: Mapped[str] = mapped_column(String(20), default=LinkRole.GALLERY)
    position: Mapped[int] = mapped_column(default=0)
    #: the asset collection attribute this link fills (None: shown, not a value)
    attribute: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    asset: Mapped[Asset] = relationship(back_populates="links")


class Rendition(db.Model):
    """A derived file of one asset version for one preset (as the preset was then)."""

    __tablename__ = "rendition"
    __table_args__ = (
        UniqueConstraint("asset_id", "version", "preset", "fingerprint", name="one_rendition"),
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    asset_id: Mapped[int] = mapped_column(ForeignKey("asset.id", ondelete="CASCADE"), index=True)
    version: Mapped[int]
    preset: Mapped[str] = mapped_column(String(40))
    fingerprint: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20), default="ready")  # ready | failed
    storage_key: Mapped[str | None] = mapped_column(String(300))
    content_type: Mapped[str | None] = mapped_column(String(100))
    width: Mapped[int | None]
    height: Mapped[int | None]
    size: Mapped[int | None] = mapped_column(BigInteger)
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
