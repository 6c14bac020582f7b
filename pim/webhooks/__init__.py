"""Webhooks: subscriptions, signed deliveries with retries, fed by the outbox of
:mod:`pim.events`.

* :mod:`~pim.webhooks.signing` — ``X-Vitrine-Signature`` (HMAC-SHA256);
* :mod:`~pim.webhooks.delivery` — one POST, behind the SSRF guard of image downloads;
* :mod:`~pim.webhooks.services` — subscriptions, fan-out, attempts with backoff, purge;
* :mod:`~pim.webhooks.tasks` — the queue tasks (after each commit that emitted events,
  every minute, nightly purge);
* the API is :mod:`pim.api.webhooks`; the settings page :mod:`pim.web.settings.webhooks`.

After a commit that recorded events, the delivery task is queued at once so receivers hear
of a change within seconds; the periodic task catches up with anything missed. With the
in-memory queue of tests nothing is queued: tests call
:func:`~pim.webhooks.services.deliver_due` themselves.
"""

from __future__ import annotations

import logging

import click
from flask import Flask, current_app, has_app_context
from flask.cli import AppGroup
from sqlalchemy import event
from sqlalchemy.orm import Session

from pim import events

log = logging.getLogger(__name__)

cli = AppGroup("webhooks", help="Webhook deliveries.")


def init_app(app: Flask) -> None:
    """Declare the tasks, listen to commits and add ``vitrine webhooks``."""
    from pim.webhooks import tasks  # noqa: F401 - declares the queue tasks

    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_transaction_end", _after_transaction_end)
    app.cli.add_command(cli)


def _after_commit(session) -> None:
    if session.in_nested_transaction() or not session.info.pop(events.DISPATCH_PENDING, False):
        return
    if not has_app_context() or "vitrine_queue" not in current_app.extensions:
        return
    from pim.queue import current_queue
    from pim.webhooks.tasks import DELIVER_TASK

    queue = current_queue()
    if queue.huey.immediate:
        return  # would run inside this commit, on this session
    try:
        queue.enqueue(DELIVER_TASK)
    except Exception:  # noqa: BLE001 - committed events are delivered by the periodic task
        log.exception("webhooks: queueing the delivery task failed; the periodic task will")


def _after_transaction_end(session, transaction) -> None:
    # after_commit has run by now; a root transaction that ends otherwise was rolled back
    if transaction.parent is None:
        session.info.pop(events.DISPATCH_PENDING, None)


@cli.command("deliver")
def deliver_command() -> None:
    """Fan out pending events and attempt every due delivery now."""
    from pim.extensions import db
    from pim.webhooks.services import deliver_due

    outcome = deliver_due(db.session)
    click.echo(
        f"{outcome.dispatched} event(s) dispatched; deliveries: {outcome.succeeded} "
        f"succeeded, {outcome.failed} failed (will retry), {outcome.dead} dead"
    )
