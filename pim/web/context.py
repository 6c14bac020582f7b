"""The channel (scope) and locale a page shows, chosen with ``?scope=…&locale=…``."""

from __future__ import annotations

from dataclasses import dataclass

from pim.services.structure_cache import ChannelSpec, Structure


@dataclass(frozen=True)
class ViewContext:
    """What a catalogue page shows: one channel and one of its locales."""

    structure: Structure
    channel: ChannelSpec | None
    locale: str | None

    @property
    def scope(self) -> str | None:
        return self.channel.code if self.channel else None

    @property
    def locales(self) -> tuple[str, ...]:
        """Locales of the chosen channel, the chosen one first (the order of the editor)."""
        if self.channel is None or self.locale is None:
            return ()
        return (self.locale, *(code for code in self.channel.locales if code != self.locale))

    def params(self, **extra) -> dict:
        """Query parameters keeping this choice in links and redirects."""
        return {"scope": self.scope, "locale": self.locale, **extra}


def choose(structure: Structure, scope: str | None, locale: str | None) -> ViewContext:
    """The requested channel and locale when they exist, else sensible defaults.

    The locale must belong to the channel; the first channel by code and its first
    locale are the defaults.
    """
    channels = structure.channels
    channel = channels.get(scope or "") or (channels[min(channels)] if channels else None)
    if channel is None:
        return ViewContext(structure, None, None)
    if locale not in channel.locales:
        locale = channel.locales[0] if channel.locales else None
    return ViewContext(structure, channel, locale)


def from_args(structure: Structure, args) -> ViewContext:
    """:func:`choose` from a request's query string."""
    return choose(structure, args.get("scope"), args.get("locale"))
