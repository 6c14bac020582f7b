"""The standard format: how products and models leave Vitrine (CLI, API, exports).

Keep this shape stable; integrators rely on it. ``values`` holds the *effective* values
(inherited ones included), ``{attribute: [{"locale", "scope", "data"}]}``.
"""

from __future__ import annotations

from sqlalchemy import select

from pim.models import Channel, Completeness, Locale, Product, ProductModel
from pim.services.inheritance import effective_values
from pim.services.product_models import model_state
from pim.services.products import product_state


def product_to_standard(session, product: Product, with_completeness: bool = False) -> dict:
    """A product as a JSON-ready dict in the standard format."""
    data = product_state(session, product)
    data.update(_common(product))
    if with_completeness:
        data["completeness"] = completeness_of(session, product.id)
    return data


def model_to_standard(session, model: ProductModel, with_completeness: bool = False) -> dict:
    """A product model in the standard format; completeness summarises its variants."""
    data = {"family": model.family_variant.family.code, **model_state(session, model)}
    data.update(_common(model))
    if with_completeness:
        data["completeness"] = model_completeness(session, model)
    return data


def _common(item: Product | ProductModel) -> dict:
    """Effective values (inherited included), version and timestamps."""
    return {
        "values": effective_values(item),
        "version": item.version,
        "created": item.created_at.isoformat(),
        "updated": item.updated_at.isoformat(),
    }


def completeness_of(session, product_id: int) -> list[dict]:
    """Stored completeness of one product, sorted by channel then locale."""
    rows = session.execute(
        select(
            Channel.code,
            Locale.code,
            Completeness.ratio,
            Completeness.required,
            Completeness.missing,
        )
        .join(Channel, Channel.id == Completeness.channel_id)
        .join(Locale, Locale.id == Completeness.locale_id)
        .where(Completeness.product_id == product_id)
        .order_by(Channel.code, Locale.code)
    )
    return [
        {
            "channel": ch,
            "locale": loc,
            "ratio": ratio,
            "required": required,
            "missing": list(missing),
        }
        for ch, loc, ratio, required, missing in rows
    ]


def model_completeness(session, model: ProductModel) -> list[dict]:
    """Per channel/locale: how many of the model's variants are complete."""
    model_ids = [
        model.id,
        *session.scalars(select(ProductModel.id).where(ProductModel.parent_id == model.id)),
    ]
    rows = session.execute(
        select(Channel.code, Locale.code, Completeness.ratio)
        .join(Channel, Channel.id == Completeness.channel_id)
        .join(Locale, Locale.id == Completeness.locale_id)
        .join(Product, Product.id == Completeness.product_id)
        .where(Product.parent_id.in_(model_ids))
    )
    summary: dict = {}
    for channel, locale, ratio in rows:
        entry = summary.setdefault((channel, locale), {"complete": 0, "total": 0})
        entry["total"] += 1
        entry["complete"] += ratio == 100
    return [
        {"channel": ch, "locale": loc, **counts} for (ch, loc), counts in sorted(summary.items())
    ]
