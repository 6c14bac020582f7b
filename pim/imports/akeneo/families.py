"""Families and family variants (``families.csv``, ``family_variants.csv``).

Families keep their attributes, label attribute (``attribute_as_label``), image attribute
(``attribute_as_image``) and requirements per channel (``requirements-<channel>``); every
reference is checked before the file is written. Family variants keep one or two levels of
axes and attributes; an axis must be a non-localizable, non-scopable select, boolean,
number or metric attribute of the family. The identifier attribute is left out of the
levels (it is the product's key in Vitrine, not a value a level owns). Vitrine cannot
change a family variant yet: one that exists and differs is skipped with a warning.
"""

from __future__ import annotations

from sqlalchemy import select

from pim.imports.akeneo.context import Context
from pim.imports.akeneo.reading import cell, codes, labels, present
from pim.imports.akeneo.structure import (
    Planned,
    apply_planned,
    create_or_update,
    differs,
    plan_rows,
    unknown,
)
from pim.imports.akeneo.summary import Fault
from pim.models import Family, FamilyVariant
from pim.services import structure
from pim.services.structure import AXIS_TYPES
from pim.services.structure_cache import Structure

REQUIREMENTS = "requirements-"
#: payload key → the column it comes from (a file without the column leaves it unchanged)
COLUMNS = {
    "labels": "label-",
    "attributes": "attributes",
    "label_attribute": "attribute_as_label",
    "image_attribute": "attribute_as_image",
}


def _identifier(structure_: Structure) -> str | None:
    return next((a.code for a in structure_.attributes.values() if a.type == "identifier"), None)


# --- families -------------------------------------------------------------------------------


def import_families(ctx: Context, name: str) -> None:
    """Create or update families; unknown attributes or channels refuse the row."""
    current = ctx.structure()
    items = plan_rows(ctx, name, lambda row: _plan_family(row, current))
    apply_planned(ctx, name, items, _write_family)


def _plan_family(row, current: Structure) -> Planned:
    attributes = codes(cell(row, "attributes"))
    faults = unknown("attributes", attributes, current.attributes, "attributes")
    members = set(attributes) | {_identifier(current)}
    payload = {"code": cell(row, "code"), "labels": labels(row), "attributes": attributes}
    for key, column in (
        ("label_attribute", "attribute_as_label"),
        ("image_attribute", "attribute_as_image"),
    ):
        payload[key] = cell(row, column) or None
        if payload[key] and payload[key] not in members:
            faults.append(Fault(column, payload[key], "is not one of the family's attributes"))
    payload["requirements"] = _requirements(row, current, members, faults)
    return Planned(row.line, payload["code"], present(row, payload, COLUMNS), faults)


def _requirements(row, current: Structure, members: set, faults: list[Fault]) -> dict:
    requirements = {}
    for column in row.cells:
        if not column.startswith(REQUIREMENTS):
            continue
        channel, required = column[len(REQUIREMENTS) :], codes(cell(row, column))
        if channel not in current.channels:
            if required:  # an empty column of a channel Vitrine lacks loses nothing
                faults.append(Fault(column, cell(row, column), f"unknown channel {channel!r}"))
            continue
        outside = [code for code in required if code not in members]
        if outside:
            reason = f"not among the family's attributes: {', '.join(outside)}"
            faults.append(Fault(column, ",".join(outside), reason))
        requirements[channel] = required
    return requirements


def _write_family(ctx: Context, item: Planned) -> str:
    return create_or_update(
        ctx,
        Family,
        item,
        structure.create_family,
        structure.update_family,
        lambda family: _family_changes(
            structure.family_state(family), item.payload, ctx.structure()
        ),
    )


def _family_changes(state: dict, payload: dict, current: Structure) -> dict:
    wanted = dict(payload)
    identifier = _identifier(current)
    if "attributes" in payload and identifier:  # the service always adds it
        wanted["attributes"] = [*payload["attributes"], identifier]
    changes = {
        key: payload[key] for key in COLUMNS if key in wanted and differs(state[key], wanted[key])
    }
    if any(
        differs(state["requirements"].get(channel, []), required)
        for channel, required in payload["requirements"].items()
    ):
        changes["requirements"] = payload["requirements"]
    return changes


