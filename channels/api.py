"""``/api/v1/feeds``: the feeds of the browser UI (:mod:`channels.views`) over HTTP — list,
get, create, change, delete, run now, run history, a run's details and output, preview —
and feed runs as a kind of job under ``/api/v1/jobs`` (``feed-run-<id>``).

Reading needs ``read``; creating, changing, deleting, running and previewing need
``configure``, as in the UI (the pull URL, whose token is a credential, is shown only to
those). Definitions go through :func:`~channels.feeds.save_feed`: the same checks and
messages as the feed form, each naming its setting.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from flask import Flask, Response, redirect, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from marshmallow import RAISE
from sqlalchemy import delete, func, select

from channels.api_schemas import (
    FeedCreateSchema,
    FeedDraftSchema,
    FeedListArgs,
    FeedPageSchema,
    FeedSchema,
    FeedWriteSchema,
    PreviewArgs,
    PreviewSchema,
    RunPageSchema,
    RunSchema,
    RunStartSchema,
)
from channels.feeds import SETTINGS, save_feed
from channels.models import Feed, FeedRun, RunStatus
from channels.models import FeedItem as PublishedItem
from channels.preview import preview_feed
from channels.runs import STALE_AFTER
from channels.tasks import enqueue_run
from channels.views import RESERVED_CODES, base_url, live_counts, pull_url
from channels.web import content_type_of
from dam.context import current_media
from dam.storage import StorageError
from dam.storage.base import content_disposition
from pim.api import API_PREFIX, JSON_TYPES, auth, etags, register_blueprint
from pim.api.job_schemas import PageArgs
from pim.api.jobs import JobKind, job_url, register_kind
from pim.api.pagination import decode_cursor, encode_cursor, next_url
from pim.api.problems import ApiError
from pim.api.resources import documented_errors, json_response
from pim.extensions import db
from pim.models import Channel
from pim.models.types import utcnow
from pim.services.errors import InvalidData, Problem

CONFIGURE = {"POST": "configure", "PATCH": "configure", "DELETE": "configure"}
OUTPUT_RESPONSE = {
    "description": "The output file (CSV, XML, NDJSON…, gzipped or not), streamed",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}
ETAG_HEADER = {"ETag": {"description": "the feed's last change", "schema": {"type": "string"}}}

blp = Blueprint(
    "feeds",
    __name__,
    url_prefix=f"{API_PREFIX}/feeds",
    description="Product feeds of the sales channels: definitions, runs and their outputs.",
)


def init_app(app: Flask) -> None:
    """Add the feeds resource and the ``feed-run`` job kind to the API."""
    register_blueprint(app, blp)
    register_kind(app, FEED_RUN_KIND)


# --- representations -----------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    """A time as ISO 8601 (None stays None)."""
    return moment.isoformat() if moment is not None else None


def feed_tag(feed: Feed) -> str:
    """The feed's ETag: its row and its last change."""
    digest = hashlib.sha256(iso(feed.updated_at).encode()).hexdigest()[:12]
    return f"{feed.id}-{digest}"


def last_run(session, feed: Feed) -> FeedRun | None:
    """The feed's newest run, whatever its status."""
    return session.scalars(
        select(FeedRun).where(FeedRun.feed_id == feed.id).order_by(FeedRun.id.desc()).limit(1)
    ).first()


def feed_document(session, feed: Feed, run: FeedRun | None = None) -> dict:
    """The feed's definition, its last run and (for those who configure) its pull URL."""
    doc = {"code": feed.code, "channel": feed.channel.code}
    doc |= {name: getattr(feed, name) for name in SETTINGS}
    doc |= {
        "created_at": iso(feed.created_at),
        "updated_at": iso(feed.updated_at),
        "last_run": run_summary(run) if run is not None else None,
        "runs": url_for("feeds.FeedRuns", code=feed.code),
    }
    if auth.current_user().can("configure"):
        doc["pull_url"] = pull_url(feed)
    return doc


