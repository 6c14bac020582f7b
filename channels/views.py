"""Browser views of the feeds (blueprint ``channels_ui``, under ``/channels``): the list,
the edit form with its live preview, "Run now", the run history and its downloads.

Every page needs a signed-in user who may read the catalogue; suppliers get 403. Saving,
previewing and running feeds need ``configure``, the permission of the channel settings
(administrators). The pull URL, whose token is a credential, is shown only to them. The
``/feeds`` prefix belongs to the pull URL itself (:mod:`channels.web`).
"""

from __future__ import annotations

import json

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext
from flask_login import current_user
from sqlalchemy import func, select

from channels import demo
from channels.destinations import pull_path
from channels.feeds import FILTER_KEYS, SETTINGS, get_feed, known_formats, save_feed
from channels.mapping import check_mapping
from channels.models import Feed, FeedRun, RunStatus
from channels.pipeline import EXCLUSION_MESSAGES
from channels.preview import preview_feed
from channels.runs import progress_key
from channels.tasks import enqueue_run
from channels.web import content_type_of
from dam.context import current_media
from dam.storage import StorageError
from dam.storage.base import content_disposition
from pim.extensions import db
from pim.models import Channel, Family, Lifecycle, WorkflowStatus
from pim.queue import current_queue
from pim.services.errors import InvalidData, NotFound, Problem
from pim.services.structure_cache import Structure
from pim.web.security import require
from pim.web.words import register_words

bp = Blueprint("channels_ui", __name__, url_prefix="/channels")

#: who may create, change, preview and run feeds: those who configure channels
manage = require("configure")
#: codes the URLs ``/channels/feeds/new`` and ``/channels/feeds/preview`` keep for themselves
RESERVED_CODES = {"new", "preview"}
#: runs shown on a feed's history page
RUNS_SHOWN = 50
PREVIEW_ITEMS = 20
#: the built-in default of ``FEEDS_BASE_URL`` (pim.config): taken as "not configured"
UNSET_BASE_URL = "http://127.0.0.1:5000"
#: longest text of the feed table's columns (longer would fail in the database)
LENGTHS = {"label": 255, "destination_url": 1000, "cron": 100, "timezone": 64}
#: the key of the problems that belong to no single field
GENERAL = "_"


def init_app(app: Flask) -> None:
    """Register the blueprint; the "Channels" navigation entry leads to the feed list."""
    app.register_blueprint(bp)
    app.extensions.setdefault("vitrine_sections", {})["channels"] = "channels_ui.feeds"
    app.add_template_filter(EXCLUSION_MESSAGES.translate, "exclusion_reason")
    register_words(
        "run",
        {
            RunStatus.RUNNING: lazy_gettext("running"),
            RunStatus.SUCCEEDED: lazy_gettext("succeeded"),
            RunStatus.FAILED: lazy_gettext("failed"),
            RunStatus.HELD: lazy_gettext("held back"),
        },
    )


@bp.before_request
def require_reader():
    """Sign in first; then only roles that may read the catalogue reach the feeds."""
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    if not current_user.can("read"):
        abort(403)
    return None


# --- the list ------------------------------------------------------------------------------


@bp.get("/")
def feeds():
    """Every feed by channel, with its schedule, its last run and (for managers) its pull URL."""
    rows = db.session.scalars(
        select(Feed).join(Feed.channel).order_by(Channel.code, Feed.code)
    ).all()
    latest = select(func.max(FeedRun.id)).group_by(FeedRun.feed_id)
    last_runs = {
        run.feed_id: run
        for run in db.session.scalars(select(FeedRun).where(FeedRun.id.in_(latest)))
    }
    return render_template(
        "channels/feeds.html",
        feeds=rows,
        last_runs=last_runs,
        can_manage=current_user.can("configure"),
        pull_url=pull_url,
    )


def pull_url(feed: Feed) -> str:
    """The absolute pull URL of a feed (with its secret token)."""
    return base_url() + pull_path(feed)


def base_url() -> str:
    """Where image links and pull URLs point: ``FEEDS_BASE_URL`` when configured, else the
    address this request came to."""
    configured = current_app.config.get("FEEDS_BASE_URL")
    if not configured or configured == UNSET_BASE_URL:
        configured = request.host_url
    return str(configured).rstrip("/")


# --- the edit form -------------------------------------------------------------------------