# --- family variants ------------------------------------------------------------------------


def import_family_variants(ctx: Context, name: str) -> None:
    """Create family variants with one or two levels; bad axes or attributes refuse the row."""
    current = ctx.structure()
    items = plan_rows(ctx, name, lambda row: _plan_variant(row, current))
    apply_planned(ctx, name, items, _write_variant)


def _plan_variant(row, current: Structure) -> Planned:
    family_code = cell(row, "family")
    payload = {"code": cell(row, "code"), "family": family_code, "labels": labels(row)}
    family = current.families.get(family_code)
    if family is None:
        payload["variant_attribute_sets"] = []
        reason = f"unknown family {family_code!r}"
        return Planned(row.line, payload["code"], payload, [Fault("family", family_code, reason)])
    faults: list[Fault] = []
    payload["variant_attribute_sets"] = _levels(row, current, family.attributes, faults)
    return Planned(row.line, payload["code"], payload, faults)


def _levels(row, current: Structure, members, faults: list[Fault]) -> list[dict]:
    levels, owner = [], {}
    identifier = _identifier(current)
    for level in (1, 2):
        axes_column, attrs_column = f"variant-axes_{level}", f"variant-attributes_{level}"
        axes = codes(cell(row, axes_column))
        attributes = [c for c in codes(cell(row, attrs_column)) if c not in (*axes, identifier)]
        if not axes and not attributes:
            continue
        if not axes:
            faults.append(Fault(axes_column, "", f"level {level} needs at least one axis"))
        if len(levels) != level - 1:
            faults.append(Fault(axes_column, ",".join(axes), "level 2 is given without level 1"))
        axis_faults = (_axis_fault(current, axes_column, code, members) for code in axes)
        faults += [fault for fault in axis_faults if fault is not None]
        faults += unknown(attrs_column, attributes, members, "attributes of the family")
        for code in (*axes, *attributes):
            if owner.setdefault(code, level) != level:
                faults.append(Fault(attrs_column, code, f"{code!r} is owned by two levels"))
        levels.append({"level": level, "axes": axes, "attributes": attributes})
    if not levels:
        faults.append(Fault("variant-axes_1", "", "level 1 needs at least one axis"))
    return levels


def _axis_fault(current: Structure, column: str, code: str, members) -> Fault | None:
    attr = current.attributes.get(code)
    if attr is None or code not in members:
        return Fault(column, code, f"{code!r} is not an attribute of the family")
    if attr.type not in AXIS_TYPES or attr.localizable or attr.scopable:
        reason = (
            f"{code!r} cannot be an axis: it must be a non-localizable, non-scopable "
            "simple select, boolean, number or metric attribute"
        )
        return Fault(column, code, reason)
    return None


def _write_variant(ctx: Context, item: Planned) -> str:
    variant = ctx.session.scalar(select(FamilyVariant).where(FamilyVariant.code == item.key))
    if variant is None:
        structure.create_family_variant(ctx.session, item.payload, ctx.actor)
        return "created"
    if structure.family_variant_state(variant) != _variant_state(item.payload):
        reason = "differs from Vitrine's; family variants cannot be changed yet, kept as it is"
        item.warnings.append(Fault(None, None, reason))
    return "skipped"


def _variant_state(payload: dict) -> dict:
    """The payload in the shape of :func:`pim.services.structure.family_variant_state`."""
    levels = [
        {
            "level": level["level"],
            "axes": sorted(level["axes"]),
            "attributes": sorted({*level["axes"], *level["attributes"]}),
        }
        for level in payload["variant_attribute_sets"]
    ]
    return {
        "code": payload["code"],
        "family": payload["family"],
        "labels": payload["labels"],
        "variant_attribute_sets": levels,
    }
