"""Feed runs: build the output in constant memory, validate it, and publish it or not.

:func:`run_feed` streams the pipeline's items through the format's writer into a temporary
file (gzipped when the feed says so), checks the file, then applies the **publish gate**:
the new output replaces the current one only if it is valid and its item count did not
drop by more than the feed's ``max_drop`` versus the last successful run. Otherwise the run
is ``held`` (a suspicious drop) or ``failed`` (invalid output, bad mapping, error), and the
previous output stays current. Every output is kept at ``feeds/<code>/<run id>.<ext>[.gz]``
in the media storage; the current one is copied to ``feeds/<code>/current.<ext>[.gz]``.
A delta run (:mod:`channels.delta`) writes only the changes and is never gated.
"""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from flask import current_app
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import object_session

from channels import destinations
from channels.delta import DELTA_FORMATS, ItemState
from channels.feeds import known_formats
from channels.formats.base import FeedContext
from channels.formats.tabular import TABULAR, columns_for
from channels.images import image_fetcher
from channels.mapping import MappingError, check_mapping
from channels.models import Feed, FeedRun, RunStatus
from channels.pipeline import Item, Settings, feed_entries
from dam.services.renditions import UnknownPreset, preset_for_channel, preset_named
from dam.storage import StorageError
from pim import events
from pim.models.types import utcnow
from pim.services.errors import DomainError
from pim.services.structure_cache import Structure

log = logging.getLogger(__name__)
FEED_RUN_FINISHED = events.declare("feed.run.finished", "a feed run ended (any status)")

#: a "running" run older than this was abandoned by a process that died
STALE_AFTER = timedelta(hours=6)
#: identifiers kept per exclusion reason, to show examples
SAMPLE_SIZE = 10
PROGRESS_EVERY = 500
#: items written (and their digests recorded) together
BATCH = 1000
DEFAULT_PRESET = "preview"


class FeedBusy(DomainError):
    """The feed is being built by another run."""


class RunFailed(Exception):
    """The build cannot go on; the message is the run's."""


@dataclass
class Tally:
    """Counts of a build, as it goes."""

    included: int = 0
    excluded: int = 0
    reasons: dict = field(default_factory=dict)

    def exclude(self, key: str, reason: str) -> None:
        self.excluded += 1
        entry = self.reasons.setdefault(reason, {"count": 0, "sample": []})
        entry["count"] += 1
        if len(entry["sample"]) < SAMPLE_SIZE:
            entry["sample"].append(key)


def default_base_url() -> str:
    """Where image links and pull URLs point: ``FEEDS_BASE_URL`` (VITRINE_FEEDS_BASE_URL)."""
    return str(current_app.config.get("FEEDS_BASE_URL") or "http://127.0.0.1:5000")


def progress_key(run_id: int) -> str:
    return f"feed-progress:{run_id}"


def make_writer(feed: Feed, *, delta: bool = False, context: FeedContext | None = None):
    """A new writer for the feed's format (a delta CSV has a ``deleted`` column); writers
    that want a :class:`FeedContext` get ``context`` or one made from the feed."""
    if feed.format in TABULAR:
        columns = columns_for(feed.mapping or {}) + (["deleted"] if delta else [])
        return TABULAR[feed.format](columns=columns)
    writer_class = known_formats()[feed.format]
    if getattr(writer_class, "wants_context", False):
        return writer_class(context=context or feed_context(feed))
    return writer_class()


def feed_context(feed: Feed, fetch_image=None) -> FeedContext:
    """What context-aware writers know of the feed."""
    context = FeedContext(
        code=feed.code,
        label=feed.label or feed.code,
        channel=feed.channel.code,
        locale=feed.locale,
        currency=feed.currency,
        territory=feed.territory,
    )
    if fetch_image is not None:
        context.fetch_image = fetch_image
    return context


def last_success(session, feed: Feed) -> FeedRun | None:
    """The feed's latest succeeded full (not delta) run."""
    return session.scalars(
        select(FeedRun)
        .where(
            FeedRun.feed_id == feed.id,
            FeedRun.status == RunStatus.SUCCEEDED,
            FeedRun.delta.is_(False),
        )
        .order_by(FeedRun.id.desc())
    ).first()