@bp.get("/feeds/new")
@manage
def feed_new():
    """The form of a new feed, with a starting mapping for the first format."""
    formats = sorted(known_formats())
    first = "csv" if "csv" in formats else formats[0]
    channel = db.session.scalars(select(Channel).order_by(Channel.code)).first()
    payload = {
        "code": "",
        "channel": channel.code if channel else "",
        "format": first,
        "locale": channel.locale_codes[0] if channel and channel.locale_codes else "",
        "currency": channel.currency_codes[0] if channel and channel.currency_codes else "",
        "mapping": starting_mappings()[first],
        "filters": {"enabled_only": True},
        "max_drop": 0.2,
        "timezone": "UTC",
    }
    return _render_form(None, form_values(payload))


@bp.post("/feeds/new")
@manage
def feed_create():
    """Create a feed; the form again with its problems (422) when it is refused."""
    payload, problems = submitted(request.form)
    code = payload.get("code") or ""
    if code.lower() in RESERVED_CODES:
        message = _("%(code)r is reserved, choose another code", code=code)
        problems.append(Problem(message, field="code"))
    elif code and db.session.scalar(select(Feed.id).where(Feed.code == code)):
        message = _("a feed with the code %(code)r exists", code=code)
        problems.append(Problem(message, field="code"))
    feed = _save(payload, problems)
    if feed is None:
        return _render_form(None, dict(request.form.lists()), problems), 422
    flash(_("Created the feed %(code)s.", code=feed.code), "success")
    return redirect(url_for(".feed_edit", code=feed.code))


@bp.get("/feeds/<code>")
@manage
def feed_edit(code: str):
    """The form of a saved feed."""
    feed = _feed_or_404(code)
    payload = {"code": feed.code, "channel": feed.channel.code}
    payload |= {name: getattr(feed, name) for name in SETTINGS}
    return _render_form(feed, form_values(payload))


@bp.post("/feeds/<code>")
@manage
def feed_update(code: str):
    """Save a feed; the form again with its problems (422) when it is refused."""
    feed = _feed_or_404(code)
    payload, problems = submitted(request.form)
    payload["code"] = feed.code
    if _save(payload, problems) is None:
        return _render_form(feed, dict(request.form.lists()), problems), 422
    flash(_("Saved the feed %(code)s.", code=code), "success")
    return redirect(url_for(".feed_edit", code=code))


@bp.post("/feeds/preview")
@manage
def feed_preview():
    """The first items and the funnel of the definition in the form (saved or not), as JSON.

    Accepts the edit form's fields or a JSON definition (what ``save_feed`` takes); nothing
    is saved. ``ok`` is false and ``problems`` name the fields when it cannot be built.
    """
    if request.is_json:
        payload, problems = request.get_json(silent=True), []
        if not isinstance(payload, dict):
            abort(400, "the preview takes a JSON object")
    else:
        payload, problems = submitted(request.form)
    if problems:
        return jsonify({"ok": False, "problems": [_problem_json(p) for p in problems]})
    preview = preview_feed(
        db.session, payload, limit=PREVIEW_ITEMS, base_url=base_url(), media=current_media()
    )
    db.session.rollback()
    document = preview.as_dict()
    if preview.note_message:  # the preview's note is English (the API's): say it in the UI's
        document["note"] = _(preview.note_message, **preview.note_args)
    response = jsonify(document)
    response.headers["Cache-Control"] = "no-store"
    return response


def _problem_json(problem: Problem) -> dict:
    return {"field": problem.field, "message": problem.message}


def _save(payload: dict, problems: list[Problem]) -> Feed | None:
    """Save the feed unless the form has problems; commit, or roll back and add the
    service's problems to ``problems``."""
    if problems:
        return None
    try:
        feed = save_feed(db.session, payload)
    except InvalidData as invalid:
        db.session.rollback()
        problems.extend(invalid.problems)
        return None
    db.session.commit()
    return feed


