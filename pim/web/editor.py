"""The values part of product and model pages: attributes grouped, own ones editable.

:func:`build` turns a product or model, the chosen channel and locale, what the user may
change (:class:`Rights`), and (after a failed save) the submitted form and its problems
into plain objects the templates render. :func:`submitted` reads the edit form back into
a service payload; the same :class:`Rights` decide which inputs are read, so a translator
cannot change what the page did not offer them.

The side panels of the same pages are built here too: completeness with links to the
fields, the translation status per locale (outdated translations with their source then and
now, see :func:`review_translations`), workflow actions, readable history diffs, the
category picker and associations.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select

from pim.models import (
    AssociationType,
    Category,
    Channel,
    Product,
    ProductModel,
    WorkflowStatus,
)
from pim.services import common, history, inheritance, translation_review, translation_status
from pim.services.errors import Problem
from pim.services.structure_cache import AttrSpec
from pim.values import value_key
from pim.web import forms
from pim.web.context import ViewContext
from pim.web.display import label_of, show_data, show_value

HEADER_FIELDS = ("enabled", "workflow_status", "lifecycle")


@dataclass(frozen=True)
class Rights:
    """What the signed-in user may change on a product or model page.

    ``edit``: everything (values, status, categories, associations, workflow). Otherwise
    ``locales`` are the locales whose localizable values the user translates (None: every
    locale; empty: none, the page is read-only).
    """

    edit: bool = False
    locales: frozenset[str] | None = frozenset()

    @classmethod
    def of(cls, user) -> Rights:
        """The rights of ``user`` (editors and admins edit, translators translate)."""
        if user.can("edit"):
            return cls(edit=True, locales=None)
        if user.can("translate"):
            return cls(locales=frozenset(user.locales) if user.locales else None)
        return cls()

    @property
    def any(self) -> bool:
        """Whether the page has anything for this user to save."""
        return self.edit or self.locales is None or bool(self.locales)

    def may_edit(self, attr: AttrSpec, locale: str | None) -> bool:
        """Whether the value of ``attr`` in ``locale`` is editable for this user."""
        if self.edit:
            return True
        if not attr.localizable or locale is None:
            return False
        return self.locales is None or locale in self.locales


READ_ONLY = Rights()


class Refused(ValueError):
    """A page action that does not apply (any more); the message is for the user."""


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
    #: an input (else the value is shown as text)
    editable: bool = False
    #: an outdated translation: its source then and now (:func:`review_translations`)
    review: translation_review.OutdatedField | None = None
    #: the user may confirm the outdated translation as it is
    confirmable: bool = False
    #: a translation whose source is filled in but which is empty
    missing_translation: bool = False

    @property
    def anchor(self) -> str:
        """The id of the element holding this field (completeness links point here)."""
        return f"field-{self.key}"


@dataclass
class RowView:
    """One attribute: its fields, whether this level owns it, else which model does.

    ``reference`` is the value in the reference locale shown beside the edited one
    (side by side, localizable attributes only).
    """

    attr: AttrSpec
    label: str
    editable: bool
    owner: str | None
    fields: list[FieldView]
    reference: FieldView | None = None


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
    #: the reference locale shown beside the edited one (side by side), if any
    reference: str | None = None

    @property
    def has_editable(self) -> bool:
        return bool(self.editable)


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


def build(
    ctx: ViewContext, entity, *, rights: Rights = READ_ONLY, form=None, problems=(), changes=()
):
    """The :class:`Editor` of ``entity``.

    After a failed save, ``form`` refills the inputs with what the user typed and
    ``problems`` go next to their fields. After a conflict, ``changes`` (the versions saved
    since the one the user edited, oldest first) mark the fields someone else changed; those
    the user left alone show the other person's value, so saving again cannot undo it.
    """
    editor = _editor(ctx, entity, rights)
    base = _base_values(changes)
    if form is not None:
        _refill(editor, form, base)
    _mark_changes(editor, base)
    _attach(editor, problems)
    return editor


def submitted(ctx: ViewContext, entity, rights: Rights, form, *, header: bool) -> tuple[int, dict]:
    """The version the user edited and the service payload of their form.

    Only what ``rights`` allow is read: values of the offered fields, and for editors the
    status fields (``header``: products only) and the categories. Raises
    :class:`forms.FormError` when the form is malformed.
    """
    expected = forms.expected_version(form)
    page = build(ctx, entity, rights=rights)
    payload: dict = {}
    if rights.edit:
        if header:
            payload.update(forms.header_payload(form))
        categories = forms.categories_payload(form)
        if categories is not None:
            payload["categories"] = categories
    payload["values"] = forms.values_payload(
        form, page.editable, entity.values or {}, page.currencies
    )
    return expected, payload


def _editor(ctx: ViewContext, entity, rights: Rights) -> Editor:
    structure = ctx.structure
    where = level_of(entity)
    family = structure.families.get(where.family) if where.family else None
    variant = structure.family_variants.get(where.variant) if where.variant else None
    allowed, _ = common.allowed_attributes(structure, family, variant, where.level)
    chain = inheritance.ancestors(entity.parent)
    values = inheritance.effective_values(entity)
    owners = inheritance.value_owners(entity)
    currencies = ctx.channel.currencies if ctx.channel else tuple(sorted(structure.currencies))
    editor = Editor([], {}, currencies, reference=ctx.compare)
    rows = []
    for attr in _shown_attributes(structure, family):
        own = allowed is None or attr.code in allowed
        owner = None if own else _owner(attr.code, owners, variant, chain, where.level)
        if own or owner:
            rows.append(_row(ctx, editor, attr, values, own, owner, rights))
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


def _row(ctx, editor, attr, values, own, owner, rights: Rights) -> RowView:
    scope = ctx.scope if attr.scopable else None
    shown = scope is not None or not attr.scopable
    locales = ctx.locales if attr.localizable else (None,)
    fields = [_field(attr, values, locale, scope) for locale in locales] if shown else []
    reference = None
    if shown and attr.localizable and ctx.compare:
        reference = _field(attr, values, ctx.compare, scope)
    editable_type = own and attr.type in forms.EDITABLE_TYPES
    for f in fields:
        f.editable = editable_type and rights.may_edit(attr, f.locale)
        if f.editable:
            editor.editable[f.key] = attr
    editable = any(f.editable for f in fields)
    return RowView(
        attr, attr.label(ctx.locale), editable, None if own else owner, fields, reference
    )


def _field(attr: AttrSpec, values: dict, locale, scope) -> FieldView:
    stored = _entry(values, attr.code, locale, scope)
    key = forms.field_key(attr.code, locale, scope)
    return FieldView(key, locale, scope, stored, forms.raw_from_data(attr, stored))


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
    submitted_keys = set(forms.submitted_fields(form, editor.editable))
    for row, f in _fields(editor):
        if f.key not in submitted_keys:
            continue
        raw = forms.raw_from_form(form, f.key, row.attr, editor.currencies)
        key = value_key(row.attr.code, f.locale, f.scope)
        if key in base and _same(row.attr, raw, base[key]):
            continue  # untouched by this user: keep the other person's saved value
        f.raw = raw


def _same(attr: AttrSpec, raw, data) -> bool:
    """Whether submitted ``raw`` says the same as stored ``data``."""
    return forms.same_data(attr, raw, data)


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
    submitted_state = {
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
        name: current[name]
        if name in base and submitted_state[name] == base[name]
        else submitted_state[name]
        for name in HEADER_FIELDS
    }


def categories_state(current, form=None, changes=()) -> set[str]:
    """The category codes the picker shows ticked: the saved ones, or after a failed save
    the user's choice (unless they left alone a choice someone else then changed)."""
    chosen = forms.categories_payload(form) if form is not None else None
    if chosen is None:
        return set(current)
    for version in changes:
        if "categories" in (version.changes or {}):
            base = version.changes["categories"]["old"] or []
            return set(current) if set(chosen) == set(base) else set(chosen)
    return set(chosen)


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


