"""Product models and products: batched writes through :mod:`pim.services.bulk`.

Models are read whole so that root models are written before sub-models; products are
streamed in batches. Whether a row was created, updated or already up to date is read
from the row versions before and after each batch. Associations come in a second pass,
once every product and model of the directory exists (the bulk services refuse links on
new products): products' links right after the products, models' links at the very end.
A link to something that does not exist is left out with a warning.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from pim.imports.akeneo.context import Context
from pim.imports.akeneo.media import link_media
from pim.imports.akeneo.reading import cell, read_rows
from pim.imports.akeneo.rows import (
    MODEL_FIELDS,
    MODEL_IGNORED,
    PRODUCT_FIELDS,
    PRODUCT_IGNORED,
    RowPlan,
    RowPlanner,
)
from pim.imports.akeneo.structure import faults_of
from pim.imports.akeneo.summary import Fault
from pim.models import Product, ProductModel
from pim.services import bulk, product_models, products
from pim.services.common import chunks
from pim.services.errors import DomainError

BATCH = 500
MODELS_FILE = "product_models.csv"


@dataclass(frozen=True)
class Entity:
    """How to write and find one kind of row."""

    owner_type: str
    model: type
    key: str
    write_many: Callable
    get: Callable
    update: Callable


PRODUCTS = Entity(
    "product",
    Product,
    "identifier",
    bulk.import_products,
    products.get_product,
    products.update_product,
)
MODELS = Entity(
    "product_model",
    ProductModel,
    "code",
    bulk.import_product_models,
    product_models.get_model,
    product_models.update_model,
)


@dataclass(frozen=True)
class PendingLinks:
    """What the association pass needs of a written row (kept small: products stream)."""

    line: int
    key: str
    status: str
    links: dict
    columns: dict

    @classmethod
    def of(cls, plans: list[RowPlan]) -> list[PendingLinks]:
        """The written rows of ``plans`` that have associations."""
        return [
            cls(p.line, p.key, p.status, p.links, p.link_columns)
            for p in plans
            if p.links and p.status
        ]


def import_product_models(ctx: Context, name: str) -> None:
    """Write root models, then sub-models; their links wait for :func:`finish`."""
    planner = RowPlanner(ctx, name, MODEL_FIELDS, MODEL_IGNORED)
    rows = list(read_rows(ctx, name))
    if ctx.stopped_by == name:
        return  # a refused file writes nothing
    roots = [row for row in rows if not cell(row, "parent")]
    subs = [row for row in rows if cell(row, "parent")]
    done = 0
    for phase in (roots, subs):
        for chunk in chunks(phase, BATCH):
            planner.lineages.load(cell(row, "parent") for row in chunk)
            plans = [planner.plan_model(row) for row in chunk]
            write_batch(ctx, name, plans, MODELS)
            ctx.pending_model_links += PendingLinks.of(plans)
            done += len(chunk)
            ctx.progress(name, done)
    planner.report_ignored()


def import_products(ctx: Context, name: str) -> None:
    """Stream products in batches, then write their associations."""
    identifier = _identifier_code(ctx)
    fields = dict(PRODUCT_FIELDS, **({identifier: "identifier"} if identifier else {}))
    planner = RowPlanner(ctx, name, fields, PRODUCT_IGNORED)
    linked, done = [], 0
    for chunk in chunks(read_rows(ctx, name), BATCH):
        planner.lineages.load(cell(row, "parent") for row in chunk)
        plans = [planner.plan_product(row) for row in chunk]
        write_batch(ctx, name, plans, PRODUCTS)
        linked += PendingLinks.of(plans)
        done += len(chunk)
        ctx.progress(name, done)
    write_links(ctx, name, linked, PRODUCTS)
    planner.report_ignored()


def finish(ctx: Context) -> None:
    """The models' associations, now that every product exists."""
    write_links(ctx, MODELS_FILE, ctx.pending_model_links, MODELS)
    ctx.pending_model_links = []


def _identifier_code(ctx: Context) -> str | None:
    attributes = ctx.structure().attributes.values()
    return next((a.code for a in attributes if a.type == "identifier"), None)


def write_batch(ctx: Context, name: str, plans: list[RowPlan], entity: Entity) -> None:
    """Write the good rows of a batch; report refused ones with their columns."""
    for plan in plans:
        if plan.faults:
            ctx.summary.fail(name, plan.line, plan.key, plan.faults)
    good = [plan for plan in plans if not plan.faults]
    if not good:
        return
    keys = [plan.key for plan in good]
    before = _versions(ctx.session, entity, keys)
    result = entity.write_many(ctx.session, [plan.payload for plan in good], ctx.actor)
    failed = {index: reason for index, _key, reason in result.failed}
    after = _versions(ctx.session, entity, keys)
    structure = ctx.structure()
    for index, plan in enumerate(good):
        if index in failed:
            ctx.summary.fail(name, plan.line, plan.key, plan.explain(structure, failed[index]))
            continue
        plan.status = _status(before.get(plan.key), after.get(plan.key))
        ctx.summary.counts(name).add(plan.status)
        for warning in plan.warnings:
            ctx.summary.warn(name, plan.line, plan.key, warning)
    link_media(ctx, name, entity.owner_type, [plan for plan in good if plan.status])


def _versions(session, entity: Entity, keys: list[str]) -> dict[str, int]:
    column = getattr(entity.model, entity.key)
    query = select(column, entity.model.version).where(column.in_(keys))
    return dict(session.execute(query).all())


def _status(before: int | None, after: int | None) -> str:
    if before is None:
        return "created"
    return "updated" if after != before else "skipped"


def write_links(ctx: Context, name: str, plans: list[PendingLinks], entity: Entity) -> None:
    """Set the associations of written rows; unknown targets are left out with a warning."""
    for plan in plans:
        links = _known_targets(ctx, name, plan, entity)
        try:
            with ctx.session.begin_nested():
                owner = entity.get(ctx.session, plan.key)
                version = entity.update(ctx.session, owner, {"associations": links}, ctx.actor)
        except DomainError as error:
            for fault in faults_of(error):
                ctx.summary.error(name, plan.line, plan.key, fault)
            continue
        if version is not None and plan.status == "skipped":
            counts = ctx.summary.counts(name)
            counts.skipped -= 1
            counts.updated += 1


def _known_targets(ctx: Context, name: str, plan: PendingLinks, owner: Entity) -> dict:
    links = {}
    for kind, targets in plan.links.items():
        links[kind] = {}
        for target, entity in (("products", PRODUCTS), ("product_models", MODELS)):
            wanted = targets[target]
            found = set(_versions(ctx.session, entity, wanted)) if wanted else set()
            if entity is owner:
                found.discard(plan.key)  # an item cannot be linked to itself
            missing = [code for code in wanted if code not in found]
            if missing:
                _unlinked(ctx, name, plan, plan.columns[(kind, target)], missing)
            links[kind][target] = [code for code in wanted if code in found]
    return links


def _unlinked(ctx: Context, name: str, plan: PendingLinks, column: str, missing) -> None:
    reason = f"not found: {', '.join(missing)}; these links were not imported"
    ctx.summary.warn(name, plan.line, plan.key, Fault(column, ",".join(missing), reason))