def _render_form(feed: Feed | None, values: dict, problems: list[Problem] = ()):
    errors: dict[str, list[str]] = {}
    for problem in problems:
        errors.setdefault(problem.field or GENERAL, []).append(problem.message)
    channels = db.session.scalars(select(Channel).order_by(Channel.code)).all()
    return render_template(
        "channels/feed_form.html",
        feed=feed,
        v=values,
        errors=errors,
        channels=channels,
        locales=sorted({code for ch in channels for code in ch.locale_codes}),
        currencies=sorted({code for ch in channels for code in ch.currency_codes}),
        formats=sorted(known_formats()),
        families=db.session.scalars(select(Family.code).order_by(Family.code)).all(),
        statuses=[status.value for status in WorkflowStatus],
        lifecycles=[lifecycle.value for lifecycle in Lifecycle],
        presets=sorted(current_media().settings.presets),
        filter_help=FILTER_KEYS,
        starting=json.dumps(starting_mappings(), indent=2),
    )


def starting_mappings() -> dict[str, dict]:
    """Format → a mapping to start from (the demo feed's of that format, else the generic
    one), without the attributes this catalogue lacks."""
    structure = Structure.current(db.session)
    mappings = {}
    for name in known_formats():
        model = _demo_mapping(name) or demo.GENERIC_MAPPING
        mappings[name] = {
            target: source
            for target, source in model.items()
            if not check_mapping(structure, {target: source})
        }
    return mappings


def _demo_mapping(name: str) -> dict | None:
    """The mapping of the demo feed in format ``name`` (the first dict of its entry)."""
    for entry in demo.DEMO_FEEDS:
        if entry[0] == name:
            return next((part for part in entry if isinstance(part, dict)), None)
    return None


# --- form ↔ payload ------------------------------------------------------------------------


def form_values(payload: dict) -> dict[str, list[str]]:
    """The edit form's fields (name → values) for a feed definition."""
    filters = payload.get("filters") or {}
    drop = payload.get("max_drop")
    single = {
        "code": payload.get("code"),
        "label": payload.get("label"),
        "channel": payload.get("channel"),
        "format": payload.get("format"),
        "locale": payload.get("locale"),
        "currency": payload.get("currency"),
        "territory": payload.get("territory"),
        "mapping": json.dumps(payload.get("mapping") or {}, indent=2, ensure_ascii=False),
        "rendition_preset": payload.get("rendition_preset"),
        "destination_url": payload.get("destination_url"),
        "gzip": "1" if payload.get("gzip") else None,
        "max_drop": None if drop is None else f"{drop * 100:g}",
        "cron": payload.get("cron"),
        "timezone": payload.get("timezone") or "UTC",
        "filter_enabled_only": "1" if filters.get("enabled_only", True) else None,
        "filter_min_completeness": filters.get("min_completeness"),
        "filter_categories": ", ".join(filters.get("categories") or ()),
        "filter_missing_translation": filters.get("missing_translation", "exclude"),
    }
    values = {name: [str(value)] for name, value in single.items() if value is not None}
    for key in ("statuses", "families", "lifecycles"):
        values[f"filter_{key}"] = [str(item) for item in filters.get(key) or ()]
    return values


def submitted(form) -> tuple[dict, list[Problem]]:
    """The feed definition in the edit form, and the problems of fields that do not parse
    (the rest is checked by :func:`~channels.feeds.save_feed`)."""
    problems: list[Problem] = []
    payload = {
        "code": form.get("code", "").strip(),
        "label": form.get("label", "").strip(),
        "channel": form.get("channel", ""),
        "format": form.get("format", ""),
        "locale": form.get("locale", ""),
        "currency": form.get("currency", ""),
        "territory": form.get("territory", "").strip() or None,
        "mapping": _json_object(form.get("mapping", ""), problems),
        "filters": _filters(form, problems),
        "rendition_preset": form.get("rendition_preset") or None,
        "destination_url": form.get("destination_url", "").strip() or None,
        "gzip": form.get("gzip") == "1",
        "max_drop": _share(form.get("max_drop", ""), problems),
        "cron": form.get("cron", "").strip() or None,
        "timezone": form.get("timezone", "").strip() or "UTC",
    }
    for name, most in LENGTHS.items():
        if len(payload[name] or "") > most:
            problems.append(Problem(_("at most %(count)s characters", count=most), field=name))
    return payload, problems


def _json_object(text: str, problems: list[Problem]) -> dict:
    if not text.strip():
        return {}
    try:
        value = json.loads(text)
    except ValueError as error:
        message = _("the mapping is not valid JSON: %(error)s", error=error)
        problems.append(Problem(message, field="mapping"))
        return {}
    if not isinstance(value, dict):
        message = _("the mapping is a JSON object of field → source")
        problems.append(Problem(message, field="mapping"))
        return {}
    return value


