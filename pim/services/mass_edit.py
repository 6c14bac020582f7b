"""Mass edit: one operation applied to many products, run by the queue worker.

An :class:`Operation` (set or clear a value, add or remove options of a multi-select,
change the family, add/remove/replace categories, change the workflow status, add
associations, delete) is checked once when the user asks for it (:func:`check_operation`)
and again when the job starts (the structure may have changed meanwhile). A
:class:`Selection` is the ids the user ticked, or the search query when they chose "all
matching": the job resolves it when it starts.

Each product goes through :mod:`pim.services.products` inside a savepoint, so the usual
validation, workflow rules, versions (source ``mass_edit``), completeness and search
indexing apply, and a refused product is reported with its reason while the others are
changed. The job commits after every batch and publishes live counts in the queue's
storage, like an import job.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import func, select

from pim.extensions import db
from pim.i18n import language_of
from pim.models import (
    AssociationType,
    Family,
    JobStatus,
    MassEditFailure,
    MassEditJob,
    Product,
    ProductModel,
    Source,
    WorkflowStatus,
)
from pim.models.types import utcnow
from pim.queue import current_queue, task
from pim.search import service as search
from pim.services import common, products
from pim.services.actors import Actor
from pim.services.errors import DomainError, InvalidData, Problem
from pim.services.structure_cache import Structure
from pim.units import UNIT_SYMBOLS
from pim.values import normalize_values

log = logging.getLogger(__name__)

RUN_TASK = "mass_edit.run"
#: Products changed between two commits of a running job.
BATCH_SIZE = 100
#: Products tried (and rolled back) to show what an operation would do.
SAMPLE_SIZE = 10
#: Ticked products one job may name (a page shows 50; "all matching" stores the query).
MAX_IDS = 1000
#: Search results read at once while resolving "all matching".
SEARCH_PAGE = 500
#: Seconds between two publications of a running job's live counts.
PUBLISH_EVERY = 0.5
#: Targets one "add associations" operation may name.
MAX_TARGETS = 200


class Kind(StrEnum):
    """What an operation does."""

    SET_VALUE = "set_value"
    ADD_OPTIONS = "add_options"
    REMOVE_OPTIONS = "remove_options"
    CLEAR_VALUE = "clear_value"
    CHANGE_FAMILY = "change_family"
    ADD_CATEGORIES = "add_categories"
    REMOVE_CATEGORIES = "remove_categories"
    REPLACE_CATEGORIES = "replace_categories"
    CHANGE_STATUS = "change_status"
    ADD_ASSOCIATIONS = "add_associations"
    DELETE = "delete"


VALUE_KINDS = {Kind.SET_VALUE, Kind.CLEAR_VALUE, Kind.ADD_OPTIONS, Kind.REMOVE_OPTIONS}
OPTION_KINDS = {Kind.ADD_OPTIONS, Kind.REMOVE_OPTIONS}
CATEGORY_KINDS = {Kind.ADD_CATEGORIES, Kind.REMOVE_CATEGORIES, Kind.REPLACE_CATEGORIES}


@dataclass(frozen=True)
class Operation:
    """One change to make to every selected product; only the fields of its kind count."""

    kind: str
    attribute: str | None = None
    locale: str | None = None
    scope: str | None = None
    #: the new value of ``set_value``, in the standard format's data shape
    data: object = None
    options: tuple[str, ...] = ()
    family: str | None = None
    categories: tuple[str, ...] = ()
    status: str | None = None
    association_type: str | None = None
    products: tuple[str, ...] = ()
    product_models: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The operation as stored on the job (JSON)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: dict) -> Operation:
        known = {k: v for k, v in (data or {}).items() if k in cls.__dataclass_fields__}
        for name in ("options", "categories", "products", "product_models"):
            known[name] = tuple(known.get(name) or ())
        return cls(**{"kind": "", **known})


@dataclass(frozen=True)
class Selection:
    """Ticked product ids, or (``query`` not None) every product the search query finds;
    an empty query means every product, like the unfiltered list."""

    ids: tuple[int, ...] = ()
    query: str | None = None

    def to_dict(self) -> dict:
        return {"query": self.query} if self.query is not None else {"ids": list(self.ids)}

    @classmethod
    def from_dict(cls, data: dict) -> Selection:
        if data.get("query") is not None:
            return cls(query=str(data["query"]))
        return cls(ids=tuple(int(i) for i in data.get("ids") or ()))


# --- checking and describing operations ----------------------------------------------------


def check_operation(session, structure: Structure, op: Operation) -> Operation:
    """The operation with its value normalised; InvalidData lists what is wrong with it
    (unknown attribute, option, family, category or target, a value the attribute refuses,
    a missing locale or channel)."""
    problems: list[Problem] = []
    if op.kind not in {k.value for k in Kind}:
        raise InvalidData(_("mass edit"), [Problem(_("choose an operation"), field="operation")])
    if op.kind in VALUE_KINDS:
        op = _check_value(structure, op, problems)
    elif op.kind == Kind.CHANGE_FAMILY:
        if not op.family or not session.scalar(select(Family.id).where(Family.code == op.family)):
            problems.append(Problem(_("choose a family"), field="family"))
    elif op.kind in CATEGORY_KINDS:
        _check_categories(session, op, problems)
    elif op.kind == Kind.CHANGE_STATUS:
        if op.status not in {s.value for s in WorkflowStatus}:
            problems.append(Problem(_("choose a workflow status"), field="status"))
    elif op.kind == Kind.ADD_ASSOCIATIONS:
        _check_associations(session, op, problems)
    if problems:
        raise InvalidData(_("mass edit"), problems)
    return op


def _check_value(structure: Structure, op: Operation, problems: list[Problem]) -> Operation:
    attr = structure.attributes.get(op.attribute or "")
    if attr is None:
        problems.append(Problem(_("choose an attribute"), field="attribute"))
        return op
    if attr.type == "identifier":
        problems.append(
            Problem(_("identifiers are set one product at a time"), attribute=attr.code)
        )
        return op
    if op.kind in OPTION_KINDS:
        if attr.type != "multi_select":
            problems.append(
                Problem(_("options are added to multi-select attributes"), field="attribute")
            )
            return op
        if not op.options:
            problems.append(Problem(_("choose at least one option"), attribute=attr.code))
            return op
    data = list(op.options) if op.kind in OPTION_KINDS else op.data
    if op.kind == Kind.CLEAR_VALUE:
        data = None
    elif op.kind == Kind.SET_VALUE and data in (None, "", [], {}):
        problems.append(
            Problem(
                _("give the new value (to empty it, choose “Clear a value”)"), attribute=attr.code
            )
        )
        return op
    entry = {"locale": op.locale, "scope": op.scope, "data": data}
    try:
        normalized = normalize_values(structure, {attr.code: [entry]}, subject="the new value")
    except InvalidData as invalid:
        problems.extend(invalid.problems)
        return op
    if op.kind == Kind.SET_VALUE:
        op = _replace(op, data=normalized[attr.code][0]["data"])
    return op


def _check_categories(session, op: Operation, problems: list[Problem]) -> None:
    if not op.categories and op.kind != Kind.REPLACE_CATEGORIES:
        problems.append(Problem(_("choose at least one category"), field="categories"))
        return
    common.resolve_categories(session, list(op.categories), problems)


def _check_associations(session, op: Operation, problems: list[Problem]) -> None:
    code = op.association_type or ""
    if not session.scalar(select(AssociationType.id).where(AssociationType.code == code)):
        problems.append(Problem(_("choose an association type"), field="association_type"))
    if not op.products and not op.product_models:
        problems.append(Problem(_("name at least one product or model"), field="targets"))
    elif len(op.products) + len(op.product_models) > MAX_TARGETS:
        problems.append(
            Problem(
                _("name at most %(max_targets)s targets", max_targets=MAX_TARGETS), field="targets"
            )
        )
    elif not problems:
        targets = {"products": list(op.products), "product_models": list(op.product_models)}
        common.resolve_associations(session, {code: targets}, problems)


def _replace(op: Operation, **changes) -> Operation:
    return Operation(**{**asdict(op), **changes})


def split_targets(session, text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Identifiers and model codes typed in a box (commas, spaces or lines between them):
    product identifiers first, then model codes; a name that is neither is kept as a
    product identifier, for the check to report."""
    names = list(dict.fromkeys(n for n in re.split(r"[\s,;]+", text or "") if n))
    names = names[: MAX_TARGETS + 1]
    models = set(session.scalars(select(ProductModel.code).where(ProductModel.code.in_(names))))
    found = set(session.scalars(select(Product.identifier).where(Product.identifier.in_(names))))
    product_names = tuple(n for n in names if n in found or n not in models)
    return product_names, tuple(n for n in names if n in models and n not in found)