# --- translation status and review -------------------------------------------------------


@dataclass
class LocaleTranslation:
    """Translation status of the item in one locale of the page's channel.

    ``state`` is ``source`` (the locale translations are made from), ``complete``,
    ``missing`` or ``outdated``. ``confirm`` holds the tokens (see :func:`confirm_request`)
    of the outdated translations shown on the page that the user may confirm.
    """

    locale: str
    state: str
    missing: int = 0
    outdated: int = 0
    current: bool = False
    confirm: list[str] = field(default_factory=list)


def review_translations(
    session, ctx: ViewContext, entity, page: Editor, rights: Rights
) -> list[LocaleTranslation]:
    """Mark the outdated and missing translations of the page's fields and return the
    status of each locale of the channel, counting the values this page shows (unscoped
    ones and those of its channel).

    Outdated fields get their source then (from history) and now; ``rights`` decide which
    of them the user may confirm.
    """
    if ctx.channel is None:
        return []
    locales = ctx.channel.locales
    status = translation_status.of_item(entity, ctx.structure, locales)
    shown = {value_key(row.attr.code, f.locale, f.scope): (row, f) for row, f in _fields(page)}
    none = translation_status.LocaleStatus("")  # the source locale: nothing to translate
    for key, (_owner_row, f) in shown.items():
        f.missing_translation = key in status.get(f.locale, none).missing
    reviewed = [
        locale for locale in ctx.locales if set(status.get(locale, none).outdated) & shown.keys()
    ]
    tokens: dict[str, list[str]] = {}
    if reviewed:
        for review in translation_review.outdated_fields(session, entity, ctx.structure, reviewed):
            if review.key not in shown:
                continue
            row, f = shown[review.key]
            f.review = review
            f.confirmable = rights.may_edit(row.attr, review.locale)
            if f.confirmable:
                tokens.setdefault(review.locale, []).append(confirm_token(review))
    on_page = _page_keys(ctx, page, locales)
    return [
        _locale_translation(locale, status.get(locale), on_page, ctx, tokens.get(locale, []))
        for locale in locales
    ]


