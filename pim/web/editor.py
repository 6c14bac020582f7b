"""The values part of product and model pages: attributes grouped, own ones editable.

:func:`build` turns a product or model, the chosen channel and locale, and (after a failed
save) the submitted form and its problems into plain objects the templates render.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pim.services import common, inheritance
from pim.services.errors import Problem
from pim.services.structure_cache import AttrSpec
from pim.values import value_key
from pim.web import forms
from pim.web.context import ViewContext
from pim.web.display import label_of

HEADER_FIELDS = ("enabled", "workflow_status", "lifecycle")


@dataclass
class FieldView:
    """One value (attribute × locale × scope) as shown or edited."""

    key: str
    locale: str | None
    scope: str | None
    stored: object
    raw: object
    errors: list[str] = field(default_factory=list)
    #: after a conflict: the other person changed this value (``stored`` is theirs)
    changed_meanwhile: bool = False


@dataclass
class RowView:
    """One attribute: its fields, whether this level owns it, else which model does."""

    attr: AttrSpec
    label: str
    editable: bool
    owner: str | None
    fields: list[FieldView]


@dataclass
class GroupView:
    code: str
    label: str
    rows: list[RowView]


@dataclass
class Editor:
    """Everything the values section needs; ``editable`` maps field keys to attributes."""

    groups: list[GroupView]
    editable: dict
    currencies: tuple[str, ...]
    general_errors: list[str] = field(default_factory=list)
    header_errors: dict = field(default_factory=dict)

    @property
    def has_editable(self) -> bool:
        return any(row.editable for group in self.groups for row in group.rows)


@dataclass(frozen=True)
class Level:
    """Where a product or model sits: its family, family variant and level (0 = root)."""

    family: str | None
    variant: str | None
    level: int


def level_of(entity) -> Level:
    """The :class:`Level` of a product or a product model."""
    if hasattr(entity, "family_variant"):  # a product model
        fv = entity.family_variant
        return Level(fv.family.code, fv.code, entity.level)
    if entity.parent is None:
        return Level(entity.family.code if entity.family else None, None, 0)
    fv = entity.parent.family_variant
    return Level(fv.family.code, fv.code, len({r.level for r in fv.attribute_sets}))


def build(ctx: ViewContext, entity, *, can_edit: bool, form=None, problems=(), changes=()):
    """The :class:`Editor` of ``entity``.

    After a failed save, ``form`` refills the inputs with what the user typed and
    ``problems`` go next to their fields. After a conflict, ``changes`` (the versions saved
    since the one the user edited, oldest first) mark the fields someone else changed; those
    the user left alone show the other person's value, so saving again cannot undo it.
    """
    editor = _editor(ctx, entity, can_edit)
    base = _base_values(changes)
    if form is not None:
        _refill(editor, form, base)
    _mark_changes(editor, base)
    _attach(editor, problems)
    return editor


def _editor(ctx: ViewContext, entity, can_edit: bool) -> Editor:
    structure = ctx.structure
    where = level_of(entity)
    family = structure.families.get(where.family) if where.family else None
    variant = structure.family_variants.get(where.variant) if where.variant else None
    allowed, _ = common.allowed_attributes(structure, family, variant, where.level)
    chain = inheritance.ancestors(entity.parent)
    values = inheritance.effective_values(entity)
    owners = inheritance.value_owners(entity)
    currencies = ctx.channel.currencies if ctx.channel else tuple(sorted(structure.currencies))
    editor = Editor([], {}, currencies)
    rows = []
    for attr in _shown_attributes(structure, family):
        own = allowed is None or attr.code in allowed
        owner = None if own else _owner(attr.code, owners, variant, chain, where.level)
        if own or owner:
            rows.append(_row(ctx, editor, attr, values, own, owner, can_edit))
    editor.groups = _grouped(ctx, rows)
    return editor


def _shown_attributes(structure, family) -> list[AttrSpec]:
    codes = family.attributes if family else structure.attributes.keys()
    attrs = [structure.attributes[c] for c in codes if structure.attributes[c].type != "identifier"]
    order = {code: g["sort_order"] for code, g in structure.groups.items()}
    return sorted(attrs, key=lambda a: (order.get(a.group, 0), a.group, a.sort_order, a.code))


def _owner(code, owners, variant, chain, level) -> str | None:
    """The code of the ancestor model owning ``code``; None when a lower level owns it."""
    if code in owners:
        return owners[code]
    owner_level = variant.level_of(code) if variant else 0
    if owner_level < level and owner_level < len(chain):
        return chain[owner_level].code
    return None


def _row(ctx, editor, attr, values, own, owner, can_edit) -> RowView:
    locales = ctx.locales if attr.localizable else (None,)
    scope = ctx.scope if attr.scopable else None
    fields = []
    if scope or not attr.scopable:
        for locale in locales:
            stored = _entry(values, attr.code, locale, scope)
            key = forms.field_key(attr.code, locale, scope)
            fields.append(FieldView(key, locale, scope, stored, forms.raw_from_data(attr, stored)))
    editable = own and attr.type in forms.EDITABLE_TYPES
    if editable:
        editor.editable.update({f.key: attr for f in fields})
    label = attr.label(ctx.locale)
    return RowView(attr, label, editable and can_edit, None if own else owner, fields)


def _entry(values: dict, code: str, locale, scope):
    for entry in values.get(code, ()):
        if entry["locale"] == locale and entry["scope"] == scope:
            return entry["data"]
    return None


def _grouped(ctx, rows: list[RowView]) -> list[GroupView]:
    groups: dict[str, GroupView] = {}
    for row in rows:
        code = row.attr.group
        if code not in groups:
            labels = ctx.structure.groups.get(code, {}).get("labels")
            groups[code] = GroupView(code, label_of(labels, ctx.locale, code), [])
        groups[code].rows.append(row)
    return list(groups.values())


def _fields(editor: Editor):
    for group in editor.groups:
        for row in group.rows:
            for f in row.fields:
                yield row, f


def _base_values(changes) -> dict:
    """Value key → the value at the version the user edited, for values changed since."""
    base: dict = {}
    for version in changes:  # oldest first: the first "old" is the user's starting point
        for key, change in (version.changes or {}).get("values", {}).items():
            base.setdefault(key, change["old"])
    return base


def _refill(editor: Editor, form, base: dict) -> None:
    """Show what the user typed, except where they kept a value someone else then changed."""
    submitted = set(forms.submitted_fields(form, editor.editable))
    for row, f in _fields(editor):
        if f.key not in submitted:
            continue
        raw = forms.raw_from_form(form, f.key, row.attr, editor.currencies)
        key = value_key(row.attr.code, f.locale, f.scope)
        if key in base and _same(row.attr, raw, base[key]):
            continue  # untouched by this user: keep the other person's saved value
        f.raw = raw


def _same(attr: AttrSpec, raw, data) -> bool:
    """Whether submitted ``raw`` says the same as stored ``data``."""
    return forms.parse(attr, raw, data) == forms.parse(attr, forms.raw_from_data(attr, data), data)


def _mark_changes(editor: Editor, base: dict) -> None:
    """Flag the fields someone else changed since the version the user edited."""
    for row, f in _fields(editor):
        f.changed_meanwhile = value_key(row.attr.code, f.locale, f.scope) in base


def header_state(product, form=None, changes=()) -> dict:
    """``enabled`` / ``workflow_status`` / ``lifecycle`` as the status inputs show them.

    Same rule as values: the user's input, unless they kept a field someone else changed.
    """
    current = {name: getattr(product, name) for name in HEADER_FIELDS}
    if form is None:
        return current
    submitted = {
        "enabled": form.get("enabled") == "1",
        "workflow_status": form.get("workflow_status", current["workflow_status"]),
        "lifecycle": form.get("lifecycle", current["lifecycle"]),
    }
    base: dict = {}
    for version in changes:
        for name in HEADER_FIELDS:
            if name in (version.changes or {}):
                base.setdefault(name, version.changes[name]["old"])
    return {
        name: current[name] if name in base and submitted[name] == base[name] else submitted[name]
        for name in HEADER_FIELDS
    }


def _attach(editor: Editor, problems: list[Problem]) -> None:
    """Put each problem next to its field; the rest go to the top of the form."""
    by_key = {f.key: f for _, f in _fields(editor)}
    for problem in problems:
        target = None
        if problem.attribute:
            target = by_key.get(forms.field_key(problem.attribute, problem.locale, problem.scope))
        if target is not None:
            target.errors.append(problem.message)
        elif problem.field in HEADER_FIELDS:
            editor.header_errors.setdefault(problem.field, []).append(problem.message)
        else:
            editor.general_errors.append(str(problem))