def describe(structure: Structure, op: Operation, locale: str | None = None) -> str:
    """The operation in words, e.g. ``Set Name [fr_FR] to “Chemise”``."""
    if op.kind in VALUE_KINDS:
        return _describe_value(structure, op, locale)
    categories = ", ".join(op.categories)
    targets = ", ".join((*op.products, *op.product_models))
    if op.kind == Kind.CHANGE_FAMILY:
        family = _family_label(structure, op.family, locale)
        return _("Change the family to %(family)s", family=family)
    if op.kind == Kind.ADD_CATEGORIES:
        return _("Add to categories %(categories)s", categories=categories)
    if op.kind == Kind.REMOVE_CATEGORIES:
        return _("Remove from categories %(categories)s", categories=categories)
    if op.kind == Kind.REPLACE_CATEGORIES and op.categories:
        return _("Move to categories %(categories)s only", categories=categories)
    if op.kind == Kind.REPLACE_CATEGORIES:
        return _("Remove from every category")
    if op.kind == Kind.CHANGE_STATUS:
        status = (op.status or "").replace("_", " ")
        return _("Change the workflow status to %(status)s", status=status)
    if op.kind == Kind.ADD_ASSOCIATIONS:
        kind = op.association_type
        return _("Associate (%(kind)s) with %(targets)s", kind=kind, targets=targets)
    if op.kind == Kind.DELETE:
        return _("Delete the products")
    return op.kind


