"""Parent models of the rows being imported, and the values their levels own.

Akeneo exports a variant product (or a sub-model) with its ancestors' values too. Vitrine
stores each value on the level that owns it, so such values are left out of the row; when
one differs from what the parent model holds, a warning says the model's value is kept.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from pim.models import ProductModel
from pim.services.inheritance import ancestors, effective_values
from pim.services.structure_cache import FamilySpec, FamilyVariantSpec, Structure
from pim.values import normalize_data


@dataclass(frozen=True)
class Lineage:
    """A stored model: its family variant, its level (0 root, 1 sub-model), its values."""

    code: str
    family: FamilySpec
    variant: FamilyVariantSpec
    level: int
    #: effective values (the model's and its parent's)
    values: dict
    #: level → code of the model holding that level's values (0: root, 1: sub-model)
    owners: dict


class Lineages:
    """Stored models by code, loaded on demand and kept for the whole file."""

    def __init__(self, session, structure: Structure):
        self.session = session
        self.structure = structure
        self._known: dict[str, Lineage | None] = {}

    def load(self, codes) -> None:
        """Fetch the models named by ``codes`` (and their parents) in one query."""
        wanted = {c for c in codes if c and c not in self._known}
        if not wanted:
            return
        query = (
            select(ProductModel)
            .where(ProductModel.code.in_(wanted))
            .options(selectinload(ProductModel.parent), selectinload(ProductModel.family_variant))
        )
        for model in self.session.scalars(query):
            variant = self.structure.family_variants[model.family_variant.code]
            family = self.structure.families[variant.family]
            owners = {level: m.code for level, m in enumerate(ancestors(model))}
            self._known[model.code] = Lineage(
                model.code, family, variant, model.level, effective_values(model), owners
            )
        for code in wanted:
            self._known.setdefault(code, None)

    def get(self, code: str) -> Lineage | None:
        """The stored model ``code``, or None when it does not exist."""
        self.load([code])
        return self._known[code]


def owned_above(variant: FamilyVariantSpec | None, level: int, family: FamilySpec, code: str):
    """Whether attribute ``code`` belongs to a level above ``level`` (a parent model)."""
    if variant is None or code not in family.attributes:
        return False
    return variant.level_of(code) < level


def differs_from_parent(structure: Structure, entry: dict, code: str, parent_values: dict):
    """Whether a row's value differs from the one its parent model holds."""
    attr = structure.attributes[code]
    try:
        data = normalize_data(structure, attr, entry["data"])
    except ValueError:
        return True
    for stored in parent_values.get(code, []):
        if (stored["locale"], stored["scope"]) == (entry["locale"], entry["scope"]):
            return stored["data"] != data
    return data is not None
