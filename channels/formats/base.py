"""The interface every feed format implements, and a small declarative field spec.

A feed build drives a writer like this::

    writer = FORMATS[name]()
    writer.open(stream, title=..., link=..., description=...)
    for item in items:                      # plain dicts keyed by the format's attribute names
        problems = writer.check(item)
        if problems:
            report(item, problems)          # the item is left out of this feed
        else:
            writer.write(item)
    writer.close()

Keys starting with ``_`` are flags from the pipeline: writers read them and never write
them out as such. Every item has ``_variant`` (a variant of a product model) and
``_axes`` (its variant axes in order, each ``{"code", "label", "value", "value_label"}``,
labels in the feed's locale; empty for a standalone product), ``_group_label`` (the root
model's label in the feed's locale, None for a standalone product) and ``_categories``
(``[{"code", "label", "trail"}]``, the product's and its models' categories in tree order,
``trail`` like ``"Women > Tops"``). Writers whose class sets ``wants_features = True`` also
get ``_features``: every filled attribute of the product (inherited values included) as
``{"code", "label", "type", "value", "unit"}`` (text in the feed's locale; ``unit`` is a
UN/ECE Rec. 20 code for metric values, else None), prices and media left out.

Optional class attributes a writer may set:

* ``grouped = True``: items come ordered by ``item_group_id`` (all variants of a model in
  a row, standalone products on their own), so the writer can buffer one group at a time;
* ``wants_context = True``: the writer is built as ``Writer(context=FeedContext(...))``;
* ``wants_features = True``: see ``_features`` above;
* ``validate_file(path, *, gzipped) -> list[str]`` (a classmethod): checks a written file
  before it is published (each problem a sentence); without it the run checks XML
  well-formedness and NDJSON lines.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO, Protocol, runtime_checkable

from pim.i18n import N_, english

#: A problem of one field: the field's name, then a phrase (itself one of the messages
#: below). Problems are stored in English on a feed run and translated when shown
#: (``channels.pipeline.EXCLUSION_MESSAGES``), so each phrase is a message id marked
#: with ``N_`` and filled in with :func:`~pim.i18n.english`.
FIELD_PROBLEM = N_("%(field)s: %(problem)s")


def field_problem(name: str, problem: object, /, **params) -> str:
    """``"title: is required"``: ``problem`` (a message id filled in with ``params``, or an
    English phrase already filled in, such as a ValueError's) about the field ``name``."""
    return english(FIELD_PROBLEM, field=name, problem=english(str(problem), **params))


#: phrases several formats use
REQUIRED = N_("is required")
FOR_A_VARIANT = N_("is required for a variant")


def not_a_number(amount: object) -> str:
    """``"amount is not a number ('abc')"``."""
    return english(N_("amount is not a number (%(amount)s)"), amount=repr(amount))


def cannot_read(value: object) -> str:
    """``"cannot be read from {'a': 1}"``: a value of a type the format has no use for."""
    return english(N_("cannot be read from %(value)s"), value=repr(value))


def other_currency(sale_currency: str, currency: str) -> str:
    """The sale price's problem when its currency is not the price's."""
    return field_problem(
        "sale_price",
        N_("currency %(sale)s differs from the price's %(price)s"),
        sale=sale_currency,
        price=currency,
    )


#: Every phrase of the formats' problems, for ``channels.pipeline.EXCLUSION_MESSAGES``
#: (a text is matched against them in this order: a longer variant of a phrase comes first).
PROBLEM_MESSAGES = (
    N_("is required when availability is %(availability)s"),
    N_("is required when the item has neither gtin nor mpn"),
    N_("is required for a variant"),
    N_("is required for apparel"),
    N_("is required"),
    N_("%(value)s is not one of %(allowed)s"),
    N_("%(length)s characters, at most %(limit)s allowed"),
    N_("%(count)s images, at most %(limit)s allowed"),
    N_("%(count)s images, at most %(limit)s"),
    N_("amount is not a number (%(amount)s)"),
    N_("amount is too large (%(amount)s)"),
    N_("amount %(amount)s is not a number"),
    N_("amount %(amount)s is not a price"),
    N_("cannot be read from %(value)s"),
    N_("currency %(sale)s differs from the price's %(price)s"),
    N_("currency must be a 3-letter ISO 4217 code, not %(currency)s"),
    N_("%(sale)s must be lower than the price %(price)s"),
    N_("in %(currency)s, the catalogue is in %(catalogue)s"),
    N_("must be a single value, not a %(kind)s"),
    N_("must be a list of URLs, not %(kind)s"),
    N_("must be a URL or a list of URLs, not %(kind)s"),
    N_("URL of %(length)s characters, BMEcat allows at most 255 (%(url)s)"),
    N_("must not contain spaces (%(url)s)"),
    N_("must be an http or https URL (%(url)s)"),
    N_("must not be negative (%(amount)s)"),
    N_("must be positive (%(amount)s)"),
    N_("must give %(first)s and %(second)s (%(value)s)"),
    N_("must give an amount and a unit (%(value)s)"),
    N_("must be an amount and a currency"),
    N_("needs a time zone (%(value)s)"),
    N_("must be an ISO 8601 date such as 2026-12-25T13:00-0800 (%(value)s)"),
    N_("is not a real date and time (%(value)s)"),
    N_("unit must be one of %(units)s, not %(unit)s"),
    N_("is not a number (%(value)s)"),
    N_("must be a rate such as 0.19 for 19%%, not %(value)s"),
    N_("%(code)s is not a UN/ECE Rec. 20 unit code BMEcat 2005 knows"),
    N_("must contain only digits (%(gtin)s)"),
    N_("must be 8, 12, 13 or 14 digits long, not %(length)s (%(gtin)s)"),
    N_("check digit is wrong (%(gtin)s)"),
    N_("must be 'no' when the item has neither gtin nor mpn"),
    N_("is not a Google Merchant attribute this feed writes"),
    N_("is not a Meta catalog column this feed writes"),
    N_("gives no Shopify handle (it needs ASCII letters or digits)"),
    N_("variant has no axis values"),
    N_("Shopify allows at most %(limit)s options, this product has %(count)s (%(names)s)"),
    N_("%(name)s has no value"),
    N_("%(name)s is longer than %(limit)s characters"),
    N_("its handle %(handle)s is the previous product's (%(previous)s); Shopify would merge them"),
    N_("option names %(names)s differ from the product's other variants"),
    N_("%(values)s are already used by %(owner)s in this product"),
    N_("missing"),
)


@runtime_checkable
class FeedWriter(Protocol):
    """Writes one feed document, item by item, to a binary stream, in constant memory."""

    extension: str
    content_type: str

    def check(self, item: dict) -> list[str]:
        """Problems that keep ``item`` out of the feed, each a sentence naming the field.

        An empty list means the item is publishable.
        """
        ...

    def open(self, stream: BinaryIO, *, title: str, link: str, description: str) -> None:
        """Start the document on ``stream``; the channel metadata goes in its header."""
        ...

    def write(self, item: dict) -> None:
        """Append one item; only called for items whose :meth:`check` was empty."""
        ...

    def close(self) -> None:
        """Finish the document (closing tags, flush); called exactly once. The stream stays open."""
        ...


def is_blank(value: object) -> bool:
    """True for a missing value: None, an empty or all-space string, an empty collection."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, Collection) and len(value) == 0


@dataclass(frozen=True)
class Field:
    """One text attribute of a format: whether it is required, its length, its allowed values.

    Formats list their attributes as Fields in output order; rules that need more than one
    attribute (a date required by an availability, say) live in the format's ``check``.
    """

    name: str
    required: bool = False
    max_length: int | None = None
    choices: frozenset[str] | None = None

    def problems(self, value: object) -> list[str]:
        """What is wrong with ``value`` for this field, as sentences naming the field."""
        if is_blank(value):
            return [field_problem(self.name, REQUIRED)] if self.required else []
        text = str(value)
        if self.choices is not None and text not in self.choices:
            allowed = ", ".join(sorted(self.choices))
            return [
                field_problem(
                    self.name,
                    N_("%(value)s is not one of %(allowed)s"),
                    value=repr(text),
                    allowed=allowed,
                )
            ]
        if self.max_length is not None and len(text) > self.max_length:
            return [too_long(self.name, len(text), self.max_length)]
        return []


def too_long(name: str, length: int, limit: int) -> str:
    """``"title: 151 characters, at most 150 allowed"``."""
    return field_problem(
        name, N_("%(length)s characters, at most %(limit)s allowed"), length=length, limit=limit
    )


def _no_image(url: str) -> tuple[bytes, str] | None:
    return None


@dataclass
class FeedContext:
    """What a writer may need besides the items: the feed's settings and an image source.

    ``fetch_image(url)`` returns ``(bytes, content type)`` for an image link of an item (the
    rendition in the feed's preset, read from the media storage, never over the network)
    or None when it cannot be had.
    """

    code: str = "feed"
    label: str = ""
    channel: str = ""
    locale: str = "en_US"
    currency: str = "EUR"
    territory: str | None = None
    generated_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    fetch_image: Callable[[str], tuple[bytes, str] | None] = _no_image


class OrderedCalls:
    """``open``, then ``write``s, then ``close``: writers refuse calls out of that order
    (a call out of order is a bug in the caller, never silently a broken file)."""

    _state = "new"

    def _move(self, expected: str, new: str, action: str) -> None:
        if self._state != expected:
            raise RuntimeError(f"cannot {action} a {self._state} feed writer")
        self._state = new


def group_key(item: dict) -> tuple[str, str]:
    """What the items of one product share: its model's ``item_group_id``, or for a
    standalone product its own ``id`` (grouped writers write one such group at a time)."""
    group = item.get("item_group_id")
    if not is_blank(group):
        return ("group", str(group).strip())
    return ("product", str(item.get("id") or "").strip())