def _describe_value(structure: Structure, op: Operation, locale) -> str:
    attr = structure.attributes.get(op.attribute or "")
    name = attr.label(locale) if attr else (op.attribute or "")
    where = "/".join(p for p in (op.locale, op.scope) if p)
    name = f"{name} [{where}]" if where else name
    options = ", ".join(_option_label(attr, o, locale) for o in op.options)
    if op.kind == Kind.SET_VALUE:
        return _("Set %(name)s to “%(value)s”", name=name, value=_show(attr, op.data, locale))
    if op.kind == Kind.ADD_OPTIONS:
        return _("Add %(options)s to %(name)s", options=options, name=name)
    if op.kind == Kind.REMOVE_OPTIONS:
        return _("Remove %(options)s from %(name)s", options=options, name=name)
    return _("Clear %(name)s", name=name)


def _option_label(attr, code: str, locale) -> str:
    labels = (attr.options.get(code) if attr else None) or {}
    return labels.get(locale) or next((t for t in labels.values() if t), code)


def _family_label(structure: Structure, code, locale) -> str:
    family = structure.families.get(code or "")
    labels = family.labels if family else {}
    return labels.get(locale) or next((t for t in labels.values() if t), code or "")


def _show(attr, data, locale) -> str:
    if attr is not None and attr.type == "simple_select" and isinstance(data, str):
        return _option_label(attr, data, locale)
    if attr is not None and attr.type == "multi_select" and isinstance(data, list):
        return ", ".join(_option_label(attr, o, locale) for o in data)
    if isinstance(data, bool):
        return _("Yes") if data else _("No")
    if isinstance(data, dict) and "amount" in data:
        unit = data.get("unit") or ""
        return f"{data['amount']} {UNIT_SYMBOLS.get(unit, unit)}".strip()
    if isinstance(data, list):
        return ", ".join(
            f"{i.get('amount')} {i.get('currency')}" if isinstance(i, dict) else str(i)
            for i in data
        )
    return str(data)


# --- applying an operation to one product --------------------------------------------------