def _locale_translation(locale, status, on_page, ctx, tokens) -> LocaleTranslation:
    current = locale == ctx.locale
    if status is None:  # the source locale
        return LocaleTranslation(locale, "source", current=current)
    missing = sum(1 for key in status.missing if key in on_page)
    outdated = sum(1 for key in status.outdated if key in on_page)
    state = "missing" if missing else "outdated" if outdated else "complete"
    return LocaleTranslation(locale, state, missing, outdated, current, tokens)


def _page_keys(ctx: ViewContext, page: Editor, locales) -> set[str]:
    """Value keys of the translated texts of the page's rows, in every locale of the
    channel (whether or not the page shows that locale as fields)."""
    return {
        value_key(row.attr.code, locale, ctx.scope if row.attr.scopable else None)
        for group in page.groups
        for row in group.rows
        if translation_status.is_translatable(row.attr)
        for locale in locales
    }


def confirm_token(review: translation_review.OutdatedField) -> str:
    """What a "Confirm translation" button posts: the value key and the hash of the source
    the user saw (``name-fr_FR:1f2e…``)."""
    return f"{review.key}:{review.source_hash}"


def confirm_request(form) -> tuple[list[str], dict[str, str]]:
    """The value keys posted to confirm and the source hash seen for each."""
    keys, seen = [], {}
    for token in form.getlist("confirm"):
        key, _sep, digest = token.rpartition(":")
        if key and digest:
            keys.append(key)
            seen[key] = digest
    return keys, seen


# --- completeness panel ------------------------------------------------------------------


@dataclass
class MissingLink:
    """A missing required value and where to fill it in."""

    label: str
    href: str


@dataclass
class CompletenessRow:
    """Completeness of the product for one channel and locale, with links to what is
    missing."""

    channel: str
    locale: str
    ratio: int
    missing: list[MissingLink]
    current: bool


