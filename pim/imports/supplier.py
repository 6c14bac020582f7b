"""Supplier portal queries: the products a supplier's sources created."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from pim.imports import profiles
from pim.models import Completeness, Family, Product, User


@dataclass
class ProductRow:
    """One line of "My products"."""

    id: int
    identifier: str
    family: str | None
    enabled: bool
    completeness: int | None
    updated_at: datetime


def sources_of(session, user: User) -> list[str]:
    """The sources of the profiles the user may use."""
    return sorted({p.source for p in profiles.visible_profiles(session, user)})


def products_page(
    session, sources: list[str], after: int | None, size: int
) -> tuple[list[ProductRow], bool]:
    """One page of products of ``sources`` after the id cursor, and whether more follow."""
    if not sources:
        return [], False
    query = (
        select(Product.id, Product.identifier, Family.code, Product.enabled, Product.updated_at)
        .outerjoin(Family, Family.id == Product.family_id)
        .where(Product.source.in_(sources))
        .order_by(Product.id)
        .limit(size + 1)
    )
    if after is not None:
        query = query.where(Product.id > after)
    found = session.execute(query).all()
    ratios = _average_completeness(session, [r.id for r in found[:size]])
    rows = [ProductRow(*r[:4], ratios.get(r.id), r.updated_at) for r in found]
    return rows[:size], len(found) > size


def _average_completeness(session, product_ids: list[int]) -> dict[int, int]:
    """Average completeness over every channel and locale, per product (one query)."""
    if not product_ids:
        return {}
    query = (
        select(Completeness.product_id, func.avg(Completeness.ratio))
        .where(Completeness.product_id.in_(product_ids))
        .group_by(Completeness.product_id)
    )
    return {pid: round(float(ratio)) for pid, ratio in session.execute(query)}