def apply(session, structure: Structure, op: Operation, product: Product, actor: Actor):
    """Change one product; returns the new Version (``True`` for a delete), or None when
    the product already was as asked. Raises the service's errors when it is refused."""
    if op.kind == Kind.DELETE:
        products.delete_product(session, product, actor)
        return True
    payload = payload_for(session, op, product)
    if payload is None:
        return None
    return products.update_product(session, product, payload, actor, structure=structure)


def payload_for(session, op: Operation, product: Product) -> dict | None:
    """The partial update this operation makes to ``product`` (None: nothing to do)."""
    if op.kind in (Kind.SET_VALUE, Kind.CLEAR_VALUE):
        data = op.data if op.kind == Kind.SET_VALUE else None
        return {"values": {op.attribute: [{"locale": op.locale, "scope": op.scope, "data": data}]}}
    if op.kind in OPTION_KINDS:
        return _options_payload(op, product)
    if op.kind == Kind.CHANGE_FAMILY:
        return {"family": op.family}
    if op.kind in CATEGORY_KINDS:
        current = {c.code for c in product.categories}
        wanted = {
            Kind.ADD_CATEGORIES: current | set(op.categories),
            Kind.REMOVE_CATEGORIES: current - set(op.categories),
            Kind.REPLACE_CATEGORIES: set(op.categories),
        }[op.kind]
        return None if wanted == current else {"categories": sorted(wanted)}
    if op.kind == Kind.CHANGE_STATUS:
        return {"workflow_status": op.status}
    if op.kind == Kind.ADD_ASSOCIATIONS:
        return _associations_payload(session, op, product)
    raise ValueError(_("unknown mass edit operation %(kind)r", kind=op.kind))


def _options_payload(op: Operation, product: Product) -> dict | None:
    current: list = []
    for entry in (product.values or {}).get(op.attribute, ()):
        if entry["locale"] == op.locale and entry["scope"] == op.scope:
            current = list(entry["data"] or [])
    if op.kind == Kind.ADD_OPTIONS:
        wanted = current + [o for o in op.options if o not in current]
    else:
        wanted = [o for o in current if o not in op.options]
    if wanted == current:
        return None
    entry = {"locale": op.locale, "scope": op.scope, "data": wanted or None}
    return {"values": {op.attribute: [entry]}}


def _associations_payload(session, op: Operation, product: Product) -> dict | None:
    state = common.associations_state(session, product_id=product.id)
    current = state.get(op.association_type, {"products": [], "product_models": []})
    wanted = {
        "products": sorted(set(current["products"]) | set(op.products)),
        "product_models": sorted(set(current["product_models"]) | set(op.product_models)),
    }
    if wanted == current:
        return None
    return {"associations": {op.association_type: wanted}}


def reason(error: DomainError) -> str:
    """Why a product was refused, without repeating which product it is."""
    if isinstance(error, InvalidData):
        return "; ".join(str(p) for p in error.problems) or str(error)
    return str(error)


# --- selections ----------------------------------------------------------------------------


def count_selected(session, selection: Selection) -> int:
    """How many products the selection names now."""
    if selection.query is None:
        if not selection.ids:
            return 0
        query = select(func.count()).select_from(Product).where(Product.id.in_(selection.ids))
        return session.scalar(query)
    if not selection.query.strip():
        return session.scalar(select(func.count()).select_from(Product))
    return search.search(session, selection.query, kinds=("product",), limit=1, facets=()).total


def selected_ids(session, selection: Selection, limit: int | None = None) -> list[int]:
    """Ids of the products the selection names now (the first ``limit`` of them): ticked
    ones in id order, search results by identifier, else every product by id."""
    if selection.query is None:
        query = select(Product.id).where(Product.id.in_(selection.ids)).order_by(Product.id)
        return list(session.scalars(query.limit(limit)))
    if not selection.query.strip():
        return list(session.scalars(select(Product.id).order_by(Product.id).limit(limit)))
    ids: list[int] = []
    while limit is None or len(ids) < limit:
        size = SEARCH_PAGE if limit is None else min(SEARCH_PAGE, limit - len(ids))
        page = search.search(
            session,
            selection.query,
            kinds=("product",),
            sort="identifier",
            offset=len(ids),
            limit=size,
            facets=(),
        )
        ids += [hit.id for hit in page.items]
        if len(page.items) < size or len(ids) >= page.total:
            break
    return ids