def completeness_rows(ctx: ViewContext, editor: Editor, stored: list[dict], url_for_ctx):
    """:class:`CompletenessRow` for each stored completeness row of a product.

    A missing value shown on this page links to its field (``#field-…``); one of another
    channel or locale links to the page showing it; an inherited one to the field on the
    page of the model owning it. ``url_for_ctx(scope, locale)`` is the page's URL for
    another channel and locale.
    """
    on_page = {f.key: row.owner for row, f in _fields(editor)}
    attributes = ctx.structure.attributes
    rows = []
    for c in stored:
        links = []
        for code in c["missing"]:
            attr = attributes.get(code)
            if attr is None:
                continue
            key = forms.field_key(
                code,
                c["locale"] if attr.localizable else None,
                c["channel"] if attr.scopable else None,
            )
            anchor = f"#field-{key}"
            if on_page.get(key):
                params = ctx.params(scope=c["channel"], locale=c["locale"])
                href = url_for("web.model_page", code=on_page[key], **params) + anchor
            elif key in on_page:
                href = anchor
            else:
                href = url_for_ctx(c["channel"], c["locale"]) + anchor
            links.append(MissingLink(attr.label(ctx.locale), href))
        current = c["channel"] == ctx.scope and c["locale"] == ctx.locale
        rows.append(CompletenessRow(c["channel"], c["locale"], c["ratio"], links, current))
    return rows


# --- workflow ----------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkflowAction:
    """A button moving a product or model from one workflow status to another."""

    name: str
    label: str
    source: str
    target: str
    #: what the flash message says once done (a sentence)
    done: str
    #: a reason is required (sending back to draft from review)
    needs_comment: bool = False


_DRAFT, _REVIEW, _APPROVED = (
    WorkflowStatus.DRAFT.value,
    WorkflowStatus.IN_REVIEW.value,
    WorkflowStatus.APPROVED.value,
)
WORKFLOW_ACTIONS = {
    action.name: action
    for action in (
        WorkflowAction(
            "submit", _l("Submit for review"), _DRAFT, _REVIEW, _l("Submitted for review.")
        ),
        WorkflowAction("approve", _l("Approve"), _REVIEW, _APPROVED, _l("Approved.")),
        WorkflowAction(
            "reject", _l("Reject"), _REVIEW, _DRAFT, _l("Rejected."), needs_comment=True
        ),
        WorkflowAction("reopen", _l("Back to draft"), _APPROVED, _DRAFT, _l("Back to draft.")),
    )
}


def workflow_actions(status: str) -> list[WorkflowAction]:
    """The actions offered for an item in ``status``."""
    return [action for action in WORKFLOW_ACTIONS.values() if action.source == status]


def workflow_request(form, status: str) -> tuple[WorkflowAction, str | None]:
    """The chosen action and its comment; raises :class:`forms.FormError` when the action
    is unknown and :class:`Refused` when it no longer applies or lacks its reason."""
    action = WORKFLOW_ACTIONS.get(form.get("action", ""))
    if action is None:
        raise forms.FormError(_("unknown workflow action"))
    if action.source != status:
        raise Refused(_("it is %(status)s now", status=status.replace("_", " ")))
    comment = form.get("comment", "").strip()[:2000] or None
    if action.needs_comment and not comment:
        raise Refused(_("a comment saying why is required to reject"))
    return action, comment


# --- history -----------------------------------------------------------------------------


@dataclass
class ChangeRow:
    """One changed field of a diff, as text: what it is, before and after."""

    name: str
    label: str
    old: str
    new: str


def change_rows(ctx: ViewContext, changes: dict) -> list[ChangeRow]:
    """The rows of a diff (:func:`pim.services.history.diff_states`) as plain text.

    Values are named by their attribute label, locale and channel and read like on the
    page (option labels, units); the template escapes everything.
    """
    rows = [
        ChangeRow(name, field_label(name), _show_field(change["old"]), _show_field(change["new"]))
        for name, change in sorted((changes or {}).items())
        if name not in ("values", translation_review.CHANGE_KEY)
    ]
    for key, change in sorted(((changes or {}).get("values") or {}).items()):
        attr, context = _value_attribute(ctx, key)
        label = attr.label(ctx.locale) if attr else key
        if context:
            label = f"{label} ({context})"
        rows.append(
            ChangeRow(key, label, _show(attr, change["old"], ctx), _show(attr, change["new"], ctx))
        )
    rows.extend(_confirmation_rows(ctx, (changes or {}).get(translation_review.CHANGE_KEY)))
    return [row for row in rows if row.old != row.new]  # e.g. no associations → none


