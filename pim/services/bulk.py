"""Bulk writes for imports, the demo generator and batch APIs: thousands of products per
second with the same validation, versions and completeness as single writes.

New products are validated in Python against a structure snapshot and written with
multi-row INSERTs per batch (products, categories, unique values, versions,
completeness). Existing products go through :func:`pim.services.products.update_product`
so that merge rules, conflicts and no-op detection stay in one place. A batch runs in a
savepoint: if the database refuses it, the batch is retried item by item so one bad row
cannot take good ones down with it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from flask_babel import gettext as _
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from pim import events
from pim.models import (
    Category,
    Completeness,
    Family,
    Lifecycle,
    Product,
    ProductModel,
    UniqueValue,
    Version,
    WorkflowStatus,
    model_category,
    product_category,
)
from pim.models.types import utcnow
from pim.search import changes as search_changes
from pim.services import common, completeness, product_models, products, translation_status
from pim.services.actors import Actor
from pim.services.errors import DomainError, InvalidData, Problem
from pim.services.history import diff_states
from pim.services.inheritance import ModelValues
from pim.services.structure_cache import Structure
from pim.values import normalize_values


class _ModelRow(NamedTuple):
    id: int
    parent_id: int | None
    family_variant_id: int


@dataclass
class BulkResult:
    """Counts of a bulk write and, for each refused item, its index, key and reason
    (``problems`` keeps the detailed problems of items refused by validation)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: list[tuple[int, str, str]] = field(default_factory=list)
    problems: dict[int, list[Problem]] = field(default_factory=dict)

    def add(self, other: BulkResult) -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.failed += other.failed
        self.problems.update(other.problems)

    def refuse(self, index: int, key, error: DomainError) -> None:
        """Count item ``index`` as failed because of ``error``."""
        self.failed.append((index, str(key), str(error)))
        if isinstance(error, InvalidData):
            self.problems[index] = error.problems


def import_product_models(
    session,
    payloads: Iterable[dict],
    actor: Actor,
    batch_size: int = 1000,
    structure: Structure | None = None,
) -> BulkResult:
    """Create or update product models in batches (roots before their sub-models).

    New models without associations are validated in Python and inserted with multi-row
    INSERTs; existing ones (and new ones with associations) go through
    :mod:`pim.services.product_models` one by one.
    """
    return model_writer(session, actor, structure).write(payloads, batch_size)


def model_writer(session, actor: Actor, structure: Structure | None = None) -> _ModelWriter:
    """A product model writer whose caches last across calls (one per import run)."""
    return _ModelWriter(session, structure or Structure.current(session), actor)


class _BatchWriter:
    """What both batch writers share: caches, value and category checks, version 1 rows."""

    def __init__(self, session, structure: Structure, actor: Actor):
        self.session = session
        self.structure = structure
        self.actor = actor
        self.categories = dict(session.execute(select(Category.code, Category.id)).all())
        self.category_codes = {id_: code for code, id_ in self.categories.items()}
        self._allowed: dict = {}

    def write(self, payloads: Iterable[dict], batch_size: int = 1000) -> BulkResult:
        """Write ``payloads`` in batches; failures are indexed from 0 in ``payloads``."""
        result = BulkResult()
        offset = 0
        for batch in common.chunks(payloads, batch_size):
            result.add(self.write_batch(batch, offset))
            offset += len(batch)
        return result

    def _values(self, values, subject, family, variant, level, problems) -> dict:
        key = (family.code if family else None, variant.code if variant else None, level)
        if key not in self._allowed:
            self._allowed[key] = common.allowed_attributes(self.structure, family, variant, level)
        allowed, why = self._allowed[key]
        try:
            return normalize_values(
                self.structure, values, subject=subject, allowed=allowed, why_not_allowed=why
            )
        except InvalidData as invalid:
            problems += invalid.problems
            return {}

    def _category_ids(self, codes, problems) -> list[int]:
        if not isinstance(codes, list):
            problems.append(Problem(_("must be a list of category codes"), field="categories"))
            return []
        unknown = [c for c in codes if c not in self.categories]
        if unknown:
            problems.append(
                Problem(
                    _("unknown categories: %(codes)s", codes=", ".join(map(str, unknown))),
                    field="categories",
                )
            )
        return [self.categories[c] for c in dict.fromkeys(codes) if c in self.categories]

    def _first_version(self, resource_type: str, resource_id: int, key: str, snapshot, now):
        """The row of version 1 of a resource created in bulk."""
        return {
            "resource_type": resource_type,
            "resource_id": resource_id,
            "resource_key": key,
            "number": 1,
            "author_id": self.actor.user_id,
            "author": self.actor.name,
            "source": self.actor.source,
            "created_at": now,
            "changes": diff_states(None, snapshot),
            "snapshot": snapshot,
            "comment": None,
        }


