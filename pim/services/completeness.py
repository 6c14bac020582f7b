"""Completeness per product × channel × locale: computed, stored, and kept true.

Every write path calls one of the ``refresh_*`` functions in the same transaction as the
change, so the stored rows can never lag behind the data: value edits
(:func:`refresh_products`), model edits that flow to variants
(:func:`refresh_model_descendants`), family requirement or attribute changes
(:func:`refresh_family`, :func:`refresh_all`) and channel locale/currency changes
(:func:`refresh_all`). :func:`find_drift` recomputes from scratch and compares.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from sqlalchemy import delete, insert, select

from pim.models import Completeness, Product, ProductModel
from pim.search import changes
from pim.services.common import chunks
from pim.services.inheritance import ModelValues
from pim.services.structure_cache import AttrSpec, ChannelSpec, Structure
from pim.values import is_empty

BATCH = 1000


@dataclass(frozen=True)
class Result:
    """Completeness of one product for one channel and locale."""

    channel: str
    locale: str
    required: int
    missing: tuple[str, ...]

    @property
    def ratio(self) -> int:
        """Whole percent, rounded down: 100 only when nothing is missing."""
        if not self.required:
            return 100
        return (self.required - len(self.missing)) * 100 // self.required


def compute(structure: Structure, family: str | None, values: dict) -> list[Result]:
    """Completeness of effective ``values`` for every channel and locale of the catalogue."""
    plan = structure.requirement_plan.get(family) if family else None
    if plan is None:
        return []
    filled, prices = _filled_keys(values)
    results = []
    for channel, required in plan:
        currencies = set(channel.currencies)
        for locale in channel.locales:
            missing = tuple(
                attr.code
                for attr in required
                if not _has(attr, filled, prices, channel.code, locale, currencies)
            )
            results.append(Result(channel.code, locale, len(required), missing))
    return results


def _filled_keys(values: dict) -> tuple[set, dict]:
    """``(attribute, locale, scope)`` of every non-empty value, and the currencies priced."""
    filled, prices = set(), {}
    for code, entries in values.items():
        for entry in entries:
            data = entry["data"]
            if is_empty(data):
                continue
            key = (code, entry["locale"], entry["scope"])
            filled.add(key)
            if isinstance(data, list) and data and isinstance(data[0], dict):
                prices[key] = {p["currency"] for p in data if not is_empty(p.get("amount"))}
    return filled, prices


def _has(attr: AttrSpec, filled, prices, channel: str, locale: str, currencies) -> bool:
    if attr.type == "identifier":
        return True
    key = (attr.code, locale if attr.localizable else None, channel if attr.scopable else None)
    if attr.type == "price":
        return currencies <= prices.get(key, set())
    return key in filled


def is_filled(attr: AttrSpec, entries, channel: ChannelSpec, locale: str) -> bool:
    """Whether the value of ``attr`` for this channel and locale counts as filled."""
    filled, prices = _filled_keys({attr.code: entries})
    return _has(attr, filled, prices, channel.code, locale, set(channel.currencies))


def _rows(structure: Structure, product_id: int, results: list[Result]) -> Iterator[dict]:
    channel_ids = {code: ch.id for code, ch in structure.channels.items()}
    for result in results:
        yield {
            "product_id": product_id,
            "channel_id": channel_ids[result.channel],
            "locale_id": structure.locales[result.locale],
            "required": result.required,
            "missing_count": len(result.missing),
            "ratio": result.ratio,
            "missing": list(result.missing),
        }


def computed_rows(session, structure: Structure, product_ids: list[int]) -> list[dict]:
    """Completeness rows for the given products, computed from their current values."""
    family_codes = {spec.id: code for code, spec in structure.families.items()}
    products = session.execute(
        select(Product.id, Product.family_id, Product.parent_id, Product.values).where(
            Product.id.in_(product_ids)
        )
    ).all()
    models = ModelValues(session)
    models.load({row.parent_id for row in products})
    rows: list[dict] = []
    for id_, family_id, parent_id, values in products:
        merged = models.merged(parent_id, values or {})
        rows.extend(_rows(structure, id_, compute(structure, family_codes.get(family_id), merged)))
    return rows


def refresh_products(session, structure: Structure, product_ids: Iterable[int]) -> None:
    """Recompute and store completeness of the given products (in batches)."""
    session.flush()
    for batch in chunks(product_ids, BATCH):
        changes.touch(session, "product", batch)
        rows = computed_rows(session, structure, batch)
        # "fetch": drop the deleted rows from the session by key, instead of evaluating
        # the criteria against every object the session holds (quadratic in bulk writes)
        session.execute(
            delete(Completeness).where(Completeness.product_id.in_(batch)),
            execution_options={"synchronize_session": "fetch"},
        )
        if rows:
            session.execute(insert(Completeness), rows)


def refresh_family(session, structure: Structure, family_id: int) -> None:
    """After a family's attributes or requirements changed."""
    session.flush()
    ids = session.scalars(select(Product.id).where(Product.family_id == family_id)).all()
    refresh_products(session, structure, ids)


def refresh_model_descendants(session, structure: Structure, model_id: int) -> None:
    """After a model's values changed: its variants (and its sub-models' variants)."""
    session.flush()
    model_ids = [
        model_id,
        *session.scalars(select(ProductModel.id).where(ProductModel.parent_id == model_id)),
    ]
    ids = session.scalars(select(Product.id).where(Product.parent_id.in_(model_ids))).all()
    refresh_products(session, structure, ids)


def refresh_all(session, structure: Structure) -> None:
    """After channel locales/currencies or attribute definitions changed."""
    session.flush()
    refresh_products(session, structure, session.scalars(select(Product.id)).all())


@dataclass(frozen=True)
class Drift:
    """A stored completeness row that differs from a from-scratch computation."""

    product_id: int
    channel_id: int
    locale_id: int
    stored: dict | None
    expected: dict | None


def find_drift(session, structure: Structure) -> list[Drift]:
    """Recompute every product's completeness and list where the stored rows differ."""
    drift = []
    ids = session.scalars(select(Product.id).order_by(Product.id)).all()
    fields = ("required", "missing_count", "ratio", "missing")
    for batch in chunks(ids, BATCH):
        expected = {
            (r["product_id"], r["channel_id"], r["locale_id"]): {f: r[f] for f in fields}
            for r in computed_rows(session, structure, batch)
        }
        columns = [getattr(Completeness, f) for f in fields]
        stored = {
            (r.product_id, r.channel_id, r.locale_id): {f: getattr(r, f) for f in fields}
            for r in session.execute(
                select(
                    Completeness.product_id,
                    Completeness.channel_id,
                    Completeness.locale_id,
                    *columns,
                ).where(Completeness.product_id.in_(batch))
            )
        }
        for key in sorted(expected.keys() | stored.keys()):
            if expected.get(key) != stored.get(key):
                drift.append(Drift(*key, stored.get(key), expected.get(key)))
    return drift
