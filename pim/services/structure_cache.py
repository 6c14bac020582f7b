"""A read-only snapshot of the catalogue structure, loaded once per request or batch.

Validation and completeness run per product and must not query attributes, options or
requirements each time; they read this snapshot instead. Load a new one after changing
the structure.
"""

from __future__ import annotations

import re
import secrets
import threading
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from pim.models import (
    Attribute,
    AttributeGroup,
    Channel,
    Currency,
    Family,
    FamilyVariant,
    Locale,
    StructureRevision,
)


@dataclass(frozen=True)
class AttrSpec:
    """What validation and completeness need to know about an attribute."""

    id: int
    code: str
    type: str
    group: str
    sort_order: int
    labels: dict
    localizable: bool
    scopable: bool
    unique: bool
    max_length: int | None
    regex: re.Pattern | None
    min_value: Decimal | None
    max_value: Decimal | None
    decimals_allowed: bool
    rich_text: bool
    metric_family: str | None
    default_unit: str | None
    #: option code → labels (select attributes only)
    options: dict = field(default_factory=dict)
    #: sources allowed to write it through imports, highest precedence first (None: default)
    sources: tuple[str, ...] | None = None

    def label(self, locale: str | None = None) -> str:
        if locale and self.labels.get(locale):
            return self.labels[locale]
        return next((t for t in self.labels.values() if t), self.code)


@dataclass(frozen=True)
class ChannelSpec:
    id: int
    code: str
    labels: dict
    locales: tuple[str, ...]
    currencies: tuple[str, ...]


@dataclass(frozen=True)
class FamilySpec:
    id: int
    code: str
    labels: dict
    attributes: frozenset[str]
    #: channel code → required attribute codes, in attribute order
    requirements: dict
    label_attribute: str | None
    image_attribute: str | None


@dataclass(frozen=True)
class FamilyVariantSpec:
    id: int
    code: str
    family: str
    levels: int
    #: level → axis attribute codes
    axes: dict
    #: level → attribute codes owned by that level (axes included); level 0 = the rest
    owned: dict

    def level_of(self, attribute: str) -> int:
        """Which level owns ``attribute`` (0 = root model)."""
        for level in (1, 2):
            if attribute in self.owned.get(level, ()):
                return level
        return 0


@dataclass(frozen=True)
class Structure:
    """Attributes, channels, locales, currencies, families and family variants."""

    attributes: dict
    groups: dict
    channels: dict
    locales: dict
    currencies: frozenset
    families: dict
    family_variants: dict

    @cached_property
    def requirement_plan(self) -> dict:
        """Family code → [(channel, [required AttrSpec…])…]: what completeness checks."""
        return {
            code: [
                (channel, [self.attributes[c] for c in family.requirements.get(channel.code, ())])
                for channel in self.channels.values()
            ]
            for code, family in self.families.items()
        }

    @cached_property
    def context_problems(self) -> dict:
        """(attribute, locale, scope) → why that context is refused (or None); filled by
        :mod:`pim.values` as contexts are met."""
        return {}

    @cached_property
    def active_locales(self) -> frozenset[str]:
        """Locales used by at least one channel (values may only use these)."""
        return frozenset(code for ch in self.channels.values() for code in ch.locales)

    @classmethod
    def current(cls, session) -> Structure:
        """The structure as this session sees it, cached per revision token.

        Reading the token is one tiny query; the full load happens only after a
        structure change (or on a new process).
        """
        token = session.scalar(select(StructureRevision.token).where(StructureRevision.id == 1))
        if token is None:
            return cls.load(session)
        token = (str(session.get_bind().engine.url), token)  # several databases per process
        with _CACHE_LOCK:
            cached = _CACHE.get(token)
        if cached is not None:
            return cached
        structure = cls.load(session)
        with _CACHE_LOCK:
            _CACHE[token] = structure
            while len(_CACHE) > _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
        return structure

    @classmethod
    def load(cls, session) -> Structure:
        """Read the whole structure (a few queries, whatever the catalogue size)."""
        attributes = _load_attributes(session)
        groups = {
            g.code: {"labels": g.labels, "sort_order": g.sort_order}
            for g in session.scalars(select(AttributeGroup))
        }
        channels = {
            ch.code: ChannelSpec(
                ch.id, ch.code, ch.labels, tuple(ch.locale_codes), tuple(ch.currency_codes)
            )
            for ch in session.scalars(
                select(Channel).options(
                    selectinload(Channel.locales), selectinload(Channel.currencies)
                )
            )
        }
        locales = {code: id_ for id_, code in session.execute(select(Locale.id, Locale.code))}
        currencies = frozenset(
            session.scalars(select(Currency.code).where(Currency.enabled.is_(True)))
        )
        families = _load_families(session, attributes)
        variants = _load_family_variants(session)
        return cls(attributes, groups, channels, locales, currencies, families, variants)


