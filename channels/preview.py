"""Feed previews: what a feed definition would publish, before it is saved or run.

:func:`preview_feed` takes a saved :class:`~channels.models.Feed` or an edited definition
(the dict :func:`~channels.feeds.save_feed` takes). An edited definition is checked by
``save_feed`` itself inside a savepoint that is always rolled back: the same checks as a
save, and nothing written. The preview then runs the pipeline and the format's writer as a
run does (:mod:`channels.runs`), but only over the first ``scan`` products, and writes the
first ``limit`` publishable items into memory: their output text, the items as a table and
the funnel (scanned, included, excluded by reason with samples). No run is recorded and no
file is stored.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from flask_babel import gettext as _

from channels.feeds import known_formats, save_feed
from channels.mapping import MappingError, as_text
from channels.models import Feed
from channels.pipeline import BATCH_SIZE, EXCLUSION_MESSAGES, Item, Settings, feed_entries
from channels.runs import DEFAULT_PRESET, Tally, make_writer
from dam.services.renditions import UnknownPreset, preset_for_channel, preset_named
from pim.services.errors import InvalidData, Problem

#: the code previewed when the form has none yet (a new feed)
DRAFT_CODE = "draft_preview"
#: the most items a preview writes, whatever it is asked
MAX_LIMIT = 200


def N_(message: str) -> str:  # noqa: N802 - the name ``pybabel extract`` looks for
    """Mark ``message`` for the UI's catalogue without translating it: the preview is
    shared with the REST API, which speaks English; the browser's view translates the note
    (``Preview.note_message`` with ``note_args``)."""
    return message


BINARY_NOTE = N_("A preview of the %(format)s file is not available.")
GZIP_NOTE = N_("Shown uncompressed; the published file is gzipped.")


@dataclass
class Funnel:
    """What happened to the products scanned: included, or excluded and why."""

    scanned: int = 0
    included: int = 0
    excluded: int = 0
    #: reason → {"count": n, "sample": [identifiers…]}, as in a run
    reasons: dict = field(default_factory=dict)
    #: whether the scan reached the end of the catalogue (else the counts are partial)
    complete: bool = True


@dataclass
class Preview:
    """A feed's first items as written, as a table, and the funnel; or why it cannot be
    built (``problems``, each naming the setting at fault)."""

    problems: list[Problem] = field(default_factory=list)
    format: str = ""
    columns: list[str] = field(default_factory=list)
    #: the first items, field → value as text
    items: list[dict[str, str]] = field(default_factory=list)
    #: the writer's output for those items (None for binary formats such as PDF)
    output: str | None = None
    #: why the output is not shown, or what to know about it (English)
    note: str = ""
    funnel: Funnel = field(default_factory=Funnel)
    #: the note's catalogue message and its values, for the browser to translate
    note_message: str = ""
    note_args: dict = field(default_factory=dict)

    def set_note(self, message: str, **args) -> None:
        """Set the note to ``message`` (one of the ``*_NOTE`` messages) filled with ``args``."""
        self.note = message % args if args else message
        self.note_message, self.note_args = message, args

    def as_dict(self) -> dict:
        """The preview as JSON-ready data."""
        return {
            "ok": not self.problems,
            "problems": [{"field": p.field, "message": p.message} for p in self.problems],
            "format": self.format,
            "columns": self.columns,
            "items": self.items,
            "output": self.output,
            "note": self.note,
            "funnel": {
                "scanned": self.funnel.scanned,
                "included": self.funnel.included,
                "excluded": self.funnel.excluded,
                "reasons": {  # shown now: in the reader's language
                    EXCLUSION_MESSAGES.translate(reason): entry
                    for reason, entry in self.funnel.reasons.items()
                },
                "complete": self.funnel.complete,
            },
        }


def preview_feed(
    session, source: Feed | dict, *, limit: int = 20, scan: int = 5000, base_url: str, media
) -> Preview:
    """Preview a saved feed or an edited definition (unsaved); nothing is written.

    Problems of the definition (the checks of :func:`~channels.feeds.save_feed`), of its
    rendition preset and of its mapping at evaluation are returned, never raised.
    """
    limit = max(0, min(limit, MAX_LIMIT))
    if isinstance(source, Feed):
        return _build(session, source, limit, scan, base_url, media)
    payload = {**source, "code": source.get("code") or DRAFT_CODE}
    savepoint = session.begin_nested()
    try:
        try:
            feed = save_feed(session, payload)
        except InvalidData as invalid:
            return Preview(problems=list(invalid.problems), format=str(payload.get("format")))
        return _build(session, feed, limit, scan, base_url, media)
    finally:
        savepoint.rollback()


def _build(session, feed: Feed, limit: int, scan: int, base_url: str, media) -> Preview:
    preview = Preview(format=feed.format)
    if feed.format not in known_formats():
        preview.problems.append(
            Problem(_("unknown format %(format)r", format=feed.format), field="format")
        )
        return preview
    try:
        settings = Settings(
            base_url.rstrip("/"), _preset(feed, media), batch_size=min(BATCH_SIZE, scan + 1)
        )
        kept = _scan(session, feed, settings, scan, limit, preview.funnel)
    except UnknownPreset as error:
        preview.problems.append(Problem(str(error), field="rendition_preset"))
        return preview
    except MappingError as error:
        preview.problems.append(Problem(str(error), field="mapping"))
        return preview
    preview.columns = columns_of(kept)
    preview.items = [{c: as_text(item.get(c)) for c in preview.columns} for item in kept]
    _write(feed, kept, base_url, preview)
    return preview


def columns_of(items: list[dict]) -> list[str]:
    """The fields of the items in order of appearance, id and item group first; flags
    (``_variant``…) are not shown, as writers never write them."""
    found = dict.fromkeys(key for item in items for key in item if not key.startswith("_"))
    leading = [key for key in ("id", "item_group_id") if key in found]
    return leading + [key for key in found if key not in leading]


def _preset(feed: Feed, media) -> str:
    """The rendition preset of the feed's image links, as a run picks it."""
    if feed.rendition_preset:
        return preset_named(media, feed.rendition_preset).name
    preset = preset_for_channel(media, feed.channel.code)
    return preset.name if preset else DEFAULT_PRESET


