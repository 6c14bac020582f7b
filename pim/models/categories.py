"""Category trees: several roots, unlimited depth, labels per locale."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pim.extensions import db
from pim.models.types import JSONType


class Category(db.Model):
    """A node of a category tree.

    ``path`` is the materialised list of ancestor ids (``/1/4/9/``, self included) so that
    subtree queries are one ``LIKE`` and moving a subtree is one ``UPDATE``.
    """

    __table_args__ = {"sqlite_autoincrement": True}  # ids are never reused

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(100), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("category.id", ondelete="CASCADE"))
    labels: Mapped[dict] = mapped_column(JSONType, default=dict)
    sort_order: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(String(1000), default="", index=True)

    parent: Mapped[Category | None] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list[Category]] = relationship(
        back_populates="parent", order_by="(Category.sort_order, Category.code)"
    )

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids from the root down to this category, inclusive."""
        return [int(part) for part in self.path.strip("/").split("/") if part]

    @property
    def depth(self) -> int:
        return len(self.ancestor_ids) - 1