class _ModelWriter(_BatchWriter):
    """Batched creation of product models; see :func:`import_product_models`."""

    def write_batch(self, batch: list, offset: int) -> BulkResult:
        result = BulkResult()
        codes = [p.get("code") for p in batch if isinstance(p, dict)]
        existing = set(
            self.session.scalars(
                select(ProductModel.code).where(
                    ProductModel.code.in_([c for c in codes if isinstance(c, str)])
                )
            )
        )
        fresh, seen = [], set()
        for i, payload in enumerate(batch):
            code = payload.get("code") if isinstance(payload, dict) else None
            exists = isinstance(code, str) and (code in existing or code in seen)
            if exists or (isinstance(payload, dict) and "associations" in payload):
                # write what came before, then this one through the careful path, in order
                self._create_many(fresh, result)
                fresh, seen = [], set()
                self._one_by_one(payload, offset + i, exists, result)
                if isinstance(code, str):
                    existing.add(code)
            else:
                fresh.append((offset + i, payload))
                if isinstance(code, str):
                    seen.add(code)
        self._create_many(fresh, result)
        return result

    def _one_by_one(self, payload, index, exists, result) -> None:
        code = str(payload.get("code"))
        try:
            with self.session.begin_nested():
                if not exists:
                    product_models.create_model(self.session, payload, self.actor, self.structure)
                    result.created += 1
                    return
                model = product_models.get_model(self.session, code)
                changes = {
                    k: v
                    for k, v in payload.items()
                    if k not in ("code", "family_variant", "parent")
                }
                version = product_models.update_model(
                    self.session, model, changes, self.actor, structure=self.structure
                )
                result.updated += version is not None
                result.unchanged += version is None
        except DomainError as error:
            result.refuse(index, code, error)

    def _create_many(self, items: list, result: BulkResult) -> None:
        if not items:
            return
        parents = self._parents(items)
        planned, axes = [], self._stored_axes(parents)
        for index, payload in items:
            code = payload.get("code") if isinstance(payload, dict) else None
            try:
                plan = self._plan(payload, parents, axes)
            except InvalidData as error:
                result.refuse(index, code, error)
                continue
            plan["index"] = index
            planned.append(plan)
            if plan["row"]["parent_id"] is None:
                parents[plan["state"]["code"]] = (None, None, plan["state"]["family_variant"])
        try:
            with self.session.begin_nested():
                self._insert(planned, parents)
            result.created += len(planned)
        except IntegrityError:
            # a concurrent writer took a code: fall back to the careful path for this batch
            for plan in planned:
                self._one_by_one(plan["payload"], plan["index"], False, result)

    def _parents(self, items: list) -> dict:
        """Parent code → (id, parent_id, family variant code) for the parents named."""
        codes = {p.get("parent") for _, p in items if isinstance(p, dict)}
        codes = [c for c in codes if isinstance(c, str)]
        by_id = {spec.id: spec.code for spec in self.structure.family_variants.values()}
        rows = self.session.execute(
            select(
                ProductModel.code,
                ProductModel.id,
                ProductModel.parent_id,
                ProductModel.family_variant_id,
            ).where(ProductModel.code.in_(codes))
        )
        return {code: (id_, parent_id, by_id[fv]) for code, id_, parent_id, fv in rows}

    def _stored_axes(self, parents: dict) -> dict:
        """(parent code, axis values) → code of the stored sub-model that has them."""
        by_id = {row[0]: (code, row[2]) for code, row in parents.items() if row[0] is not None}
        seen = {}
        for parent_id, code, values in self.session.execute(
            select(ProductModel.parent_id, ProductModel.code, ProductModel.values).where(
                ProductModel.parent_id.in_(by_id)
            )
        ):
            parent_code, fv_code = by_id[parent_id]
            variant = self.structure.family_variants[fv_code]
            seen[(parent_code, common.axis_key(variant, 1, values or {}))] = code
        return seen

    def _plan(self, payload, parents: dict, axes: dict) -> dict:
        if not isinstance(payload, dict):
            raise InvalidData(_("item"), [Problem(_("must be an object"))])
        code = payload.get("code")
        subject = f"product model {code!r}"
        problems = [
            Problem(_("unknown field"), field=k)
            for k in payload
            if k not in product_models.PAYLOAD_KEYS
        ]
        if not isinstance(code, str) or not code.strip() or len(code) > 255 or "\x00" in code:
            problems.append(Problem(_("a code is required (at most 255 characters)"), field="code"))
        variant, parent = self._lineage(payload, parents, problems)
        status = payload.get("workflow_status", WorkflowStatus.DRAFT.value)
        if status not in {s.value for s in WorkflowStatus}:
            problems.append(Problem(_("unknown workflow status"), field="workflow_status"))
        categories = self._category_ids(payload.get("categories", []), problems)
        values = {}
        if variant is not None:
            family = self.structure.families[variant.family]
            level = 0 if parent is None else 1
            values = self._values(
                payload.get("values") or {}, subject, family, variant, level, problems
            )
        key = None
        if variant is not None and parent is not None and not problems:
            problems += common.axis_problems(variant, 1, values)
            key = (parent, common.axis_key(variant, 1, values))
            if key in axes:
                problems.append(
                    Problem(
                        _(
                            "sub-model %(value)r of %(parent)r already has these axis values: "
                            "%(codes)s",
                            value=axes[key],
                            parent=parent,
                            codes=", ".join(map(str, key[1])),
                        ),
                        field="values",
                    )
                )
        if problems:
            raise InvalidData(subject, problems)
        if key is not None:
            axes[key] = code
        state = {
            "code": code,
            "family_variant": variant.code,
            "parent": parent,
            "workflow_status": status,
            "categories": sorted(self.category_codes[c] for c in categories),
            "values": values,
            "associations": {},
        }
        row = {
            "code": code,
            "family_variant_id": variant.id,
            "parent_id": None,
            "values": values,
            "workflow_status": status,
            "source": self.actor.source,
            "value_sources": {},
            "translation_sources": translation_status.first_stamps(values, self.structure),
        }
        return {
            "index": None,
            "payload": payload,
            "state": state,
            "row": row,
            "categories": categories,
        }

    def _lineage(self, payload, parents: dict, problems):
        parent = payload.get("parent")
        if parent is None:
            variant = self.structure.family_variants.get(payload.get("family_variant"))
            if variant is None:
                problems.append(
                    Problem(
                        _("a known family variant (or a parent model) is required"),
                        field="family_variant",
                    )
                )
            return variant, None
        if parent not in parents:
            problems.append(
                Problem(_("unknown product model %(parent)r", parent=parent), field="parent")
            )
            return None, None
        _model_id, grandparent, fv_code = parents[parent]
        variant = self.structure.family_variants[fv_code]
        if grandparent is not None:
            problems.append(Problem(_("a sub-model's parent must be a root model"), field="parent"))
        if variant.levels < 2:
            problems.append(
                Problem(
                    _(
                        "family variant %(fv_code)s has one level: attach products to the root "
                        "model",
                        fv_code=fv_code,
                    ),
                    field="parent",
                )
            )
        return variant, parent

    def _insert(self, planned: list, parents: dict) -> None:
        now = utcnow()
        roots = [p for p in planned if p["state"]["parent"] is None]
        subs = [p for p in planned if p["state"]["parent"] is not None]
        table = ProductModel.__table__
        for group in (roots, subs):
            if not group:
                continue
            rows = []
            for plan in group:
                row = dict(plan["row"], created_at=now, updated_at=now, version=1)
                if plan["state"]["parent"] is not None:
                    row["parent_id"] = parents[plan["state"]["parent"]][0]
                rows.append(row)
            inserted = self.session.execute(insert(table).returning(table.c.id, table.c.code), rows)
            ids = {code: id_ for id_, code in inserted}
            search_changes.touch(self.session, "model", ids.values())
            for plan in group:
                code = plan["state"]["code"]
                plan["id"] = ids[code]
                if plan["state"]["parent"] is None:
                    parents[code] = (ids[code], None, plan["state"]["family_variant"])
        links = [{"model_id": p["id"], "category_id": c} for p in planned for c in p["categories"]]
        if links:
            self.session.execute(insert(model_category), links)
        versions = [
            self._first_version(
                product_models.RESOURCE, p["id"], p["state"]["code"], p["state"], now
            )
            for p in planned
        ]
        if versions:
            self.session.execute(insert(Version.__table__), versions)


