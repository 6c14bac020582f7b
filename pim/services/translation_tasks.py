"""What a translator has to do: the items with missing or outdated translations in their
locales.

The candidates come from the search index, a page at a time: its
``translation_task.LOCALE`` field holds the gaps an item has in the values it holds itself
(a variant's name inherited from its model is translated once, on the model, so only the
model is listed for it). The page's items are then checked against the database
(:func:`pim.services.translation_status.of_item`), so the counts and fields shown are
exact even while the index catches up with a commit; an item that turns out to have
nothing left to do is dropped from the page.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pim.search import indexer
from pim.search import service as search
from pim.search.base import Query, Term
from pim.services import dashboard, product_models, products
from pim.services.structure_cache import Structure
from pim.services.translation_status import of_item, owned, source_locale

PER_PAGE = 50
#: The search kinds a translator works on.
KINDS = ("product", "model")
STATES = ("missing", "outdated")


def task_field(locale: str) -> str:
    """The document field listing the gaps an item holds itself in ``locale``."""
    return f"translation_task.{locale}"


@dataclass(frozen=True)
class LocaleSummary:
    """How many items of a locale have missing, and outdated, translations of their own."""

    locale: str
    missing: int
    outdated: int


@dataclass(frozen=True)
class FieldGap:
    """One value to translate: the attribute, its channel (scopable ones), and why."""

    key: str
    attribute: str
    label: str
    scope: str | None
    state: str


@dataclass
class Task:
    """A product or model with work in one locale."""

    kind: str
    id: int
    code: str
    label: str | None
    locale: str
    fields: list[FieldGap] = field(default_factory=list)

    @property
    def missing(self) -> int:
        return sum(1 for gap in self.fields if gap.state == "missing")

    @property
    def outdated(self) -> int:
        return sum(1 for gap in self.fields if gap.state == "outdated")


@dataclass
class TaskPage:
    """One locale's page of tasks, and the counts of every locale of the user."""

    locale: str | None
    locales: list[LocaleSummary]
    tasks: list[Task]
    total: int
    page: int
    per_page: int

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def user_locales(structure: Structure, user) -> list[str]:
    """The locales ``user`` translates into: their assigned ones (``User.locales``) that
    are active, or every active locale but the source locale when none is assigned."""
    translated = structure.active_locales - {source_locale()}
    assigned = [code for code in (user.locales or ()) if code in translated]
    return sorted(assigned) if user.locales else sorted(translated)


def summaries(structure: Structure, locales) -> list[LocaleSummary]:
    """Per locale, the number of items with missing and with outdated translations of
    their own (one search of the index with a facet per locale)."""
    if not locales:
        return []
    found = indexer.backend().search(
        Query(kinds=KINDS, facets=tuple(task_field(code) for code in locales), limit=1)
    )
    result = []
    for code in locales:
        counts = dict(found.facets.get(task_field(code), ()))
        result.append(LocaleSummary(code, counts.get("missing", 0), counts.get("outdated", 0)))
    return result


def task_page(
    session,
    structure: Structure,
    user,
    locale: str | None = None,
    page: int = 1,
    per_page: int = PER_PAGE,
) -> TaskPage:
    """The items with work in ``locale`` (one of the user's; default the first), by code,
    page ``page``, with what to translate in each."""
    locales = user_locales(structure, user)
    if locale not in locales:
        locale = locales[0] if locales else None
    page = max(1, page)
    overview = summaries(structure, locales)
    if locale is None:
        return TaskPage(None, overview, [], 0, page, per_page)
    query = Query(
        terms=[Term(task_field(locale), state) for state in STATES],
        kinds=KINDS,
        sort="identifier",
        offset=(page - 1) * per_page,
        limit=per_page,
    )
    results = indexer.backend().search(query)
    hits = search.load(session, results)
    tasks = [task for hit in hits if (task := item_task(structure, hit, locale)) is not None]
    _add_labels(session, structure, tasks)
    return TaskPage(locale, overview, tasks, results.total, page, per_page)


def item_task(structure: Structure, hit, locale: str) -> Task | None:
    """What the item of ``hit`` has to translate in ``locale`` itself (None: nothing)."""
    if hit.item is None:
        return None
    source = source_locale()
    status = owned(of_item(hit.item, structure, [locale])[locale], hit.item.values or {}, source)
    gaps = [
        _gap(structure, key, locale, state) for state in STATES for key in getattr(status, state)
    ]
    if not gaps:
        return None
    return Task(hit.kind, hit.id, hit.code, None, locale, gaps)


def _gap(structure: Structure, key: str, locale: str, state: str) -> FieldGap:
    """The attribute and channel of value ``key`` (``description-fr_FR-print``)."""
    code = max((c for c in structure.attributes if key.startswith(c + "-")), key=len, default=key)
    scope = key[len(code) + len(locale) + 2 :] or None
    attribute = structure.attributes.get(code)
    label = attribute.label(locale) if attribute is not None else code
    return FieldGap(key, code, label, scope, state)


def _add_labels(session, structure: Structure, tasks: list[Task]) -> None:
    for kind, resource in (("product", products.RESOURCE), ("model", product_models.RESOURCE)):
        ids = [task.id for task in tasks if task.kind == kind]
        labels = dashboard.item_labels(session, structure, resource, ids)
        for task in tasks:
            if task.kind == kind:
                task.label = labels.get(task.id)
