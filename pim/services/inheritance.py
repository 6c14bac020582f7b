"""Variant inheritance: a product's effective values are its ancestors' plus its own.

Each level of a family variant owns distinct attributes, so merging is a union; the root
model comes first so that a value set (wrongly) at two levels resolves to the lowest one.
"""

from __future__ import annotations

from sqlalchemy import select

from pim.models import Product, ProductModel


def merge_values(*levels: dict) -> dict:
    """Union of values documents, root first."""
    merged: dict = {}
    for values in levels:
        merged.update(values or {})
    return merged


def ancestors(model: ProductModel | None) -> list[ProductModel]:
    """The model chain from the root down to ``model`` (inclusive)."""
    chain = []
    while model is not None:
        chain.append(model)
        model = model.parent
    return chain[::-1]


def effective_values(product: Product | ProductModel) -> dict:
    """Merged values of a product or model and its ancestors."""
    chain = ancestors(product.parent)
    return merge_values(*(m.values for m in chain), product.values)


def value_owners(product: Product | ProductModel) -> dict[str, str]:
    """Attribute code → code of the model that holds it, for inherited values only."""
    owners: dict[str, str] = {}
    for model in ancestors(product.parent):
        owners.update(dict.fromkeys(model.values or {}, model.code))
    return owners


class ModelValues:
    """Loads model values for many products at once (bulk completeness, exports)."""

    def __init__(self, session):
        self.session = session
        self._cache: dict[int, tuple[int | None, dict]] = {}

    def load(self, model_ids) -> None:
        """Fetch the given models and their parents into the cache."""
        missing = {mid for mid in model_ids if mid is not None and mid not in self._cache}
        while missing:
            rows = self.session.execute(
                select(ProductModel.id, ProductModel.parent_id, ProductModel.values).where(
                    ProductModel.id.in_(missing)
                )
            )
            parents = set()
            for id_, parent_id, values in rows:
                self._cache[id_] = (parent_id, values or {})
                if parent_id is not None and parent_id not in self._cache:
                    parents.add(parent_id)
            missing = parents

    def merged(self, parent_id: int | None, own: dict) -> dict:
        """Effective values of a product whose parent model is ``parent_id``."""
        chain = []
        while parent_id is not None:
            parent_id, values = self._cache[parent_id]
            chain.append(values)
        return merge_values(*reversed(chain), own)
