"""Queue tasks of webhooks: deliver now (queued after a commit that emitted events), every
minute (the safety net, and the retries) and a daily purge of old events."""

from __future__ import annotations

import logging

from pim.extensions import db
from pim.queue import periodic, task
from pim.webhooks import services

log = logging.getLogger(__name__)

DELIVER_TASK = "webhooks.deliver"


@task(DELIVER_TASK)
def deliver_task() -> None:
    """Fan out the committed events and attempt the due deliveries."""
    outcome = services.deliver_due(db.session)
    if outcome.failed or outcome.dead:
        log.info("webhooks: %s", outcome)


@periodic("webhooks.deliver_due", minute="*")
def deliver_periodically() -> None:
    """Every minute: whatever the queued task missed, and the retries that are due."""
    deliver_task()


@periodic("webhooks.purge", minute="17", hour="3")
def purge_task() -> None:
    """Every night: forget events (and their delivery log) older than the retention."""
    if deleted := services.purge(db.session):
        log.info("webhooks: purged %d old event(s)", deleted)
    db.session.commit()
