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

Keys starting with ``_`` are flags from the pipeline (``_apparel``, ``_variant``): writers
read them in :meth:`FeedWriter.check` and never write them out.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
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
