"""Rows of ``product_models.csv`` and ``products.csv`` → payloads for the bulk services.

Everything that can be checked cheaply is checked here, so the error names the column:
unknown columns that are filled, malformed cells, unknown families, family variants,
parents and categories, keys given twice. What only the services know (option codes,
number and date formats, rules) comes back from the bulk write and is traced to its
column by :meth:`RowPlan.explain`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from pim.imports.akeneo.cell_values import MediaRef, RowValues, read_values
from pim.imports.akeneo.columns import Layout, build_layout
from pim.imports.akeneo.context import Context
from pim.imports.akeneo.lineage import Lineages, differs_from_parent, owned_above
from pim.imports.akeneo.reading import cell, codes, flag
from pim.imports.akeneo.summary import Fault
from pim.models import AssociationType, Category
from pim.services import common
from pim.services.errors import InvalidData
from pim.values import normalize_values

PRODUCT_FIELDS = {"family": "family", "parent": "parent", "categories": "categories"}
PRODUCT_FIELDS |= {"enabled": "enabled"}
PRODUCT_IGNORED = {"groups": "product groups are not supported", "uuid": None}
MODEL_FIELDS = {"code": "key", "family_variant": "family_variant", "parent": "parent"}
MODEL_FIELDS |= {"categories": "categories"}
MODEL_IGNORED = {"family": None}


@dataclass
class RowPlan:
    """One row as a bulk payload, with what is needed to report on it afterwards."""

    line: int
    key: str
    payload: dict
    found: RowValues = field(default_factory=RowValues)
    #: association payload written once every product exists
    links: dict = field(default_factory=dict)
    link_columns: dict = field(default_factory=dict)
    allowed: set | None = None
    why: object = None
    faults: list[Fault] = field(default_factory=list)
    warnings: list[Fault] = field(default_factory=list)
    #: created / updated / skipped once written
    status: str | None = None

    @property
    def media(self) -> list[MediaRef]:
        """The image and file cells of the row."""
        return self.found.media

    def explain(self, structure, message: str) -> list[Fault]:
        """Faults naming the columns of a row the bulk write refused with ``message``."""
        try:
            normalize_values(
                structure,
                self.payload.get("values", {}),
                subject=self.key,
                allowed=self.allowed,
                why_not_allowed=self.why,
            )
        except InvalidData as invalid:
            return [self._fault(problem) for problem in invalid.problems]
        return [Fault(None, None, message)]

    def _fault(self, problem) -> Fault:
        column, value = self.found.where((problem.attribute, problem.locale, problem.scope))
        return Fault(column or problem.field or problem.attribute, value, problem.message)


class RowPlanner:
    """Plans the rows of one file (products or product models)."""

    def __init__(self, ctx: Context, file: str, fields: dict, ignored: dict):
        self.ctx = ctx
        self.file = file
        self.structure = ctx.structure()
        self.fields, self.ignored = fields, ignored
        session = ctx.session
        self.categories = set(session.scalars(select(Category.code)))
        self.association_types = set(session.scalars(select(AssociationType.code)))
        self.lineages = Lineages(session, self.structure)
        self._layouts: dict[tuple, Layout] = {}
        self._first_line: dict[str, int] = {}
        #: ignored column → [rows filled, first line, first key, first value]
        self._ignored_hits: dict[str, list] = {}

    def layout(self, row) -> Layout:
        """The layout of the row's header (worked out once)."""
        header = tuple(row.cells)
        if header not in self._layouts:
            self._layouts[header] = build_layout(
                header, self.structure, self.association_types, self.fields, self.ignored
            )
        return self._layouts[header]

    def plan_product(self, row) -> RowPlan:
        """A product row → ``bulk.import_products`` payload."""
        layout = self.layout(row)
        plan = self._start(row, layout.column_of("identifier"), "identifier")
        if layout.column_of("identifier") is None:
            plan.faults = [Fault(None, None, "the file has no column for the identifier")]
        payload = plan.payload
        for name in ("family", "parent"):
            if layout.column_of(name):
                payload[name] = cell(row, name) or None
        if payload.get("family") and payload["family"] not in self.structure.families:
            plan.faults.append(Fault("family", payload["family"], "unknown family"))
        if layout.column_of("enabled"):
            payload["enabled"] = flag(row, "enabled", plan.faults) if cell(row, "enabled") else True
        self._finish(row, layout, plan, self._product_level(plan))
        return plan

    def plan_model(self, row) -> RowPlan:
        """A product model row → ``bulk.import_product_models`` payload."""
        layout = self.layout(row)
        plan = self._start(row, "code", "code")
        variant_code, parent = cell(row, "family_variant"), cell(row, "parent")
        plan.payload.update(family_variant=variant_code or None, parent=parent or None)
        self._finish(row, layout, plan, self._model_level(plan))
        return plan

    def _start(self, row, key_column: str | None, key_field: str) -> RowPlan:
        key = cell(row, key_column) if key_column else ""
        plan = RowPlan(row.line, key, {key_field: key})
        if not key:
            plan.faults.append(Fault(key_column, "", f"a {key_column or 'key'} is required"))
        elif key in self._first_line:
            seen = self._first_line[key]
            plan.faults.append(Fault(key_column, key, f"already given on line {seen}"))
        else:
            self._first_line[key] = row.line
        return plan

    def _product_level(self, plan: RowPlan):
        parent = plan.payload.get("parent")
        if parent:
            lineage = self._lineage(plan, parent)
            return lineage and (lineage.family, lineage.variant, lineage.variant.levels, lineage)
        family = self.structure.families.get(plan.payload.get("family"))
        return family, None, 0, None

    def _model_level(self, plan: RowPlan):
        parent = plan.payload["parent"]
        if parent:
            lineage = self._lineage(plan, parent)
            return lineage and (lineage.family, lineage.variant, 1, lineage)
        variant = self.structure.family_variants.get(plan.payload["family_variant"])
        if variant is None:
            code = plan.payload["family_variant"] or ""
            plan.faults.append(Fault("family_variant", code, "unknown family variant"))
            return None
        return self.structure.families[variant.family], variant, 0, None

    def _lineage(self, plan: RowPlan, parent: str):
        lineage = self.lineages.get(parent)
        if lineage is None:
            plan.faults.append(Fault("parent", parent, f"unknown product model {parent!r}"))
        return lineage

    def _finish(self, row, layout: Layout, plan: RowPlan, level) -> None:
        if layout.column_of("categories"):
            plan.payload["categories"] = self._categories(row, plan)
        self._unknown_and_ignored(row, layout, plan)
        plan.found = read_values(row.cells, layout)
        plan.faults += plan.found.faults
        plan.payload["values"] = self._own_values(plan, level)
        self._links(row, layout, plan)

    def _categories(self, row, plan: RowPlan) -> list[str]:
        wanted = codes(cell(row, "categories"))
        missing = [code for code in wanted if code not in self.categories]
        if missing:
            reason = f"unknown categories: {', '.join(missing)}"
            plan.faults.append(Fault("categories", ",".join(missing), reason))
        return wanted

    def _unknown_and_ignored(self, row, layout: Layout, plan: RowPlan) -> None:
        for column, reason in layout.unknown.items():
            if cell(row, column):
                plan.faults.append(Fault(column, cell(row, column), reason))
        for column in layout.ignored:
            text = cell(row, column)
            if text:
                self._ignored_hits.setdefault(column, [0, row.line, plan.key, text])[0] += 1

    def _own_values(self, plan: RowPlan, level) -> dict:
        """The row's values minus those a parent model owns (warned about when different)."""
        if level is None:
            return plan.found.values
        family, variant, depth, lineage = level
        plan.allowed, plan.why = common.allowed_attributes(self.structure, family, variant, depth)
        own = {}
        for code, entries in plan.found.values.items():
            if not owned_above(variant, depth, family, code):
                own[code] = entries
                continue
            for entry in entries:
                if differs_from_parent(self.structure, entry, code, lineage.values):
                    owner = lineage.owners.get(variant.level_of(code), lineage.code)
                    self._inherited_warning(plan, code, entry, owner)
        plan.found.media = [
            ref
            for ref in plan.found.media
            if not owned_above(variant, depth, family, ref.attribute)
        ]
        return own

    def _inherited_warning(self, plan: RowPlan, code: str, entry: dict, parent: str) -> None:
        column, value = plan.found.where((code, entry["locale"], entry["scope"]))
        reason = f"{code} belongs to the model {parent!r}: the value stored there is kept"
        plan.warnings.append(Fault(column, value, reason))

    def _links(self, row, layout: Layout, plan: RowPlan) -> None:
        for column, link in layout.links.items():
            targets = codes(cell(row, column))
            if targets:
                entry = plan.links.setdefault(
                    link.association_type, {"products": [], "product_models": []}
                )
                entry[link.target] = targets
                plan.link_columns[(link.association_type, link.target)] = column

    def report_ignored(self) -> None:
        """One warning per ignored column that some rows filled."""
        for column, (count, line, key, value) in self._ignored_hits.items():
            rows = "1 row" if count == 1 else f"{count} rows"
            reason = f"{self.layout_reason(column)}; ignored in {rows}"
            self.ctx.summary.warn(self.file, line, key, Fault(column, value, reason))

    def layout_reason(self, column: str) -> str:
        """Why ``column`` is ignored."""
        for layout in self._layouts.values():
            if column in layout.ignored:
                return layout.ignored[column]
        return "ignored"