def import_products(
    session,
    payloads: Iterable[dict],
    actor: Actor,
    batch_size: int = 1000,
    structure: Structure | None = None,
) -> BulkResult:
    """Create or update products in batches; see the module docstring."""
    return product_writer(session, actor, structure).write(payloads, batch_size)


def product_writer(session, actor: Actor, structure: Structure | None = None) -> _ProductWriter:
    """A product writer whose caches (families, categories, parent models) last across
    calls (one per import run)."""
    return _ProductWriter(session, structure or Structure.current(session), actor)


class _ProductWriter(_BatchWriter):
    """Holds per-import caches (families, categories, models) across batches."""

    def __init__(self, session, structure: Structure, actor: Actor):
        super().__init__(session, structure, actor)
        self.families = dict(session.execute(select(Family.code, Family.id)).all())
        self.models = ModelValues(session)
        self._model_rows: dict[str, tuple] = {}

    def write_batch(self, batch: list, offset: int) -> BulkResult:
        result = BulkResult()
        keys = [p.get("identifier") if isinstance(p, dict) else None for p in batch]
        existing = dict(
            self.session.execute(
                select(Product.identifier, Product.id).where(
                    Product.identifier.in_([k for k in keys if isinstance(k, str)])
                )
            ).all()
        )
        fresh, seen = [], set()
        for i, payload in enumerate(batch):
            key = keys[i]
            if isinstance(key, str) and key in seen:
                # the same identifier twice: write what came before, then update in order
                self._create_many(fresh, result)
                fresh, seen = [], set()
                self._update_one(payload, offset + i, result)
            elif isinstance(key, str) and key in existing:
                self._update_one(payload, offset + i, result)
            else:
                fresh.append((offset + i, payload))
                if isinstance(key, str):
                    seen.add(key)
        if fresh:
            self._create_many(fresh, result)
        return result

    def _update_one(self, payload: dict, index: int, result: BulkResult) -> None:
        key = payload["identifier"]
        try:
            with self.session.begin_nested():
                product = products.get_product(self.session, key)
                changes = {k: v for k, v in payload.items() if k != "identifier"}
                version = products.update_product(
                    self.session, product, changes, self.actor, structure=self.structure
                )
            result.updated += version is not None
            result.unchanged += version is None
        except DomainError as error:
            result.refuse(index, key, error)

    def _prefetch_models(self, items: list) -> None:
        codes = {p.get("parent") for _, p in items if isinstance(p, dict)}
        codes = [c for c in codes if isinstance(c, str) and c not in self._model_rows]
        if codes:
            rows = self.session.execute(
                select(
                    ProductModel.code,
                    ProductModel.id,
                    ProductModel.parent_id,
                    ProductModel.family_variant_id,
                ).where(ProductModel.code.in_(codes))
            )
            for code, *row in rows:
                self._model_rows[code] = _ModelRow(*row)

    def _create_many(self, items: list, result: BulkResult) -> None:
        self._prefetch_models(items)
        planned = []
        for index, payload in items:
            try:
                planned.append((index, self._plan(payload)))
            except InvalidData as error:
                key = payload.get("identifier") if isinstance(payload, dict) else None
                result.refuse(index, key, error)
        planned = self._drop_batch_conflicts(planned, result)
        if not planned:
            return
        try:
            with self.session.begin_nested():
                self._insert(planned)
            result.created += len(planned)
        except IntegrityError:
            # something in the batch collided (e.g. a concurrent writer): isolate it
            for index, plan in planned:
                try:
                    with self.session.begin_nested():
                        self._insert([(index, plan)])
                    result.created += 1
                except IntegrityError as error:
                    result.failed.append(
                        (index, plan["row"]["identifier"], f"refused by the database: {error.orig}")
                    )

    def _model(self, code: str):
        if code not in self._model_rows:
            self._prefetch_models([(None, {"parent": code})])
            self._model_rows.setdefault(code, None)
        return self._model_rows[code]

    def _plan(self, payload) -> dict:
        if not isinstance(payload, dict):
            raise InvalidData(_("item"), [Problem(_("must be an object"))])
        identifier = payload.get("identifier")
        subject = f"product {identifier!r}"
        problems = [
            Problem(_("unknown field"), field=k) for k in payload if k not in products.PAYLOAD_KEYS
        ]
        problems += products.identifier_problems(self.session, identifier, check_taken=False)
        if "associations" in payload:
            problems.append(
                Problem(
                    _("set associations after the products exist (update)"), field="associations"
                )
            )
        parent_id, variant, family_code = self._lineage(payload, problems)
        row = self._row(payload, identifier, problems)
        level = variant.levels if variant else 0
        family = self.structure.families.get(family_code) if family_code else None
        values = self._values(
            payload.get("values") or {}, subject, family, variant, level, problems
        )
        if variant is not None and not problems:
            problems += common.axis_problems(variant, level, values)
        category_ids = self._category_ids(payload.get("categories", []), problems)
        if problems:
            raise InvalidData(subject, problems)
        row.update(
            family_id=self.families.get(family_code),
            parent_id=parent_id,
            values=values,
            translation_sources=translation_status.first_stamps(values, self.structure),
        )
        return {
            "row": row,
            "categories": category_ids,
            "variant": variant,
            "family": family_code,
            "parent": payload.get("parent"),
        }

    def _lineage(self, payload, problems):
        parent_code = payload.get("parent")
        family_code = payload.get("family")
        if not parent_code:
            if family_code is not None and family_code not in self.structure.families:
                problems.append(
                    Problem(
                        _("unknown family %(family_code)r", family_code=family_code), field="family"
                    )
                )
            return None, None, family_code
        model = self._model(parent_code)
        if model is None:
            problems.append(
                Problem(
                    _("unknown product model %(parent_code)r", parent_code=parent_code),
                    field="parent",
                )
            )
            return None, None, family_code
        variant = next(
            v for v in self.structure.family_variants.values() if v.id == model.family_variant_id
        )
        if (0 if model.parent_id is None else 1) != variant.levels - 1:
            problems.append(
                Problem(
                    _("%(parent_code)r is not at the last model level", parent_code=parent_code),
                    field="parent",
                )
            )
        if family_code not in (None, variant.family):
            problems.append(
                Problem(
                    _(
                        "a variant of %(parent_code)r must be in family %(family)s",
                        parent_code=parent_code,
                        family=variant.family,
                    ),
                    field="family",
                )
            )
        return model.id, variant, variant.family

    def _row(self, payload, identifier, problems) -> dict:
        row = {
            "identifier": identifier,
            "enabled": payload.get("enabled", True),
            "workflow_status": payload.get("workflow_status", WorkflowStatus.DRAFT.value),
            "lifecycle": payload.get("lifecycle", Lifecycle.NEW.value),
            "source": self.actor.source,
            "value_sources": {},
        }
        if not isinstance(row["enabled"], bool):
            problems.append(Problem(_("must be true or false"), field="enabled"))
        if row["workflow_status"] not in {s.value for s in WorkflowStatus}:
            problems.append(Problem(_("unknown workflow status"), field="workflow_status"))
        if row["lifecycle"] not in {s.value for s in Lifecycle}:
            problems.append(Problem(_("unknown lifecycle stage"), field="lifecycle"))
        return row

    def _unique_keys(self, values) -> dict:
        return {
            self.structure.attributes[c].id: str(e[0]["data"])[:255]
            for c, e in values.items()
            if self.structure.attributes[c].unique and e
        }

    def _drop_batch_conflicts(self, planned, result) -> list:
        """Refuse axis duplicates and unique-value collisions, in the batch and stored."""
        kept, axes_seen, unique_seen = [], self._stored_axes(planned), self._stored_unique(planned)
        for index, plan in planned:
            row, variant = plan["row"], plan["variant"]
            problem = None
            if variant is not None:
                axis = (row["parent_id"], common.axis_key(variant, variant.levels, row["values"]))
                if axis in axes_seen:
                    problem = (
                        f"variant {axes_seen[axis]!r} of {plan['parent']!r} already has "
                        f"these axis values: {', '.join(map(str, axis[1]))}"
                    )
                axes_seen.setdefault(axis, row["identifier"])
            for attr_id, key in self._unique_keys(row["values"]).items():
                holder = unique_seen.setdefault((attr_id, key), row["identifier"])
                if holder != row["identifier"]:
                    problem = f"{key!r} is already used by product {holder!r} (unique attribute)"
            if problem:
                result.failed.append(
                    (index, row["identifier"], f"product {row['identifier']!r}: {problem}")
                )
            else:
                kept.append((index, plan))
        return kept

    def _stored_axes(self, planned) -> dict:
        parents = {p["row"]["parent_id"] for _, p in planned if p["variant"] is not None}
        seen = {}
        variants = {p["row"]["parent_id"]: p["variant"] for _, p in planned if p["variant"]}
        if parents:
            for parent_id, identifier, values in self.session.execute(
                select(Product.parent_id, Product.identifier, Product.values).where(
                    Product.parent_id.in_(parents)
                )
            ):
                variant = variants[parent_id]
                seen[(parent_id, common.axis_key(variant, variant.levels, values or {}))] = (
                    identifier
                )
        return seen

    def _stored_unique(self, planned) -> dict:
        wanted = {k for _, p in planned for k in self._unique_keys(p["row"]["values"]).items()}
        if not wanted:
            return {}
        rows = self.session.execute(
            select(UniqueValue.attribute_id, UniqueValue.data_key, Product.identifier)
            .join(Product, Product.id == UniqueValue.product_id)
            .where(
                # the attribute first, so the (attribute_id, data_key) index is used
                UniqueValue.attribute_id.in_({a for a, _ in wanted}),
                UniqueValue.data_key.in_({k for _, k in wanted}),
            )
        )
        return {(a, k): ident for a, k, ident in rows if (a, k) in wanted}

    def _insert(self, planned: list) -> None:
        now = utcnow()
        rows = [dict(plan["row"], created_at=now, updated_at=now, version=1) for _, plan in planned]
        table = Product.__table__
        ids = self.session.execute(
            insert(table).returning(table.c.id, table.c.identifier),
            rows,
        ).all()
        id_of = {ident: id_ for id_, ident in ids}
        search_changes.touch(self.session, "product", id_of.values())
        created = (events.product_data(identifier, 1) for identifier in id_of)
        events.emit_many(self.session, events.PRODUCT_CREATED, created)
        links, uniques, versions, scores = [], [], [], []
        self.models.load({r["parent_id"] for r in rows})
        family_codes = {spec.id: code for code, spec in self.structure.families.items()}
        for (_key, plan), row in zip(planned, rows, strict=True):
            pid = id_of[row["identifier"]]
            links += [{"product_id": pid, "category_id": c} for c in plan["categories"]]
            uniques += [
                {"attribute_id": a, "data_key": k, "product_id": pid}
                for a, k in self._unique_keys(row["values"]).items()
            ]
            versions.append(self._version(pid, plan, now))
            merged = self.models.merged(row["parent_id"], row["values"])
            results = completeness.compute(
                self.structure, family_codes.get(row["family_id"]), merged
            )
            scores += completeness._rows(self.structure, pid, results)
        for table, data in (
            (product_category, links),
            (UniqueValue.__table__, uniques),
            (Version.__table__, versions),
            (Completeness.__table__, scores),
        ):
            if data:
                self.session.execute(insert(table), data)

    def _version(self, product_id: int, plan: dict, now) -> dict:
        row = plan["row"]
        codes = self.category_codes
        snapshot = {
            "identifier": row["identifier"],
            "family": plan["family"],
            "parent": plan["parent"],
            "enabled": row["enabled"],
            "workflow_status": row["workflow_status"],
            "lifecycle": row["lifecycle"],
            "categories": sorted(codes[c] for c in plan["categories"]),
            "values": row["values"],
            "associations": {},
        }
        return self._first_version(products.RESOURCE, product_id, row["identifier"], snapshot, now)