def run_feed(
    session,
    feed: Feed,
    *,
    out: Path | None = None,
    base_url: str | None = None,
    media=None,
    commit=None,
    progress=None,
    delta: bool = False,
) -> FeedRun:
    """Build, check and publish the feed; returns the finished run (any status).

    ``commit`` (default: flush) is called once the run is recorded as running and once it
    is finished; ``out`` receives a copy of the output when one was built; ``progress`` is
    called with the run and its :class:`Tally` every few hundred products. ``delta`` writes
    only what changed since the last published run, and deletions (CSV, JSON, NDJSON).
    Raises :class:`FeedBusy` when another run of the feed is under way.
    """
    from dam.context import current_media

    commit = commit or session.flush
    _refuse_overlap(session, feed)
    run = FeedRun(feed=feed, status=RunStatus.RUNNING, started_at=utcnow(), delta=delta)
    session.add(run)
    commit()
    build = _Build(session, feed, run, media or current_media(), base_url or default_base_url())
    try:
        build.run(out, progress)
    except (RunFailed, MappingError, UnknownPreset, destinations.DeliveryError) as error:
        _finish(run, RunStatus.FAILED, str(error))
    except StorageError as error:
        _finish(run, RunStatus.FAILED, f"the output could not be stored: {error}")
    except Exception as error:
        log.exception("feed %s: run %s crashed", feed.code, run.id)
        _finish(run, RunStatus.FAILED, f"internal error ({type(error).__name__}): {error}")
    commit()
    return run


def _refuse_overlap(session, feed: Feed) -> None:
    running = session.scalars(
        select(FeedRun).where(FeedRun.feed_id == feed.id, FeedRun.status == RunStatus.RUNNING)
    ).all()
    for other in running:
        if other.started_at < utcnow() - STALE_AFTER:
            _finish(other, RunStatus.FAILED, "abandoned: its process stopped before the end")
        else:
            raise FeedBusy(
                f"feed {feed.code} is already being built (run {other.id}, started "
                f"{other.started_at:%Y-%m-%d %H:%M} UTC); try again when it has finished"
            )


def _finish(run: FeedRun, status: str, message: str = "") -> None:
    run.status, run.message, run.finished_at = status, message, utcnow()
    events.emit(object_session(run), FEED_RUN_FINISHED, run_event_data(run))


def run_event_data(run: FeedRun) -> dict:
    """``data`` of ``feed.run.finished``: the run's outcome and counts."""
    return {
        "id": run.id,
        "feed": run.feed.code,
        "status": str(run.status),
        "delta": run.delta,
        "message": run.message,
        "included": run.included,
        "excluded": run.excluded,
        "finished_at": run.finished_at.isoformat(),
    }