_REVIEW_STATES = {
    translation_review.OUTDATED: _l("outdated"),
    translation_review.CURRENT: _l("confirmed as current"),
}


def _confirmation_rows(ctx: ViewContext, change: dict | None) -> list[ChangeRow]:
    """The rows of confirmed translations (:mod:`pim.services.translation_review`)."""
    if not change:
        return []
    rows = []
    for key in sorted(change.get("new") or {}):
        attr, context = _value_attribute(ctx, key)
        label = attr.label(ctx.locale) if attr else key
        label = _("%(field)s (%(context)s): translation", field=label, context=context)
        old = (change.get("old") or {}).get(key)
        new = change["new"][key]
        rows.append(
            ChangeRow(
                key, label, str(_REVIEW_STATES.get(old, old)), str(_REVIEW_STATES.get(new, new))
            )
        )
    return rows


#: How the fields of a product or model (not its values) are named in a diff.
FIELD_LABELS = {
    "identifier": _l("identifier"),
    "code": _l("code"),
    "family": _l("family"),
    "family_variant": _l("family variant"),
    "parent": _l("parent"),
    "enabled": _l("enabled"),
    "workflow_status": _l("workflow status"),
    "lifecycle": _l("lifecycle"),
    "categories": _l("categories"),
    "associations": _l("associations"),
}


def field_label(name: str) -> str:
    """A field of a diff in words (``workflow_status`` → ``workflow status``)."""
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


@dataclass
class Comparison:
    """Two versions of the same item and what changed from the older to the newer."""

    older: object
    newer: object
    rows: list[ChangeRow]


def compare_versions(ctx: ViewContext, versions: list, first, second) -> Comparison | None:
    """The :class:`Comparison` of versions numbered ``first`` and ``second`` (either
    order), or None when one of them is not among ``versions``."""
    by_number = {version.number: version for version in versions}
    if first not in by_number or second not in by_number:
        return None
    older, newer = by_number[min(first, second)], by_number[max(first, second)]
    return Comparison(older, newer, change_rows(ctx, history.compare(older, newer)))


def _value_attribute(ctx: ViewContext, key: str) -> tuple[AttrSpec | None, str]:
    """The attribute of a value key (``name-fr_FR-ecommerce``) and its locale/channel part
    (attribute codes hold no dash)."""
    code, _, rest = key.partition("-")
    return ctx.structure.attributes.get(code), rest.replace("-", " · ")


def _show(attr: AttrSpec | None, data, ctx: ViewContext) -> str:
    if attr is None:
        return show_data(data)
    return show_value(attr, data, ctx.locale)


def _show_field(data) -> str:
    """A product or model field (associations read ``type: A, B``)."""
    if isinstance(data, dict) and all(isinstance(v, dict) for v in data.values()):
        parts = []
        for type_code, targets in sorted(data.items()):
            keys = [*targets.get("products", []), *targets.get("product_models", [])]
            parts.append(f"{type_code}: {', '.join(keys) or '—'}")
        return "; ".join(parts) or show_data(None)
    return show_data(data)


# --- categories and associations ---------------------------------------------------------


@dataclass
class CategoryNode:
    """A category of the picker: ticked or not, with its children."""

    code: str
    label: str
    checked: bool
    children: list[CategoryNode] = field(default_factory=list)


@dataclass
class CategoryTree:
    """A tree of the picker and the channels using it."""

    root: CategoryNode
    channels: list[str]


