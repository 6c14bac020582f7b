"""Writes to products: create, update, change workflow, delete, revert.

Every write validates the whole new state first (nothing is changed when anything is
wrong), then applies it, records a version, refreshes completeness and unique values,
and flushes. The caller commits.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from pim import events
from pim.models import (
    WORKFLOW_TRANSITIONS,
    Family,
    Lifecycle,
    Product,
    ProductModel,
    UniqueValue,
    WorkflowStatus,
)
from pim.models.types import utcnow
from pim.services import common, completeness, history, translation_status, value_sources
from pim.services.actors import Actor
from pim.services.errors import ConflictError, InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure
from pim.values import normalize_values

RESOURCE = "product"
PAYLOAD_KEYS = {
    "identifier",
    "family",
    "parent",
    "enabled",
    "categories",
    "workflow_status",
    "lifecycle",
    "values",
    "associations",
}
MAX_IDENTIFIER_LENGTH = 255


def get_product(session, identifier: str) -> Product:
    """The product with this identifier, or NotFound."""
    product = session.scalar(select(Product).where(Product.identifier == identifier))
    if product is None:
        raise NotFound(_("product %(identifier)r does not exist", identifier=identifier))
    return product


def product_state(session, product: Product) -> dict:
    """The snapshot recorded in versions (and compared to detect no-op writes)."""
    return {
        "identifier": product.identifier,
        "family": product.family.code if product.family else None,
        "parent": product.parent.code if product.parent else None,
        "enabled": product.enabled,
        "workflow_status": product.workflow_status,
        "lifecycle": product.lifecycle,
        "categories": sorted(c.code for c in product.categories),
        "values": product.values or {},
        "associations": common.associations_state(session, product_id=product.id)
        if product.id
        else {},
    }


@dataclass
class _Plan:
    """The validated new state of a product, ready to apply."""

    state: dict
    family: Family | None
    parent: ProductModel | None
    categories: list | None
    associations: dict | None
    unique_keys: dict


def create_product(session, payload: dict, actor: Actor, structure: Structure | None = None):
    """Create a product from a standard-format payload (``identifier`` required)."""
    structure = structure or Structure.current(session)
    identifier = payload.get("identifier") if isinstance(payload, dict) else None
    subject = f"product {identifier!r}" if isinstance(identifier, str) else "new product"
    problems = identifier_problems(session, identifier)
    if problems:
        raise InvalidData(subject, problems)
    product = Product(identifier=identifier, values={}, enabled=True, source=actor.source)
    plan = _plan(session, structure, product, payload, subject, replace_values=True)
    translation_status.track(product, {}, plan.state["values"], structure)
    product.created_at = utcnow()
    session.add(product)
    _apply(session, structure, product, plan)
    history.record(
        session,
        resource_type=RESOURCE,
        resource_id=product.id,
        resource_key=product.identifier,
        snapshot=plan.state,
        actor=actor,
    )
    events.emit(session, events.PRODUCT_CREATED, events.product_data(identifier, product.version))
    return product


def update_product(
    session,
    product: Product,
    payload: dict,
    actor: Actor,
    *,
    expected_version: int | None = None,
    structure: Structure | None = None,
    replace_values: bool = False,
    comment: str | None = None,
    reverting: bool = False,
):
    """Apply a partial update; return the new Version, or None when nothing changed.

    Values merge per (attribute, locale, scope) unless ``replace_values``. A stale
    ``expected_version`` raises ConflictError listing what others saved since.
    """
    subject = f"product {product.identifier!r}"
    if expected_version is not None and expected_version != product.version:
        raise ConflictError(
            subject,
            expected_version,
            product.version,
            history.versions_since(session, RESOURCE, product.id, expected_version),
        )
    structure = structure or Structure.current(session)
    before = product_state(session, product)
    plan = _plan(session, structure, product, payload, subject, replace_values=replace_values)
    if plan.state == before:
        return None
    if actor.source in GUARDED_SOURCES and not reverting:
        check_transition(subject, before["workflow_status"], plan.state["workflow_status"])
    if plan.state["identifier"] != product.identifier:
        problems = identifier_problems(session, plan.state["identifier"])
        if problems:
            raise InvalidData(subject, problems)
        product.identifier = plan.state["identifier"]
    value_sources.track(product, before["values"], plan.state["values"], actor.source)
    translation_status.track(product, before["values"], plan.state["values"], structure)
    _apply(session, structure, product, plan)
    data = events.product_data(product.identifier, product.version)
    events.emit(session, events.PRODUCT_UPDATED, data)
    return history.record(
        session,
        resource_type=RESOURCE,
        resource_id=product.id,
        resource_key=product.identifier,
        snapshot=plan.state,
        before=before,
        actor=actor,
        comment=comment,
    )


#: Sources whose workflow moves must follow WORKFLOW_TRANSITIONS (imports and the system
#: may set any status, e.g. when migrating a catalogue).
GUARDED_SOURCES = {"ui", "api", "mass_edit", "translation"}


def check_transition(subject: str, current: str, new: str) -> None:
    """Refuse a workflow move that :data:`WORKFLOW_TRANSITIONS` does not allow."""
    if new != current and new not in {s.value for s in WORKFLOW_TRANSITIONS[current]}:
        raise InvalidData(
            subject,
            [
                Problem(
                    _("cannot go from %(current)s to %(new)s", current=current, new=new),
                    field="workflow_status",
                )
            ],
        )


def change_workflow(session, product: Product, status: str, actor: Actor, comment=None):
    """Move a product through draft → in_review → approved (or back), as allowed."""
    check_transition(f"product {product.identifier!r}", product.workflow_status, status)
    return update_product(session, product, {"workflow_status": status}, actor, comment=comment)


def delete_product(session, product: Product, actor: Actor) -> None:
    """Delete a product; a final version keeps who deleted it and its last state."""
    history.record(
        session,
        resource_type=RESOURCE,
        resource_id=product.id,
        resource_key=product.identifier,
        snapshot={"deleted": True},
        before=product_state(session, product),
        actor=actor,
    )
    data = events.product_data(product.identifier, product.version)
    events.emit(session, events.PRODUCT_DELETED, data)
    session.delete(product)
    session.flush()


def flush_or_conflict(session, subject: str, expected_version: int) -> None:
    """Flush; a concurrent commit of the same row (version check) becomes a ConflictError.

    The session must be rolled back afterwards, as after any failed flush.
    """
    try:
        session.flush()
    except StaleDataError:
        raise ConflictError(subject, expected_version, expected_version + 1) from None


def _revert(session, version, actor: Actor):
    product = session.get(Product, version.resource_id)
    if product is None:
        raise NotFound(
            _("product %(resource_key)r no longer exists", resource_key=version.resource_key)
        )
    payload = {k: v for k, v in version.snapshot.items() if k in PAYLOAD_KEYS}
    return update_product(
        session,
        product,
        payload,
        actor,
        replace_values=True,
        reverting=True,
        comment=f"reverted to version {version.number}",
    )


history.register_reverter(RESOURCE, _revert)


def identifier_problems(session, identifier, check_taken: bool = True) -> list[Problem]:
    """Why ``identifier`` cannot be used (empty when it can)."""
    if not isinstance(identifier, str) or not identifier.strip():
        return [Problem(_("an identifier is required"), field="identifier")]
    if identifier != identifier.strip() or any(c in identifier for c in "\x00\r\n\t,;"):
        return [
            Problem(
                _(
                    "must not contain spaces at the ends, commas, semicolons, "
                    "tabs, line breaks or NUL bytes"
                ),
                field="identifier",
            )
        ]
    if len(identifier) > MAX_IDENTIFIER_LENGTH:
        return [
            Problem(
                _(
                    "is longer than %(max_identifier_length)s characters",
                    max_identifier_length=MAX_IDENTIFIER_LENGTH,
                ),
                field="identifier",
            )
        ]
    if check_taken and session.scalar(select(Product.id).where(Product.identifier == identifier)):
        return [
            Problem(
                _("%(identifier)r is already used by another product", identifier=identifier),
                field="identifier",
            )
        ]
    return []


def _plan(session, structure, product, payload, subject, *, replace_values) -> _Plan:
    if not isinstance(payload, dict):
        raise InvalidData(subject, [Problem(_("the payload must be an object"))])
    problems = [Problem(_("unknown field"), field=k) for k in payload if k not in PAYLOAD_KEYS]
    state = (
        product_state(session, product)
        if product.id
        else {
            "identifier": product.identifier,
            "family": None,
            "parent": None,
            "enabled": True,
            "workflow_status": WorkflowStatus.DRAFT.value,
            "lifecycle": Lifecycle.NEW.value,
            "categories": [],
            "values": {},
            "associations": {},
        }
    )
    _scalar_fields(payload, state, problems)
    parent = _resolve_parent(session, structure, payload, state, problems)
    family = _resolve_family(session, payload, product, parent, state, problems)
    categories = None
    if "categories" in payload:
        categories = common.resolve_categories(session, payload["categories"], problems)
        state["categories"] = sorted(c.code for c in categories)
    associations = None
    if "associations" in payload:
        associations = common.resolve_associations(
            session, payload["associations"], problems, self_key=state["identifier"]
        )
        state["associations"] = _merged_associations(state["associations"], payload)
    raw = payload.get("values", {})
    values = raw if replace_values else common.merge_raw_values(state["values"], raw)
    known = len(problems)
    values = _check_values(structure, subject, family, parent, values, problems)
    values_ok = len(problems) == known
    state["values"] = values
    unique_keys = _unique_problems(session, structure, product, values, problems)
    if parent is not None and family is not None and values_ok:
        problems += _variant_problems(session, structure, product, parent, values)
    if problems:
        raise InvalidData(subject, problems)
    return _Plan(state, family, parent, categories, associations, unique_keys)


def _scalar_fields(payload, state, problems) -> None:
    if "identifier" in payload:
        state["identifier"] = payload["identifier"]
    if "enabled" in payload:
        if isinstance(payload["enabled"], bool):
            state["enabled"] = payload["enabled"]
        else:
            problems.append(Problem(_("must be true or false"), field="enabled"))
    for name, choices in (("workflow_status", WorkflowStatus), ("lifecycle", Lifecycle)):
        if name in payload:
            if payload[name] in {c.value for c in choices}:
                state[name] = payload[name]
            else:
                allowed = ", ".join(c.value for c in choices)
                problems.append(
                    Problem(_("must be one of %(allowed)s", allowed=allowed), field=name)
                )


def _resolve_parent(session, structure, payload, state, problems):
    code = payload.get("parent", state["parent"])
    if code is None:
        state["parent"] = None
        return None
    parent = session.scalar(select(ProductModel).where(ProductModel.code == code))
    if parent is None:
        problems.append(Problem(_("unknown product model %(code)r", code=code), field="parent"))
        return None
    levels = structure.family_variants[parent.family_variant.code].levels
    if parent.level != levels - 1:
        problems.append(
            Problem(
                _(
                    "%(code)r is not at the last model level of its family variant; attach the "
                    "product to one of its sub-models",
                    code=code,
                ),
                field="parent",
            )
        )
    state["parent"] = code
    return parent


def _resolve_family(session, payload, product, parent, state, problems):
    code = payload.get("family", state["family"])
    if parent is not None:
        parent_family = parent.family_variant.family
        if code not in (None, parent_family.code):
            problems.append(
                Problem(
                    _(
                        "a variant of %(code)r must be in family %(code2)s",
                        code=parent.code,
                        code2=parent_family.code,
                    ),
                    field="family",
                )
            )
        state["family"] = parent_family.code
        return parent_family
    if code is None:
        state["family"] = None
        return None
    family = session.scalar(select(Family).where(Family.code == code))
    if family is None:
        problems.append(Problem(_("unknown family %(code)r", code=code), field="family"))
        return None
    state["family"] = code
    return family


def _check_values(structure, subject, family, parent, values, problems) -> dict:
    family_spec = structure.families.get(family.code) if family else None
    variant = structure.family_variants[parent.family_variant.code] if parent else None
    level = variant.levels if variant else 0
    allowed, why = common.allowed_attributes(structure, family_spec, variant, level)
    try:
        return normalize_values(
            structure, values, subject=subject, allowed=allowed, why_not_allowed=why
        )
    except InvalidData as invalid:
        problems.extend(invalid.problems)
        return {}


def _merged_associations(current: dict, payload: dict) -> dict:
    state = dict(current)
    for type_code, targets in payload["associations"].items():
        if isinstance(targets, dict):
            state[type_code] = {
                "products": sorted(set(targets.get("products", []))),
                "product_models": sorted(set(targets.get("product_models", []))),
            }
    return {k: v for k, v in state.items() if v["products"] or v["product_models"]}


def _unique_problems(session, structure, product, values, problems) -> dict:
    keys = {}
    for code, entries in values.items():
        attr = structure.attributes[code]
        if attr.unique and entries:
            keys[attr.id] = str(entries[0]["data"])[:255]
    if not keys:
        return keys
    taken = session.execute(
        select(UniqueValue.attribute_id, UniqueValue.data_key, UniqueValue.product_id)
        .where(UniqueValue.attribute_id.in_(keys))
        .where(UniqueValue.data_key.in_(keys.values()))
    )
    by_id = {spec.id: spec.code for spec in structure.attributes.values()}
    for attr_id, key, owner_id in taken:
        if keys.get(attr_id) == key and owner_id != product.id:
            other = session.get(Product, owner_id)
            problems.append(
                Problem(
                    _(
                        "%(key)r is already used by product %(identifier)r (the attribute is "
                        "unique)",
                        key=key,
                        identifier=other.identifier,
                    ),
                    attribute=by_id[attr_id],
                )
            )
    return keys


def _variant_problems(session, structure, product, parent, values) -> list[Problem]:
    variant = structure.family_variants[parent.family_variant.code]
    level = variant.levels
    problems = common.axis_problems(variant, level, values)
    if problems:
        return problems
    mine = common.axis_key(variant, level, values)
    siblings = session.execute(
        select(Product.identifier, Product.values).where(
            Product.parent_id == parent.id, Product.id != product.id
        )
        if product.id
        else select(Product.identifier, Product.values).where(Product.parent_id == parent.id)
    )
    for identifier, other_values in siblings:
        if common.axis_key(variant, level, other_values or {}) == mine:
            axes = ", ".join(variant.axes.get(level, ()))
            return [
                Problem(
                    _(
                        "variant %(identifier)r of %(code)r already has these values for the "
                        "axes (%(axes)s): %(codes)s",
                        identifier=identifier,
                        code=parent.code,
                        axes=axes,
                        codes=", ".join(map(str, mine)),
                    ),
                    field="values",
                )
            ]
    return []


def _apply(session, structure, product: Product, plan: _Plan) -> None:
    state = plan.state
    product.family = plan.family
    product.parent = plan.parent
    product.enabled = state["enabled"]
    product.workflow_status = state["workflow_status"]
    product.lifecycle = state["lifecycle"]
    product.values = state["values"]
    if plan.categories is not None:
        product.categories = plan.categories
    product.updated_at = utcnow()
    flush_or_conflict(session, f"product {product.identifier!r}", product.version)
    if plan.associations is not None:
        common.write_associations(session, plan.associations, product_id=product.id)
    session.execute(
        delete(UniqueValue).where(UniqueValue.product_id == product.id),
        execution_options={"synchronize_session": "fetch"},
    )
    if plan.unique_keys:
        rows = [
            {"attribute_id": a, "data_key": k, "product_id": product.id}
            for a, k in plan.unique_keys.items()
        ]
        try:
            with session.begin_nested():
                session.execute(insert(UniqueValue), rows)
        except IntegrityError:
            # another transaction took the value between our check and this insert
            raise InvalidData(
                _("product %(identifier)r", identifier=product.identifier),
                [Problem(_("a unique value was just taken by another save; reload and retry"))],
            ) from None
    completeness.refresh_products(session, structure, [product.id])