def _scan(session, feed: Feed, settings: Settings, scan: int, limit: int, funnel: Funnel):
    """Count the first ``scan`` products into ``funnel``; return the first ``limit`` items
    the writer accepts."""
    writer, tally, kept = make_writer(feed), Tally(), []
    for entry in feed_entries(session, feed, settings):
        if funnel.scanned >= scan:
            funnel.complete = False
            break
        funnel.scanned += 1
        problems = writer.check(entry.data) if isinstance(entry, Item) else [entry.reason]
        if problems:
            tally.exclude(entry.key, problems[0])
            continue
        tally.included += 1
        if len(kept) < limit:
            kept.append(entry.data)
    funnel.included, funnel.excluded, funnel.reasons = tally.included, tally.excluded, tally.reasons
    return kept


def _write(feed: Feed, items: list[dict], base_url: str, preview: Preview) -> None:
    """The writer's output for ``items``, as text; a note instead for binary formats."""
    writer = make_writer(feed)
    if not is_text(writer.content_type):
        preview.set_note(BINARY_NOTE, format=writer.extension.upper())
        return
    stream = io.BytesIO()
    writer.open(
        stream,
        title=feed.label or feed.code,
        link=base_url.rstrip("/"),
        description=f"{feed.channel.code} products ({feed.locale}, {feed.currency})",
    )
    for item in items:
        writer.write(item)
    writer.close()
    preview.output = stream.getvalue().decode("utf-8-sig", errors="replace")
    if feed.gzip:
        preview.set_note(GZIP_NOTE)


def is_text(content_type: str) -> bool:
    """Whether a format's files are text (CSV, TSV, XML, JSON…) rather than binary."""
    kind = content_type.split(";")[0].strip().lower()
    return kind.startswith("text/") or kind.endswith(("json", "xml", "+json", "+xml"))