class _Build:
    """One build of a feed into a temporary file, then the gate and the publication."""

    def __init__(self, session, feed: Feed, run: FeedRun, media, base_url: str) -> None:
        self.session, self.feed, self.run_row, self.media = session, feed, run, media
        self.base_url = base_url.rstrip("/")
        self.writer = None
        self.tally = Tally()
        self.delta = run.delta
        self.deleted = 0
        self.state = ItemState(session, run) if feed.format in DELTA_FORMATS else None

    @property
    def extension(self) -> str:
        return self.writer.extension + (".gz" if self.feed.gzip else "")

    def run(self, out: Path | None, progress) -> None:
        if self.feed.format not in known_formats():
            raise RunFailed(f"unknown format {self.feed.format!r}")
        if self.delta and self.state is None:
            formats = ", ".join(DELTA_FORMATS)
            raise RunFailed(f"delta runs are written in {formats}, not {self.feed.format}")
        fetch = image_fetcher(self.session, self.media, self.base_url)
        try:
            self.writer = make_writer(
                self.feed, delta=self.delta, context=feed_context(self.feed, fetch)
            )
        except ValueError as error:  # a setting the format cannot carry
            raise RunFailed(f"the {self.feed.format} format refuses the feed: {error}") from None
        problems = check_mapping(Structure.current(self.session), self.feed.mapping or {})
        if problems:
            self.run_row.errors = problems
            raise RunFailed("the mapping is invalid: " + "; ".join(problems))
        settings = self.settings()
        with tempfile.TemporaryDirectory(prefix="vitrine-feed-") as folder:
            path = Path(folder) / f"{self.feed.code}.{self.extension}"
            self._write(path, settings, progress)
            self._record(path)
            if out is not None:
                shutil.copyfile(path, out)
            self._publish(path)

    def settings(self) -> Settings:
        """Pipeline settings: the image preset, and the order and details the writer wants."""
        preset = feed_preset(self.media, self.feed)
        return Settings(
            self.base_url,
            preset.name,
            image_extension=preset.extension,
            grouped=getattr(self.writer, "grouped", False),
            features=getattr(self.writer, "wants_features", False),
        )

    def _write(self, path: Path, settings: Settings, progress) -> None:
        feed, writer, tally = self.feed, self.writer, self.tally
        with path.open("wb") as raw:
            stream = gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) if feed.gzip else raw
            writer.open(
                stream,
                title=feed.label or feed.code,
                link=self.base_url,
                description=f"{feed.channel.code} products ({feed.locale}, {feed.currency})",
            )
            batch = []
            for count, entry in enumerate(feed_entries(self.session, feed, settings), 1):
                problems = writer.check(entry.data) if isinstance(entry, Item) else [entry.reason]
                if problems:
                    tally.exclude(entry.key, problems[0])
                else:
                    batch.append(entry.data)
                if len(batch) >= BATCH:
                    self._write_batch(batch)
                if progress is not None and count % PROGRESS_EVERY == 0:
                    progress(self.run_row, tally)
            self._write_batch(batch)
            if self.delta:
                for key in self.state.deleted_keys():
                    writer.write({"id": key, "deleted": True})
                    self.deleted += 1
            writer.close()
            if stream is not raw:
                stream.close()

    def _write_batch(self, batch: list[dict]) -> None:
        """Write (and record the digests of) a batch of checked items; a delta run writes
        only the changed ones."""
        if not batch:
            return
        changed = self.state.observe(batch) if self.state is not None else batch
        for item in changed if self.delta else batch:
            self.writer.write(item)
            self.tally.included += 1
        batch.clear()

    def _record(self, path: Path) -> None:
        run, tally = self.run_row, self.tally
        run.included, run.excluded, run.exclusions = tally.included, tally.excluded, tally.reasons
        run.size = path.stat().st_size
        validate = getattr(self.writer, "validate_file", None)
        if validate is not None:
            run.errors = validate(path, gzipped=self.feed.gzip)
        else:
            run.errors = check_output(path, self.writer.extension, gzipped=self.feed.gzip)
        kind = "-delta" if self.delta else ""
        run.storage_key = f"feeds/{self.feed.code}/{run.id}{kind}.{self.extension}"
        self.media.storage.put_file(run.storage_key, path, self._content_type())

    def _content_type(self) -> str:
        return "application/gzip" if self.feed.gzip else self.writer.content_type

    def _publish(self, path: Path) -> None:
        run, feed = self.run_row, self.feed
        if run.errors:
            raise RunFailed(f"the output is invalid: {run.errors[0]}")
        if self.delta:
            self._publish_delta(path)
            return
        held = gate(last_success(self.session, feed), run.included, feed.max_drop)
        if held:
            _finish(run, RunStatus.HELD, held)
            return
        where = destinations.deliver(feed, path, self.writer.extension, self.writer.content_type)
        current = f"feeds/{feed.code}/current.{self.extension}"
        self.media.storage.put_file(current, path, self._content_type())
        feed.current_key = current
        if self.state is not None:
            self.state.promote()
        _finish(run, RunStatus.SUCCEEDED, f"delivered to {where}" if where else "")

    def _publish_delta(self, path: Path) -> None:
        """A delta is delivered beside the full file (``<code>.delta.<ext>``); the current
        full output stays what the pull URL serves."""
        writer = self.writer
        where = destinations.deliver(
            self.feed, path, f"delta.{writer.extension}", writer.content_type
        )
        self.state.promote()
        message = f"delta: {self.run_row.included} changed, {self.deleted} deleted"
        _finish(
            self.run_row,
            RunStatus.SUCCEEDED,
            message + (f"; delivered to {where}" if where else ""),
        )


def feed_preset(media, feed: Feed):
    """The rendition preset of the feed's image links: its own, else its channel's, else
    :data:`DEFAULT_PRESET`."""
    if feed.rendition_preset:
        return preset_named(media, feed.rendition_preset)
    return preset_for_channel(media, feed.channel.code) or preset_named(media, DEFAULT_PRESET)


def gate(previous: FeedRun | None, included: int, max_drop: float) -> str | None:
    """Why a run with ``included`` items must be held versus the last good run, or None."""
    if previous is None or not previous.included:
        return None
    drop = (previous.included - included) / previous.included
    if drop > max_drop:
        return (
            f"held: {included} items instead of {previous.included} (-{drop:.0%}, more than "
            f"the {max_drop:.0%} allowed); the previous output stays published"
        )
    return None


def check_output(path: Path, extension: str, *, gzipped: bool) -> list[str]:
    """Problems of a written file: XML must be well-formed, NDJSON one object per line."""
    opener = gzip.open if gzipped else open
    try:
        with opener(path, "rb") as stream:
            if extension == "xml":
                for _event, element in etree.iterparse(stream, events=("end",)):
                    element.clear(keep_tail=True)
                    while element.getprevious() is not None:  # drop parsed siblings too
                        del element.getparent()[0]
            elif extension == "ndjson":
                for number, line in enumerate(stream, 1):
                    if not isinstance(json.loads(line), dict):
                        return [f"line {number}: not a JSON object"]
    except (etree.XMLSyntaxError, ValueError, OSError) as error:
        return [f"{extension} output is malformed: {error}"]
    return []
