"""The channel (scope) and locale a page shows, chosen with ``?scope=…&locale=…``.

Product and model pages may add ``compare=LOCALE``: a second, read-only locale shown beside
the edited one (translators get one by default, see :func:`for_editor`).
"""

from __future__ import annotations

from dataclasses import dataclass

from pim.services.structure_cache import ChannelSpec, Structure


@dataclass(frozen=True)
class ViewContext:
    """What a catalogue page shows: one channel, one of its locales, and optionally a
    reference locale of the same channel shown beside it."""

    structure: Structure
    channel: ChannelSpec | None
    locale: str | None
    compare: str | None = None

    @property
    def scope(self) -> str | None:
        return self.channel.code if self.channel else None

    @property
    def locales(self) -> tuple[str, ...]:
        """Locales whose values the editor shows as fields, the chosen one first.

        Side by side (``compare`` set) only the chosen locale: the reference locale is shown
        beside it, read-only. Otherwise every locale of the channel.
        """
        if self.channel is None or self.locale is None:
            return ()
        if self.compare:
            return (self.locale,)
        return (self.locale, *(code for code in self.channel.locales if code != self.locale))

    def params(self, **extra) -> dict:
        """Query parameters keeping this choice in links and redirects."""
        params = {"scope": self.scope, "locale": self.locale}
        if self.compare:
            params["compare"] = self.compare
        return {**params, **extra}


def choose(
    structure: Structure, scope: str | None, locale: str | None, compare: str | None = None
) -> ViewContext:
    """The requested channel and locale when they exist, else sensible defaults.

    The locale must belong to the channel; the first channel by code and its first
    locale are the defaults. ``compare`` is kept only when it is another locale of the
    channel.
    """
    channels = structure.channels
    channel = channels.get(scope or "") or (channels[min(channels)] if channels else None)
    if channel is None:
        return ViewContext(structure, None, None)
    if locale not in channel.locales:
        locale = channel.locales[0] if channel.locales else None
    if compare not in channel.locales or compare == locale:
        compare = None
    return ViewContext(structure, channel, locale, compare)


def from_args(structure: Structure, args) -> ViewContext:
    """:func:`choose` from a request's query string."""
    return choose(structure, args.get("scope"), args.get("locale"), args.get("compare"))


def for_editor(structure: Structure, args, user, values: dict | None = None) -> ViewContext:
    """:func:`from_args` for product and model pages.

    A translator with assigned locales who chose nothing lands on the first of their
    locales, side by side with a locale they do not translate: the one holding the most
    values of ``values`` (the item's effective values), as the reference to translate
    from. An empty ``compare=`` turns the reference column off.
    """
    if getattr(user, "role", None) != "translator" or not user.locales:
        return from_args(structure, args)
    ctx = from_args(structure, args)
    if ctx.channel is None:
        return ctx
    mine = [code for code in ctx.channel.locales if code in user.locales]
    locale = args.get("locale") if "locale" in args else (mine[0] if mine else ctx.locale)
    compare = args.get("compare")
    if "compare" not in args:
        others = [code for code in ctx.channel.locales if code not in user.locales]
        compare = max(others, key=_filled_in(values or {}), default=None)
    return choose(structure, ctx.scope, locale, compare)


def _filled_in(values: dict):
    """Key function: how many values of ``values`` a locale holds."""
    counts: dict[str, int] = {}
    for entries in values.values():
        for entry in entries:
            if entry.get("locale"):
                counts[entry["locale"]] = counts.get(entry["locale"], 0) + 1
    return lambda locale: counts.get(locale, 0)
