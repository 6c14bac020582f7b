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
            return [f"{self.name}: is required"] if self.required else []
        text = str(value)
        if self.choices is not None and text not in self.choices:
            allowed = ", ".join(sorted(self.choices))
            return [f"{self.name}: {text!r} is not one of {allowed}"]
        if self.max_length is not None and len(text) > self.max_length:
            return [f"{self.name}: {len(text)} characters, at most {self.max_length} allowed"]
        return []


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