def run_summary(run: FeedRun) -> dict:
    """A run in a feed's representation: status, counts (live while it runs), times."""
    counts = live_counts(run)
    return {
        "id": run.id,
        "status": run.status,
        "included": counts["included"],
        "excluded": counts["excluded"],
        "started_at": iso(run.started_at),
        "finished_at": iso(run.finished_at),
        "url": url_for("feeds.FeedRunItem", code=run.feed.code, run_id=run.id),
    }


def run_document(run: FeedRun) -> dict:
    """A run: status, counts (live while it runs), exclusions, errors, times, output."""
    started, finished = run.started_at, run.finished_at
    download = None
    if run.storage_key:
        download = url_for("feeds.FeedRunDownload", code=run.feed.code, run_id=run.id)
    return {
        **run_summary(run),
        "feed": run.feed.code,
        "delta": run.delta,
        "message": run.message,
        "duration_seconds": (finished - started).total_seconds() if finished else None,
        "exclusions": run.exclusions or {},
        "errors": run.errors or [],
        "size": run.size,
        "download": download,
        "job": job_url(FEED_RUN_KIND, run),
    }


def feed_response(session, feed: Feed, status: int = 200) -> Response:
    """The feed as JSON with its ETag (and Location after a creation)."""
    response = json_response(feed_document(session, feed, last_run(session, feed)), status)
    response.set_etag(feed_tag(feed))
    if status == 201:
        response.headers["Location"] = url_for("feeds.FeedItem", code=feed.code)
    return response


# --- lookups and checks --------------------------------------------------------------------


def get_feed_or_404(session, code: str) -> Feed:
    """The feed ``code``; 404 (a problem document) when there is none."""
    feed = None
    if "\x00" not in code and len(code) <= 100:
        feed = session.scalar(select(Feed).where(Feed.code == code))
    if feed is None:
        raise ApiError(404, f"feed {code!r} does not exist.")
    return feed


def get_run_or_404(session, feed: Feed, run_id: int) -> FeedRun:
    """Run ``run_id`` of this feed; 404 for an unknown run or another feed's."""
    run = session.get(FeedRun, run_id)
    if run is None or run.feed_id != feed.id:
        raise ApiError(404, f"run {run_id} of feed {feed.code!r} does not exist.")
    return run


def check_if_match(feed: Feed) -> None:
    """412 unless ``If-Match`` (when sent) names the feed's current ETag."""
    etags.match(feed_tag(feed), what="feed")


def running_run(session, feed: Feed) -> FeedRun | None:
    """The run of the feed under way (one abandoned long ago does not count)."""
    return session.scalars(
        select(FeedRun).where(
            FeedRun.feed_id == feed.id,
            FeedRun.status == RunStatus.RUNNING,
            FeedRun.started_at >= utcnow() - STALE_AFTER,
        )
    ).first()


def save(session, payload: dict) -> Feed:
    """Save through the feed service; its problems answer 422, each naming its setting."""
    if str(payload.get("code", "")).lower() in RESERVED_CODES:
        code = payload["code"]
        problem = Problem(f"{code!r} is reserved, choose another code", field="code")
        raise InvalidData(f"feed {code!r}", [problem])
    return save_feed(session, payload)


def delete_feed(session, feed: Feed) -> list[str]:
    """Delete a feed, its runs and its published-item digests (in bulk: a feed may have
    published the whole catalogue); returns the storage keys of its outputs, to remove
    once the deletion is committed."""
    keys = set(
        session.scalars(
            select(FeedRun.storage_key).where(
                FeedRun.feed_id == feed.id, FeedRun.storage_key.is_not(None)
            )
        )
    )
    keys.add(feed.current_key)
    session.execute(delete(PublishedItem).where(PublishedItem.feed_id == feed.id))
    session.execute(delete(FeedRun).where(FeedRun.feed_id == feed.id))
    session.delete(feed)
    session.flush()
    return sorted(key for key in keys if key)


def remove_outputs(media, keys: list[str]) -> None:
    """Remove stored outputs of a deleted feed; a storage error leaves a file behind."""
    for key in keys:
        try:
            media.storage.delete(key)
        except StorageError:  # the rows are gone; a leftover file is harmless
            continue


# --- feeds ---------------------------------------------------------------------------------