def category_trees(session, locale: str | None, chosen: set[str]) -> list[CategoryTree]:
    """The trees the category picker shows: every channel's tree, and every tree holding a
    chosen category (so that saving the picker keeps all of them). Two queries, whatever
    the number of trees."""
    channel_trees: dict[int, list[str]] = {}
    query = select(Channel.code, Channel.category_tree_id).where(
        Channel.category_tree_id.is_not(None)
    )
    for code, tree_id in session.execute(query.order_by(Channel.code)):
        channel_trees.setdefault(tree_id, []).append(code)
    root_ids = set(channel_trees)
    if chosen:
        for path in session.scalars(select(Category.path).where(Category.code.in_(chosen))):
            root_ids.add(int(path.strip("/").split("/")[0]))
    if not root_ids:
        return []
    nodes: dict[int, CategoryNode] = {}
    children: dict[int | None, list[int]] = {}
    rows = session.execute(
        select(Category.id, Category.parent_id, Category.code, Category.labels)
        .where(or_(*(Category.path.like(f"/{root}/%") for root in sorted(root_ids))))
        .order_by(Category.sort_order, Category.code)
    )
    for id_, parent_id, code, labels in rows:
        nodes[id_] = CategoryNode(code, label_of(labels, locale, code), code in chosen)
        children.setdefault(parent_id, []).append(id_)
    for parent_id, ids in children.items():
        if parent_id in nodes:
            nodes[parent_id].children = [nodes[i] for i in ids]
    return [CategoryTree(nodes[i], channel_trees.get(i, [])) for i in children.get(None, [])]


def inherited_categories(entity) -> list[tuple[str, list[str]]]:
    """``(model code, category codes)`` of the ancestor models filed in categories."""
    return [
        (model.code, sorted(c.code for c in model.categories))
        for model in inheritance.ancestors(entity.parent)
        if model.categories
    ]


@dataclass
class AssociationGroup:
    """The targets of one association type."""

    code: str
    label: str
    products: list[str]
    models: list[str]


def _owner_filter(owner) -> dict:
    if hasattr(owner, "family_variant"):
        return {"model_id": owner.id}
    return {"product_id": owner.id}


def association_groups(session, locale: str | None, owner) -> list[AssociationGroup]:
    """Every association type with the owner's targets (empty lists when none)."""
    state = common.associations_state(session, **_owner_filter(owner))
    types = session.execute(
        select(AssociationType.code, AssociationType.labels).order_by(AssociationType.code)
    )
    return [
        AssociationGroup(
            code,
            label_of(labels, locale, code),
            state.get(code, {}).get("products", []),
            state.get(code, {}).get("product_models", []),
        )
        for code, labels in types
    ]


TARGET_KINDS = ("products", "product_models")


def association_change(session, owner, form) -> tuple[dict, str]:
    """The ``associations`` payload adding or removing one target, and what it does in
    words. Raises :class:`Refused` (unknown target, nothing chosen)."""
    type_code = form.get("type", "")
    target = form.get("target", "").strip()
    if not type_code or not target:
        raise Refused(_("choose an association type and a product or model"))
    state = common.associations_state(session, **_owner_filter(owner))
    entry = state.get(type_code, {"products": [], "product_models": []})
    if form.get("action") == "remove":
        kind = form.get("kind", "")
        if kind not in TARGET_KINDS or target not in entry[kind]:
            raise Refused(
                _("%(target)s is not associated as %(type)s", target=target, type=type_code)
            )
        entry[kind] = [key for key in entry[kind] if key != target]
        message = _("Removed %(target)s from %(type)s.", target=target, type=type_code)
        return {type_code: entry}, message
    kind = _target_kind(session, target)
    entry[kind] = sorted({*entry[kind], target})
    return {type_code: entry}, _("Added %(target)s to %(type)s.", target=target, type=type_code)


def _target_kind(session, target: str) -> str:
    """Whether ``target`` names a product (tried first) or a product model."""
    if session.scalar(select(Product.id).where(Product.identifier == target)):
        return "products"
    if session.scalar(select(ProductModel.id).where(ProductModel.code == target)):
        return "product_models"
    raise Refused(_("there is no product or product model %(target)r", target=target))
