"""Queue tasks of the channels: build a feed in the background, with live progress."""

from __future__ import annotations

from channels.models import Feed
from channels.runs import FeedBusy, progress_key, run_feed
from channels.schedule import due_feeds
from pim.extensions import db
from pim.queue import current_queue, periodic, task

RUN_TASK = "channels.run"


@task(RUN_TASK)
def run_feed_task(feed_id: int, base_url: str | None = None) -> str | None:
    """Build feed ``feed_id``, publishing live counts in the queue's store under the run's
    :func:`~channels.runs.progress_key`; returns the run's status (None when the feed is
    gone or another run of it is under way)."""
    queue = current_queue()
    feed = db.session.get(Feed, feed_id)
    if feed is None:
        return None
    keys = set()

    def publish(run, tally) -> None:
        keys.add(progress_key(run.id))
        queue.put(progress_key(run.id), {"included": tally.included, "excluded": tally.excluded})

    try:
        run = run_feed(
            db.session, feed, base_url=base_url, commit=db.session.commit, progress=publish
        )
    except FeedBusy:
        return None
    finally:
        for key in keys:
            queue.delete(key)
    return run.status


def enqueue_run(feed: Feed, base_url: str | None = None) -> None:
    """Queue a build of a committed feed."""
    current_queue().enqueue(RUN_TASK, feed.id, base_url)


@periodic("channels.schedule", minute="*")
def schedule_task() -> None:
    """Every minute: queue the feeds whose cron schedule fires now (in their time zone)."""
    for feed in due_feeds(db.session):
        enqueue_run(feed)