@blp.route("")
class FeedCollection(MethodView):
    permissions = CONFIGURE

    @blp.arguments(FeedListArgs, location="query", unknown=RAISE)
    @blp.response(200, FeedPageSchema)
    @documented_errors(blp, 401, 403, 422)
    def get(self, args):
        """List feeds

        In creation order; ``channel`` keeps one channel's feeds.
        """
        session = db.session
        query = select(Feed).where(Feed.id > decode_cursor(args.get("cursor")))
        if args.get("channel"):
            channel = session.scalar(select(Channel).where(Channel.code == args["channel"]))
            if channel is None:
                raise _invalid("channel", f"unknown channel {args['channel']!r}")
            query = query.where(Feed.channel_id == channel.id)
        rows = session.scalars(query.order_by(Feed.id).limit(args["limit"] + 1)).all()
        cursor = encode_cursor(rows[args["limit"] - 1].id) if len(rows) > args["limit"] else None
        rows = rows[: args["limit"]]
        last = _last_runs(session, [feed.id for feed in rows])
        items = [feed_document(session, feed, last.get(feed.id)) for feed in rows]
        return json_response({"items": items, "next": next_url(cursor)})

    @blp.arguments(FeedCreateSchema)
    @blp.response(201, FeedSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 409, 413, 415, 422)
    def post(self, payload):
        """Create a feed

        Every setting is checked as in the feed form; 409 when the code is taken.
        """
        session = db.session
        if session.scalar(select(Feed.id).where(Feed.code == payload["code"])):
            raise ApiError(409, f"a feed with the code {payload['code']!r} exists.")
        feed = save(session, payload)
        session.commit()
        return feed_response(session, feed, 201)


def _last_runs(session, feed_ids: list[int]) -> dict[int, FeedRun]:
    if not feed_ids:
        return {}
    latest = (
        select(func.max(FeedRun.id)).where(FeedRun.feed_id.in_(feed_ids)).group_by(FeedRun.feed_id)
    )
    return {
        run.feed_id: run for run in session.scalars(select(FeedRun).where(FeedRun.id.in_(latest)))
    }


@blp.route("/<code>")
class FeedItem(MethodView):
    permissions = CONFIGURE

    @blp.response(200, FeedSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 304, 401, 403, 404)
    def get(self, code):
        """Get a feed

        Its definition and its last run; ``If-None-Match`` answers 304.
        """
        feed = get_feed_or_404(db.session, code)
        tag = feed_tag(feed)
        if (cached := etags.not_modified(tag)) is not None:
            return cached
        return feed_response(db.session, feed)

    @blp.arguments(FeedWriteSchema)
    @blp.response(200, FeedSchema, headers=ETAG_HEADER)
    @documented_errors(blp, 401, 403, 404, 412, 413, 415, 422)
    def patch(self, payload, code):
        """Change a feed

        Settings given replace the saved ones (``mapping`` and ``filters`` as a whole);
        the others stay. ``If-Match`` answers 412 on a stale ETag.
        """
        session = db.session
        feed = get_feed_or_404(session, code)
        check_if_match(feed)
        feed = save(session, {**payload, "code": feed.code})
        session.commit()
        return feed_response(session, feed)

    @blp.response(204, description="Deleted")
    @documented_errors(blp, 401, 403, 404, 409, 412)
    def delete(self, code):
        """Delete a feed

        With its runs and stored outputs; its pull URL stops answering. 409 while it runs.
        """
        session = db.session
        feed = get_feed_or_404(session, code)
        check_if_match(feed)
        if running_run(session, feed) is not None:
            raise ApiError(409, f"The feed {code} is being built; delete it when it has finished.")
        media = current_media()
        keys = delete_feed(session, feed)
        session.commit()
        remove_outputs(media, keys)
        return "", 204


# --- runs ----------------------------------------------------------------------------------