# --- preview -------------------------------------------------------------------------------


@dataclass
class Sample:
    """What the operation would do to one product: ``outcome`` is ``change`` (with the
    changes a version would record), ``unchanged``, ``delete`` or ``refused`` (with why)."""

    identifier: str
    outcome: str
    changes: dict = field(default_factory=dict)
    reason: str | None = None


@dataclass
class Preview:
    total: int
    samples: list[Sample]


def preview(
    session, structure: Structure, op: Operation, selection: Selection, actor: Actor
) -> Preview:
    """How many products are selected, and what the operation does to the first few: each
    is changed in a savepoint that is then rolled back, so the preview says exactly what
    the services will accept or refuse."""
    total = count_selected(session, selection)
    ids = selected_ids(session, selection, limit=SAMPLE_SIZE)
    found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(ids)))}
    samples = [_try(session, structure, op, found[i], actor) for i in ids if i in found]
    return Preview(total, samples)


def _try(session, structure, op, product: Product, actor: Actor) -> Sample:
    identifier = product.identifier
    if op.kind == Kind.DELETE:
        return Sample(identifier, "delete")
    savepoint = session.begin_nested()
    try:
        version = apply(session, structure, op, product, actor)
        changes = copy.deepcopy(version.changes) if version is not None else None
    except DomainError as error:
        return Sample(identifier, "refused", reason=reason(error))
    finally:
        savepoint.rollback()
    if changes is None:
        return Sample(identifier, "unchanged")
    return Sample(identifier, "change", changes)


# --- jobs ----------------------------------------------------------------------------------


def create_job(
    session, op: Operation, selection: Selection, *, user=None, description: str = ""
) -> MassEditJob:
    """A queued job (the caller commits it, then hands it to :func:`enqueue`)."""
    job = MassEditJob(
        operation=op.to_dict(),
        selection=selection.to_dict(),
        description=description or op.kind,
        status=JobStatus.QUEUED,
        created_by=user,
    )
    session.add(job)
    session.flush()
    return job


def enqueue(job: MassEditJob) -> None:
    """Hand a committed job to the worker."""
    current_queue().enqueue(RUN_TASK, job.id)


def progress_key(job_id: int) -> str:
    return f"mass-edit-progress:{job_id}"


def actor_for(job: MassEditJob) -> Actor:
    """Who the job's versions name: its author, through the ``mass_edit`` source."""
    if job.created_by is None:
        return Actor.system(Source.MASS_EDIT)
    return Actor.for_user(job.created_by, Source.MASS_EDIT)


def run_job(session, job_id: int, *, progress: Callable | None = None, commit=True):
    """Run a queued job (the worker's task); returns it when done."""
    job = session.get(MassEditJob, job_id)
    if job is None or job.status != JobStatus.QUEUED:
        return job
    with language_of(job.created_by):  # the outcome is stored as text, in their language
        return _run_job(session, job, progress, session.commit if commit else session.flush)


def _run_job(session, job: MassEditJob, progress, checkpoint) -> MassEditJob:
    job_id = job.id
    try:
        return _Run(session, job, progress, checkpoint).run()
    except Exception as error:
        log.exception("mass edit job %s crashed", job_id)
        session.rollback()
        job = session.get(MassEditJob, job_id)
        job.status, job.finished_at = JobStatus.FAILED, utcnow()
        job.message = _(
            "the job stopped on an internal error (%(kind)s): %(error)s",
            kind=type(error).__name__,
            error=error,
        )
        checkpoint()
        return job