def _share(text: str, problems: list[Problem]) -> float:
    """A percent typed in the form, as a share (20 → 0.2); blank is the default 20%."""
    if not text.strip():
        return 0.2
    try:
        return float(text.replace(",", ".")) / 100
    except ValueError:
        problems.append(Problem(_("%(text)r is not a percentage", text=text), field="max_drop"))
        return 0.2


def _filters(form, problems: list[Problem]) -> dict:
    filters: dict = {"enabled_only": form.get("filter_enabled_only") == "1"}
    for key in ("statuses", "families", "lifecycles"):
        chosen = list(dict.fromkeys(form.getlist(f"filter_{key}")))
        if chosen:
            filters[key] = chosen
    categories = [c.strip() for c in form.get("filter_categories", "").split(",") if c.strip()]
    if categories:
        filters["categories"] = categories
    least = form.get("filter_min_completeness", "").strip()
    if least:
        try:
            filters["min_completeness"] = int(least)
        except ValueError:
            message = _("%(text)r is not a whole percent", text=least)
            problems.append(Problem(message, field="filters"))
    if form.get("filter_missing_translation") == "empty":
        filters["missing_translation"] = "empty"
    return filters


# --- runs ----------------------------------------------------------------------------------


@bp.post("/feeds/<code>/run")
@manage
def feed_run(code: str):
    """Queue a build of the feed and show its runs."""
    feed = _feed_or_404(code)
    running = db.session.scalar(
        select(FeedRun.id).where(FeedRun.feed_id == feed.id, FeedRun.status == RunStatus.RUNNING)
    )
    if running:
        flash(
            _("The feed %(code)s is already being built (run %(run)s).", code=code, run=running),
            "error",
        )
    else:
        db.session.commit()  # the task reads the feed from its own session
        enqueue_run(feed, base_url())
        flash(_("Queued a run of the feed %(code)s.", code=code), "success")
    return redirect(url_for(".feed_runs", code=code))


@bp.get("/feeds/<code>/runs")
def feed_runs(code: str):
    """The feed's runs, newest first: counts, exclusions by reason, errors, downloads."""
    feed = _feed_or_404(code)
    runs = db.session.scalars(
        select(FeedRun)
        .where(FeedRun.feed_id == feed.id)
        .order_by(FeedRun.id.desc())
        .limit(RUNS_SHOWN)
    ).all()
    progress = {run.id: live_counts(run) for run in runs if run.status == RunStatus.RUNNING}
    return render_template(
        "channels/runs.html",
        feed=feed,
        runs=runs,
        progress=progress,
        can_manage=current_user.can("configure"),
    )


@bp.get("/feeds/<code>/runs/<int:run_id>/download")
def run_download(code: str, run_id: int):
    """The output a run kept, as an attachment (404 when the run is not this feed's)."""
    feed = _feed_or_404(code)
    run = db.session.get(FeedRun, run_id)
    if run is None or run.feed_id != feed.id or not run.storage_key:
        abort(404)
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
        size = storage.size(run.storage_key)
    except StorageError as error:
        abort(503, _("the file cannot be read now: %(error)s", error=error))
    if size is None:
        abort(404, _("the output of run %(run)s is no longer stored", run=run.id))
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


@bp.get("/runs/<int:run_id>/status")
def run_status(run_id: int):
    """A run's status and counts as JSON; live counts from the queue while it runs."""
    run = db.session.get(FeedRun, run_id)
    if run is None:
        abort(404)
    counts = live_counts(run)
    response = jsonify(
        {
            "id": run.id,
            "status": run.status,
            "finished": run.status != RunStatus.RUNNING,
            "included": counts["included"],
            "excluded": counts["excluded"],
            "message": run.message,
        }
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def live_counts(run: FeedRun) -> dict:
    """Included and excluded so far: the task's latest progress while the run is under
    way, else what the run recorded."""
    if run.status == RunStatus.RUNNING:
        progress = current_queue().peek(progress_key(run.id))
        if isinstance(progress, dict):
            return {
                "included": progress.get("included", 0),
                "excluded": progress.get("excluded", 0),
            }
    return {"included": run.included, "excluded": run.excluded}


def _feed_or_404(code: str) -> Feed:
    try:
        return get_feed(db.session, code[:100])
    except NotFound:
        abort(404)