@blp.route("/<code>/runs")
class FeedRuns(MethodView):
    permissions = CONFIGURE
    #: "Run now" takes no body (an empty JSON object is fine too)
    accepts = {"POST": (*JSON_TYPES, "")}

    @blp.arguments(PageArgs, location="query", unknown=RAISE)
    @blp.response(200, RunPageSchema)
    @documented_errors(blp, 401, 403, 404, 422)
    def get(self, args, code):
        """A feed's run history

        Newest first; follow ``next`` for older runs.
        """
        session = db.session
        feed = get_feed_or_404(session, code)
        query = select(FeedRun).where(FeedRun.feed_id == feed.id)
        if args.get("cursor"):
            query = query.where(FeedRun.id < decode_cursor(args["cursor"]))
        rows = session.scalars(query.order_by(FeedRun.id.desc()).limit(args["limit"] + 1)).all()
        cursor = encode_cursor(rows[args["limit"] - 1].id) if len(rows) > args["limit"] else None
        items = [run_document(run) for run in rows[: args["limit"]]]
        return json_response({"items": items, "next": next_url(cursor)})

    @blp.arguments(RunStartSchema, required=False)
    @blp.response(202, RunSchema, description="Queued: follow Location")
    @documented_errors(blp, 401, 403, 404, 409, 413, 415, 422)
    def post(self, _body, code):
        """Run a feed now

        Queues a build; 202 with the run's ``Location`` once the worker has started it
        (until then, the history's). 409 while another run of the feed is under way.
        """
        session = db.session
        feed = get_feed_or_404(session, code)
        busy = running_run(session, feed)
        if busy is not None:
            raise ApiError(409, f"The feed {code} is already being built (run {busy.id}).")
        before = session.scalar(select(func.max(FeedRun.id)).where(FeedRun.feed_id == feed.id))
        session.commit()  # the task reads the feed from its own session
        enqueue_run(feed, base_url())
        session.expire_all()
        run = session.scalars(
            select(FeedRun)
            .where(FeedRun.feed_id == feed.id, FeedRun.id > (before or 0))
            .order_by(FeedRun.id)
        ).first()
        if run is None:  # a worker will start it
            response = json_response({"status": "queued", "feed": code}, 202)
            response.headers["Location"] = url_for("feeds.FeedRuns", code=code)
            return response
        response = json_response(run_document(run), 202)
        response.headers["Location"] = url_for("feeds.FeedRunItem", code=code, run_id=run.id)
        return response


@blp.route("/<code>/runs/<int:run_id>")
class FeedRunItem(MethodView):
    @blp.response(200, RunSchema)
    @documented_errors(blp, 401, 403, 404)
    def get(self, code, run_id):
        """Get a run

        Status, counts (live while it runs), exclusions by reason with samples, errors,
        times, the output's size and download link.
        """
        run = get_run_or_404(db.session, get_feed_or_404(db.session, code), run_id)
        response = json_response(run_document(run))
        response.headers["Cache-Control"] = "no-store"
        return response


@blp.route("/<code>/runs/<int:run_id>/download")
class FeedRunDownload(MethodView):
    @blp.doc(responses={"200": OUTPUT_RESPONSE})
    @documented_errors(blp, 401, 403, 404, 503)
    def get(self, code, run_id):
        """Download a run's output

        Streamed with the format's content type (or a 302 to the storage's own download
        URL, e.g. a signed S3 link); 404 when the run kept none.
        """
        feed = get_feed_or_404(db.session, code)
        run = get_run_or_404(db.session, feed, run_id)
        if not run.storage_key:
            raise ApiError(404, f"run {run.id} kept no output.")
        return _download(feed, run)


def _download(feed: Feed, run: FeedRun) -> Response:
    storage = current_media().storage
    extension = run.storage_key.rsplit("/", 1)[-1].split(".", 1)[-1]
    filename = f"{feed.code}-run{run.id}.{extension}"
    content_type = content_type_of(run.storage_key)
    try:
        url = storage.download_url(
            run.storage_key, filename=filename, content_type=content_type, attachment=True
        )
        if url:
            return redirect(url, code=302)
        size = storage.size(run.storage_key) if storage.exists(run.storage_key) else None
    except StorageError as error:
        raise ApiError(503, f"The file cannot be read now: {error}") from None
    if size is None:
        raise ApiError(404, f"The output of run {run.id} is no longer stored.")
    response = Response(
        stream_with_context(storage.iter_chunks(run.storage_key)),
        mimetype=content_type,
        direct_passthrough=True,
    )
    response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(filename)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


