"""Reviewing outdated translations: what changed in their source, and confirming them.

A translation is *outdated* when the source text it was stamped with (see
:mod:`pim.services.translation_status`) changed since. To decide whether the translation
still says the right thing, a reviewer needs the source **as it was when translated** next
to the source **now**. Stamps keep only a hash of the old source, so the old text is found
in the version snapshots of the item holding the value: the newest snapshot whose source
value has that hash.

Confirming marks the translations current against today's source without changing them.
It changes no value, so it records its own kind of version: ``{"translations": {"old":
{key: "outdated"}, "new": {key: "current"}}}`` beside the unchanged snapshot.

A value inherited from a product model is stamped on that model: confirming it from a
variant confirms it on the model (every variant of the model shares the translation).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import func, select

from pim import events
from pim.models import Product, Version
from pim.models.types import utcnow
from pim.services import product_models, products, translation_status
from pim.services.actors import Actor
from pim.services.errors import DomainError
from pim.services.history import flatten_values
from pim.services.inheritance import ancestors, effective_values
from pim.services.structure_cache import Structure
from pim.values import value_key

#: The key of confirmations in a version's ``changes``.
CHANGE_KEY = "translations"
OUTDATED, CURRENT = "outdated", "current"


class ReviewRefused(DomainError):
    """A confirmation was refused (rights, or a source changed meanwhile); nothing changed."""


@dataclass
class OutdatedField:
    """One outdated translation with its source then and now.

    ``old_source_found`` is False when no version snapshot holds the source it was
    translated from (history purged, or written before versions were kept): then
    ``old_source`` is None.
    """

    key: str
    code: str
    locale: str
    scope: str | None
    translation: object
    source_locale: str
    new_source: object
    old_source: object = None
    old_source_found: bool = False
    #: the code of the model holding the value, None when the item itself holds it
    holder: str | None = None
    #: the stamp of the translation (``{"from": locale, "hash": …}``)
    stamp: dict = field(default_factory=dict, repr=False)

    @property
    def source_hash(self) -> str:
        """The hash of today's source (a confirmation form sends it back, so that a source
        changed meanwhile is not confirmed unseen)."""
        return translation_status.source_hash(self.new_source)


def outdated_fields(session, item, structure: Structure, locales) -> list[OutdatedField]:
    """The outdated translations of a product or model (its inherited values included) in
    ``locales``, each with the source text then and now."""
    source = translation_status.source_locale()
    values = effective_values(item)
    flat = flatten_values(values)
    fields = []
    for key, level in _outdated(item, structure, locales):
        code = _code_of(key, values)
        locale, scope = _locale_scope(key, code)
        fields.append(
            OutdatedField(
                key=key,
                code=code,
                locale=locale,
                scope=scope,
                translation=flat.get(key),
                source_locale=source,
                new_source=flat.get(value_key(code, source, scope)),
                holder=None if level is item else level.code,
                stamp=(level.translation_sources or {}).get(key) or {},
            )
        )
    _find_old_sources(session, item, fields)
    return fields


def confirm_translations(session, item, keys, actor: Actor, *, user=None, seen=None) -> list:
    """Mark the outdated translations ``keys`` (value keys like ``name-fr_FR``) current.

    Keys that are not outdated are left alone; with nothing to confirm nothing changes and
    no version is recorded. ``user`` (when given) must be allowed to change those
    translations (editors: all; translators: their locales). ``seen`` maps keys to the
    source hash the user looked at: a source changed since is refused. Refusals raise
    :class:`ReviewRefused` before anything changes. Returns the versions recorded (one per
    item or model changed).
    """
    structure = Structure.current(session)
    wanted = set(keys)
    by_level: dict = {}
    values = effective_values(item)
    for key, level in _outdated(item, structure, structure.locales):
        if key in wanted:
            by_level.setdefault(level, []).append(key)
    allowed = user.translation_locales if user is not None else None
    for chosen in by_level.values():
        for key in chosen:
            _check(key, values, allowed, seen)
    return [_confirm_on(session, level, chosen, actor) for level, chosen in by_level.items()]


def _check(key: str, values: dict, allowed, seen) -> None:
    code = _code_of(key, values)
    locale, scope = _locale_scope(key, code)
    if allowed is not None and locale not in allowed:
        raise ReviewRefused(
            _(
                "you may not confirm translations in %(locale)s (you translate: %(mine)s)",
                locale=locale,
                mine=", ".join(sorted(allowed)) or "—",
            )
        )
    if seen and key in seen:
        source = flatten_values(values).get(
            value_key(code, translation_status.source_locale(), scope)
        )
        if seen[key] != translation_status.source_hash(source):
            raise ReviewRefused(
                _(
                    "the source of %(key)s changed since you looked at it; check it again",
                    key=key,
                )
            )


def _confirm_on(session, level, keys: list[str], actor: Actor) -> Version:
    """Confirm ``keys`` on the product or model holding them and record a version."""
    level.translation_sources = translation_status.confirm(
        level.translation_sources, level.values or {}, keys, translation_status.source_locale()
    )
    session.flush()
    is_product = isinstance(level, Product)
    resource = products.RESOURCE if is_product else product_models.RESOURCE
    state = (
        products.product_state(session, level)
        if is_product
        else product_models.model_state(session, level)
    )
    version = Version(
        resource_type=resource,
        resource_id=level.id,
        resource_key=level.identifier if is_product else level.code,
        number=_next_number(session, resource, level.id),
        author_id=actor.user_id,
        author=actor.name,
        source=actor.source,
        changes={
            CHANGE_KEY: {
                "old": dict.fromkeys(sorted(keys), OUTDATED),
                "new": dict.fromkeys(sorted(keys), CURRENT),
            }
        },
        snapshot=state,
        created_at=utcnow(),
    )
    session.add(version)
    session.flush()
    if is_product:
        data = events.product_data(level.identifier, level.version)
        events.emit(session, events.PRODUCT_UPDATED, data)
    return version


def _next_number(session, resource: str, resource_id: int) -> int:
    """The number of the next version (:func:`pim.services.history.record` records only
    changes of the snapshot, and stamps are not part of it)."""
    latest = session.scalar(
        select(func.max(Version.number)).where(
            Version.resource_type == resource, Version.resource_id == resource_id
        )
    )
    return (latest or 0) + 1


def _outdated(item, structure: Structure, locales) -> list[tuple[str, object]]:
    """``(value key, level holding it)`` of the outdated translations of ``item``."""
    chain = [*ancestors(item.parent), item]
    result = []
    for status in translation_status.of_item(item, structure, locales).values():
        for key in status.outdated:
            holders = [level for level in chain if key in (level.translation_sources or {})]
            result.append((key, holders[-1] if holders else item))
    return result


def _find_old_sources(session, item, fields: list[OutdatedField]) -> None:
    """Fill ``old_source`` from the newest snapshot whose source has the stamp's hash,
    searching the level holding each value, then the item itself."""
    models = {model.code: model for model in ancestors(item.parent)}
    by_holder: dict = {}
    for f in fields:
        by_holder.setdefault(f.holder, []).append(f)
    for holder, group in by_holder.items():
        for level in [models[holder], item] if holder is not None else [item]:
            _search(session, level, [f for f in group if not f.old_source_found])


def _search(session, level, fields: list[OutdatedField]) -> None:
    if not fields or level.id is None:
        return
    resource = products.RESOURCE if isinstance(level, Product) else product_models.RESOURCE
    snapshots = session.scalars(
        select(Version.snapshot)
        .where(Version.resource_type == resource, Version.resource_id == level.id)
        .order_by(Version.number.desc())
        .execution_options(yield_per=50)
    )
    left = list(fields)
    for snapshot in snapshots:
        flat = flatten_values((snapshot or {}).get("values"))
        for f in list(left):
            source_key = value_key(f.code, f.stamp.get("from") or f.source_locale, f.scope)
            if source_key in flat and (
                translation_status.source_hash(flat[source_key]) == f.stamp.get("hash")
            ):
                f.old_source, f.old_source_found = flat[source_key], True
                left.remove(f)
        if not left:
            break
    snapshots.close()


def _code_of(key: str, values: dict) -> str:
    """The attribute code of a value key (codes may contain ``-``: the longest match)."""
    candidates = [code for code in values if key == code or key.startswith(code + "-")]
    return max(candidates, key=len) if candidates else key.split("-", 1)[0]


def _locale_scope(key: str, code: str) -> tuple[str | None, str | None]:
    rest = key[len(code) + 1 :].split("-", 1)
    return rest[0] or None, (rest[1] if len(rest) > 1 else None)
