"""Writes to product models (root models and sub-models).

A model's values flow to its variants, so every change refreshes the completeness of
all products below it, in the same transaction.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select

from pim.models import FamilyVariant, Product, ProductModel, WorkflowStatus
from pim.models.types import utcnow
from pim.services import (
    common,
    completeness,
    history,
    products,
    translation_status,
    value_sources,
)
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure
from pim.values import normalize_values

RESOURCE = "product_model"
PAYLOAD_KEYS = {
    "code",
    "family_variant",
    "parent",
    "categories",
    "workflow_status",
    "values",
    "associations",
}


def get_model(session, code: str) -> ProductModel:
    """The product model with this code, or NotFound."""
    model = session.scalar(select(ProductModel).where(ProductModel.code == code))
    if model is None:
        raise NotFound(_("product model %(code)r does not exist", code=code))
    return model


def model_state(session, model: ProductModel) -> dict:
    """The snapshot recorded in versions."""
    return {
        "code": model.code,
        "family_variant": model.family_variant.code if model.family_variant else None,
        "parent": model.parent.code if model.parent else None,
        "workflow_status": model.workflow_status,
        "categories": sorted(c.code for c in model.categories),
        "values": model.values or {},
        "associations": common.associations_state(session, model_id=model.id) if model.id else {},
    }


def create_model(session, payload: dict, actor: Actor, structure: Structure | None = None):
    """Create a root model (``family_variant``) or a sub-model (``parent``)."""
    structure = structure or Structure.current(session)
    code = payload.get("code") if isinstance(payload, dict) else None
    subject = f"product model {code!r}"
    if not isinstance(code, str) or not code.strip() or len(code) > 255 or "\x00" in code:
        raise InvalidData(
            subject, [Problem(_("a code is required (at most 255 characters)"), field="code")]
        )
    if session.scalar(select(ProductModel.id).where(ProductModel.code == code)):
        raise InvalidData(
            subject, [Problem(_("%(code)r is already used", code=code), field="code")]
        )
    model = ProductModel(
        code=code, values={}, workflow_status=WorkflowStatus.DRAFT.value, source=actor.source
    )
    state, resolved = _plan(session, structure, model, payload, subject, replace_values=True)
    translation_status.track(model, {}, state["values"], structure)
    model.created_at = utcnow()
    session.add(model)
    _apply(session, structure, model, state, resolved, has_variants=False)
    history.record(
        session,
        resource_type=RESOURCE,
        resource_id=model.id,
        resource_key=model.code,
        snapshot=state,
        actor=actor,
    )
    return model


def update_model(
    session,
    model: ProductModel,
    payload: dict,
    actor: Actor,
    *,
    expected_version: int | None = None,
    structure: Structure | None = None,
    replace_values: bool = False,
    comment: str | None = None,
):
    """Partial update of a model; returns the new Version or None when nothing changed."""
    subject = f"product model {model.code!r}"
    if expected_version is not None and expected_version != model.version:
        raise ConflictError(
            subject,
            expected_version,
            model.version,
            history.versions_since(session, RESOURCE, model.id, expected_version),
        )
    structure = structure or Structure.current(session)
    before = model_state(session, model)
    state, resolved = _plan(
        session, structure, model, payload, subject, replace_values=replace_values
    )
    if state == before:
        return None
    value_sources.track(model, before["values"], state["values"], actor.source)
    translation_status.track(model, before["values"], state["values"], structure)
    _apply(session, structure, model, state, resolved)
    return history.record(
        session,
        resource_type=RESOURCE,
        resource_id=model.id,
        resource_key=model.code,
        snapshot=state,
        before=before,
        actor=actor,
        comment=comment,
    )


def delete_model(session, model: ProductModel, actor: Actor) -> None:
    """Delete a model with its sub-models and variants, recording a version for each."""
    for child in list(model.children):
        delete_model(session, child, actor)
    for product in list(model.products):
        products.delete_product(session, product, actor)
    session.expire(model, ["children", "products"])
    history.record(
        session,
        resource_type=RESOURCE,
        resource_id=model.id,
        resource_key=model.code,
        snapshot={"deleted": True},
        before=model_state(session, model),
        actor=actor,
    )
    session.delete(model)
    session.flush()


def _revert(session, version, actor: Actor):
    model = session.get(ProductModel, version.resource_id)
    if model is None:
        raise NotFound(
            _("product model %(resource_key)r no longer exists", resource_key=version.resource_key)
        )
    payload = {
        k: v
        for k, v in version.snapshot.items()
        if k in PAYLOAD_KEYS and k not in ("code", "family_variant", "parent")
    }
    return update_model(
        session,
        model,
        payload,
        actor,
        replace_values=True,
        comment=f"reverted to version {version.number}",
    )


history.register_reverter(RESOURCE, _revert)


def _plan(session, structure, model, payload, subject, *, replace_values):
    if not isinstance(payload, dict):
        raise InvalidData(subject, [Problem(_("the payload must be an object"))])
    problems = [Problem(_("unknown field"), field=k) for k in payload if k not in PAYLOAD_KEYS]
    state = (
        model_state(session, model)
        if model.id
        else {
            "code": model.code,
            "family_variant": None,
            "parent": None,
            "workflow_status": WorkflowStatus.DRAFT.value,
            "categories": [],
            "values": {},
            "associations": {},
        }
    )
    resolved: dict = {}
    if model.id is None:
        _resolve_lineage(session, payload, state, resolved, problems)
    else:
        for key in ("family_variant", "parent"):
            if key in payload and payload[key] != state[key]:
                problems.append(Problem(_("cannot be changed after creation"), field=key))
        resolved["family_variant"] = model.family_variant
        resolved["parent"] = model.parent
    if "workflow_status" in payload:
        if payload["workflow_status"] in {s.value for s in WorkflowStatus}:
            state["workflow_status"] = payload["workflow_status"]
        else:
            problems.append(Problem(_("unknown workflow status"), field="workflow_status"))
    if "categories" in payload:
        resolved["categories"] = common.resolve_categories(session, payload["categories"], problems)
        state["categories"] = sorted(c.code for c in resolved["categories"])
    if "associations" in payload:
        resolved["associations"] = common.resolve_associations(
            session, payload["associations"], problems, self_key=None
        )
        state["associations"] = {
            t: {
                "products": sorted(set(v.get("products", []))),
                "product_models": sorted(set(v.get("product_models", []))),
            }
            for t, v in payload["associations"].items()
            if isinstance(v, dict)
        } | {t: v for t, v in state["associations"].items() if t not in payload["associations"]}
    raw = payload.get("values", {})
    values = raw if replace_values else common.merge_raw_values(state["values"], raw)
    fv = resolved.get("family_variant")
    if fv is not None:
        state["values"] = _check_values(
            session, structure, subject, model, fv, resolved.get("parent"), values, problems
        )
    if problems:
        raise InvalidData(subject, problems)
    return state, resolved


def _resolve_lineage(session, payload, state, resolved, problems) -> None:
    parent_code = payload.get("parent")
    if parent_code is not None:
        parent = session.scalar(select(ProductModel).where(ProductModel.code == parent_code))
        if parent is None:
            problems.append(
                Problem(
                    _("unknown product model %(parent_code)r", parent_code=parent_code),
                    field="parent",
                )
            )
            return
        if parent.parent_id is not None:
            problems.append(Problem(_("a sub-model's parent must be a root model"), field="parent"))
        levels = {r.level for r in parent.family_variant.attribute_sets}
        if len(levels) < 2:
            problems.append(
                Problem(
                    _(
                        "family variant %(code)s has one level: attach products to the root model",
                        code=parent.family_variant.code,
                    ),
                    field="parent",
                )
            )
        resolved["parent"], resolved["family_variant"] = parent, parent.family_variant
        state["parent"], state["family_variant"] = parent.code, parent.family_variant.code
        return
    code = payload.get("family_variant")
    fv = session.scalar(select(FamilyVariant).where(FamilyVariant.code == code)) if code else None
    if fv is None:
        problems.append(
            Problem(
                f"unknown family variant {code!r}"
                if code
                else "a family variant (or a parent model) is required",
                field="family_variant",
            )
        )
        return
    resolved["family_variant"], resolved["parent"] = fv, None
    state["family_variant"] = fv.code


def _check_values(session, structure, subject, model, fv, parent, values, problems) -> dict:
    variant = structure.family_variants[fv.code]
    family = structure.families[variant.family]
    level = 0 if parent is None else 1
    allowed, why = common.allowed_attributes(structure, family, variant, level)
    try:
        values = normalize_values(
            structure, values, subject=subject, allowed=allowed, why_not_allowed=why
        )
    except InvalidData as invalid:
        problems.extend(invalid.problems)
        return {}
    if level == 1:
        axis_problems = common.axis_problems(variant, 1, values)
        problems.extend(axis_problems)
        if not axis_problems:
            problems.extend(_sibling_problems(session, variant, model, parent, values))
    return values


def _sibling_problems(session, variant, model, parent, values) -> list[Problem]:
    mine = common.axis_key(variant, 1, values)
    query = select(ProductModel.code, ProductModel.values).where(
        ProductModel.parent_id == parent.id
    )
    if model.id:
        query = query.where(ProductModel.id != model.id)
    for code, other in session.execute(query):
        if common.axis_key(variant, 1, other or {}) == mine:
            return [
                Problem(
                    _(
                        "sub-model %(code)r of %(code2)r already has these axis values: %(codes)s",
                        code=code,
                        code2=parent.code,
                        codes=", ".join(map(str, mine)),
                    ),
                    field="values",
                )
            ]
    return []


def _apply(session, structure, model, state: dict, resolved: dict, has_variants=True) -> None:
    model.family_variant = resolved["family_variant"]
    model.parent = resolved.get("parent")
    model.workflow_status = state["workflow_status"]
    model.values = state["values"]
    if "categories" in resolved:
        model.categories = resolved["categories"]
    model.updated_at = utcnow()
    products.flush_or_conflict(session, f"product model {model.code!r}", model.version)
    if "associations" in resolved:
        common.write_associations(session, resolved["associations"], model_id=model.id)
    if has_variants:
        completeness.refresh_model_descendants(session, structure, model.id)


def change_model_workflow(session, model: ProductModel, status: str, actor: Actor, comment=None):
    """Move a model through draft → in_review → approved (or back), as allowed; the same
    rule as :func:`pim.services.products.change_workflow`."""
    products.check_transition(f"product model {model.code!r}", model.workflow_status, status)
    return update_model(session, model, {"workflow_status": status}, actor, comment=comment)


def create_variant(
    session, model: ProductModel, axis_values: dict, actor: Actor, structure=None
) -> Product:
    """Create the variant product of ``model`` with these axis values (attribute code →
    data, for every axis below ``model``), through :func:`products.create_product`.

    Below a root model of a two-level family variant the sub-model with the level-1 axis
    values is used, and created first when missing. Codes and identifiers are derived from
    the parent's code and the axis values (``TS-CREW-RED-XL``), with a number added when
    taken. Raises InvalidData like the creations it makes.
    """
    structure = structure or Structure.current(session)
    variant = structure.family_variants[model.family_variant.code]
    parent = model
    if model.level + 1 < variant.levels:
        parent = _sub_model_for(session, structure, model, variant, axis_values, actor)
    axes = variant.axes.get(variant.levels, ())
    identifier = _free_key(session, Product.identifier, _derived(parent.code, axes, axis_values))
    payload = {"identifier": identifier, "parent": parent.code, "values": _axes(axes, axis_values)}
    return products.create_product(session, payload, actor, structure)


def _sub_model_for(session, structure, model, variant, axis_values, actor) -> ProductModel:
    axes = variant.axes.get(1, ())
    wanted = tuple(str(axis_values.get(axis)) for axis in axes)
    for child in model.children:
        if common.axis_key(variant, 1, child.values or {}) == wanted:
            return child
    code = _free_key(session, ProductModel.code, _derived(model.code, axes, axis_values))
    payload = {"code": code, "parent": model.code, "values": _axes(axes, axis_values)}
    sub = create_model(session, payload, actor, structure)
    session.expire(model, ["children"])
    return sub


def _axes(axes, axis_values: dict) -> dict:
    """The values payload setting ``axes`` (non-localizable, non-scopable by rule)."""
    return {axis: [{"locale": None, "scope": None, "data": axis_values.get(axis)}] for axis in axes}


def _derived(prefix: str, axes, axis_values: dict) -> str:
    parts = [str(axis_values.get(axis) or "").upper() for axis in axes]
    return "-".join([prefix, *(part for part in parts if part)])[:240]


def _free_key(session, column, wanted: str) -> str:
    """``wanted``, or ``wanted-2``, ``wanted-3``… when taken."""
    taken = set(session.scalars(select(column).where(column.like(f"{wanted}%"))))
    if wanted not in taken:
        return wanted
    number = 2
    while f"{wanted}-{number}" in taken:
        number += 1
    return f"{wanted}-{number}"