# --- preview -------------------------------------------------------------------------------


@blp.route("/preview")
class FeedDraftPreview(MethodView):
    permissions = {"POST": "configure"}

    @blp.arguments(PreviewArgs, location="query", unknown=RAISE)
    @blp.arguments(FeedDraftSchema)
    @blp.response(200, PreviewSchema)
    @documented_errors(blp, 401, 403, 413, 415, 422)
    def post(self, args, definition):
        """Preview an unsaved feed

        The first ``limit`` items and the funnel of exclusions of the definition in the
        body (what ``POST /feeds`` takes), checked as a save would; nothing is saved.
        """
        return preview_response(definition, args["limit"])


@blp.route("/<code>/preview")
class FeedPreview(MethodView):
    permissions = {"POST": "configure"}
    accepts = {"POST": (*JSON_TYPES, "")}

    @blp.arguments(PreviewArgs, location="query", unknown=RAISE)
    @blp.arguments(FeedWriteSchema, required=False)
    @blp.response(200, PreviewSchema)
    @documented_errors(blp, 401, 403, 404, 413, 415, 422)
    def post(self, args, changes, code):
        """Preview a feed

        The first ``limit`` items (at most 200) as written, and the funnel of exclusions,
        of the saved definition, or of it with the settings sent in the body (nothing is
        saved). A definition that cannot be built answers 422 naming the settings.
        """
        feed = get_feed_or_404(db.session, code)
        source = feed
        if changes:
            source = {"code": feed.code, "channel": feed.channel.code, **changes}
        return preview_response(source, args["limit"])


def preview_response(source: Feed | dict, limit: int) -> Response:
    """The preview of a saved feed or a definition; 422 with its problems."""
    session = db.session
    preview = preview_feed(session, source, limit=limit, base_url=base_url(), media=current_media())
    session.rollback()
    if preview.problems:
        raise InvalidData("the feed", preview.problems)
    doc = preview.as_dict()
    for key in ("ok", "problems"):
        doc.pop(key)
    response = json_response(doc)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- feed runs as jobs ---------------------------------------------------------------------


def describe_run(session, run: FeedRun) -> dict:
    """A feed run's part of its job representation (see :class:`pim.api.jobs.JobKind`)."""
    counts = live_counts(run)
    finished = run.status != RunStatus.RUNNING
    return {
        "status": run.status,
        "finished": finished,
        "progress": 1.0 if finished else 0.0,
        "message": run.message,
        "created_at": run.started_at,
        "started_at": run.started_at,
        "finished_at": run.finished_at,
        "counts": {"included": counts["included"], "excluded": counts["excluded"]},
        "details": {
            "feed": run.feed.code,
            "delta": run.delta,
            "size": run.size,
            "run": url_for("feeds.FeedRunItem", code=run.feed.code, run_id=run.id),
        },
    }


def run_report_lines(session, run: FeedRun, after: int, limit: int):
    """Errors, then exclusions by reason (with their count and sample), by position."""
    lines = [{"severity": "error", "message": str(error)} for error in run.errors or []]
    lines += [
        {
            "severity": "excluded",
            "message": reason,
            "count": entry.get("count", 0),
            "sample": entry.get("sample", []),
        }
        for reason, entry in sorted((run.exclusions or {}).items())
    ]
    page = lines[after : after + limit]
    return page, (after + limit if after + limit < len(lines) else None)


def run_report_total(session, run: FeedRun) -> int:
    """Lines of a run's report: its errors and its exclusion reasons."""
    return len(run.errors or []) + len(run.exclusions or {})


FEED_RUN_KIND = JobKind(
    name="feed-run",
    model=FeedRun,
    permission="read",
    statuses=tuple(s.value for s in RunStatus),
    describe=describe_run,
    report=run_report_lines,
    report_total=run_report_total,
)


def _invalid(field: str, message: str) -> ApiError:
    errors = [{"field": field, "message": message}]
    return ApiError(422, "The request has invalid fields.", errors=errors)