_CACHE: dict[tuple[str, str], Structure] = {}
_CACHE_SIZE = 8
_CACHE_LOCK = threading.Lock()


def bump_revision(session) -> None:
    """Record that the structure changed (call after every structure write)."""
    session.execute(
        update(StructureRevision)
        .where(StructureRevision.id == 1)
        .values(token=secrets.token_hex(16))
    )


def _decimal(text: str | None) -> Decimal | None:
    return Decimal(text) if text not in (None, "") else None


def _load_attributes(session) -> dict:
    rows = session.scalars(
        select(Attribute)
        .options(selectinload(Attribute.options), selectinload(Attribute.group))
        .order_by(Attribute.sort_order, Attribute.code)
    )
    return {
        a.code: AttrSpec(
            id=a.id,
            code=a.code,
            type=a.type,
            group=a.group.code,
            sort_order=a.sort_order,
            labels=dict(a.labels or {}),
            localizable=a.localizable,
            scopable=a.scopable,
            unique=a.is_unique,
            max_length=a.max_length,
            regex=re.compile(a.regex) if a.regex else None,
            min_value=_decimal(a.min_value),
            max_value=_decimal(a.max_value),
            decimals_allowed=a.decimals_allowed,
            rich_text=a.rich_text,
            metric_family=a.metric_family,
            default_unit=a.default_unit,
            options={o.code: dict(o.labels or {}) for o in a.options},
            sources=tuple(a.sources) if a.sources else None,
        )
        for a in rows
    }


def _load_families(session, attributes: dict) -> dict:
    order = {code: i for i, code in enumerate(attributes)}
    families = {}
    query = select(Family).options(
        selectinload(Family.attributes),
        selectinload(Family.requirements),
        selectinload(Family.label_attribute),
        selectinload(Family.image_attribute),
    )
    by_id = {spec.id: code for code, spec in attributes.items()}
    channel_codes = dict(session.execute(select(Channel.id, Channel.code)).all())
    for fam in session.scalars(query):
        required: dict[str, list[str]] = {code: [] for code in channel_codes.values()}
        for req in fam.requirements:
            required[channel_codes[req.channel_id]].append(by_id[req.attribute_id])
        families[fam.code] = FamilySpec(
            id=fam.id,
            code=fam.code,
            labels=dict(fam.labels or {}),
            attributes=frozenset(a.code for a in fam.attributes),
            requirements={
                ch: tuple(sorted(codes, key=order.get)) for ch, codes in required.items()
            },
            label_attribute=fam.label_attribute.code if fam.label_attribute else None,
            image_attribute=fam.image_attribute.code if fam.image_attribute else None,
        )
    return families


def _load_family_variants(session) -> dict:
    variants = {}
    query = select(FamilyVariant).options(
        selectinload(FamilyVariant.family), selectinload(FamilyVariant.attribute_sets)
    )
    for fv in session.scalars(query):
        axes: dict[int, list[str]] = {}
        owned: dict[int, set[str]] = {}
        for row in fv.attribute_sets:
            owned.setdefault(row.level, set()).add(row.attribute.code)
            if row.is_axis:
                axes.setdefault(row.level, []).append(row.attribute.code)
        variants[fv.code] = FamilyVariantSpec(
            id=fv.id,
            code=fv.code,
            family=fv.family.code,
            levels=max(owned, default=0),
            axes={level: tuple(sorted(codes)) for level, codes in axes.items()},
            owned={level: frozenset(codes) for level, codes in owned.items()},
        )
    return variants