class _Run:
    """One run of a job: resolve the selection, then change the products batch by batch."""

    def __init__(self, session, job: MassEditJob, progress, checkpoint):
        self.session, self.job = session, job
        self.progress, self.checkpoint = progress, checkpoint
        self.published = 0.0

    def run(self) -> MassEditJob:
        job, session = self.job, self.session
        job.status, job.started_at = JobStatus.RUNNING, utcnow()
        self.checkpoint()
        structure = Structure.current(session)
        try:
            op = check_operation(session, structure, Operation.from_dict(job.operation))
        except InvalidData as invalid:
            return self._finish(
                JobStatus.FAILED,
                _("The operation is no longer possible: %(reason)s", reason=reason(invalid)),
            )
        ids = selected_ids(session, Selection.from_dict(job.selection))
        job.total = len(ids)
        self.checkpoint()
        actor = actor_for(job)
        for batch in common.chunks(ids, BATCH_SIZE):
            found = {p.id: p for p in session.scalars(select(Product).where(Product.id.in_(batch)))}
            for product_id in batch:
                self._one(structure, op, actor, product_id, found.get(product_id))
            self.checkpoint()
            self._publish(force=True)
        return self._finish(JobStatus.SUCCEEDED, self._summary())

    def _one(self, structure, op, actor, product_id: int, product: Product | None) -> None:
        job = self.job
        if product is None:
            self._fail(product_id, f"#{product_id}", _("the product no longer exists"))
        else:
            identifier = product.identifier
            try:
                with self.session.begin_nested():
                    outcome = apply(self.session, structure, op, product, actor)
            except DomainError as error:
                self._fail(product_id, identifier, reason(error))
            else:
                if outcome is None:
                    job.unchanged += 1
                else:
                    job.changed += 1
        job.processed += 1
        self._publish()

    def _fail(self, product_id: int, identifier: str, why: str) -> None:
        self.job.failed += 1
        self.session.add(
            MassEditFailure(
                job_id=self.job.id, product_id=product_id, identifier=identifier[:255], reason=why
            )
        )

    def _publish(self, force: bool = False) -> None:
        now = time.monotonic()
        if self.progress is None or (not force and now - self.published < PUBLISH_EVERY):
            return
        self.published = now
        self.progress(counts(self.job))

    def _summary(self) -> str:
        job = self.job
        return ngettext(
            "%(changed)s changed, %(unchanged)s already as asked, %(failed)s refused, "
            "of %(num)s product.",
            "%(changed)s changed, %(unchanged)s already as asked, %(failed)s refused, "
            "of %(num)s products.",
            job.total,
            changed=job.changed,
            unchanged=job.unchanged,
            failed=job.failed,
        )

    def _finish(self, status: str, message: str) -> MassEditJob:
        job = self.job
        job.status, job.message, job.finished_at = status, message, utcnow()
        self.checkpoint()
        return job


def counts(job: MassEditJob) -> dict:
    """The live counts of a job."""
    return {
        "total": job.total,
        "processed": job.processed,
        "changed": job.changed,
        "unchanged": job.unchanged,
        "failed": job.failed,
        "fraction": job.fraction,
    }


@task(RUN_TASK)
def run_job_task(job_id: int) -> None:
    """The queue task: run the job, publishing live counts in the queue's storage."""
    queue = current_queue()

    def publish(live: dict) -> None:
        queue.put(progress_key(job_id), live)

    try:
        run_job(db.session, job_id, progress=publish)
    finally:
        queue.delete(progress_key(job_id))


def job_status(job: MassEditJob) -> dict:
    """What the job page's progress shows: the stored counts, live ones while it runs."""
    status = {
        "id": job.id,
        "status": job.status,
        "message": job.message,
        "finished": job.finished,
        **counts(job),
    }
    if job.status == JobStatus.RUNNING:
        live = current_queue().peek(progress_key(job.id))
        if isinstance(live, dict):
            status.update(live)
    return status


def failures(
    session, job: MassEditJob, *, limit: int = 50, offset: int = 0
) -> list[MassEditFailure]:
    """The products the job refused, in the order it met them."""
    return list(
        session.scalars(
            select(MassEditFailure)
            .where(MassEditFailure.job_id == job.id)
            .order_by(MassEditFailure.id)
            .limit(limit)
            .offset(offset)
        )
    )


def failure_count(session, job: MassEditJob) -> int:
    return session.scalar(
        select(func.count()).select_from(MassEditFailure).where(MassEditFailure.job_id == job.id)
    )


def recent_jobs(session, limit: int = 10) -> list[MassEditJob]:
    """The latest jobs, newest first."""
    return list(session.scalars(select(MassEditJob).order_by(MassEditJob.id.desc()).limit(limit)))
