"""What changed since a feed was last published: item digests, delta selection, deletions.

Every run records a digest of each item it writes (:class:`~channels.models.FeedItem`,
``pending_digest``), batch by batch, in constant memory. A **delta** run writes only the
items whose digest differs from the published one, then a deletion for every item
published before that the run did not see (product deleted, disabled or now excluded).
When a run is published, :meth:`ItemState.promote` makes its digests the published ones;
a held or failed run promotes nothing, so the next delta still covers its changes.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import bindparam, delete, insert, select, update

from channels.models import FeedItem, FeedRun

#: formats a delta can be written in (a deletion is a row or object with ``deleted``)
DELTA_FORMATS = ("csv", "json", "ndjson")


def digest(item: dict) -> str:
    """A stable digest of an item's published fields."""
    public = {key: value for key, value in item.items() if not key.startswith("_")}
    text = json.dumps(public, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class ItemState:
    """The published digests of one feed, read and recorded batch by batch during a run."""

    def __init__(self, session, run: FeedRun) -> None:
        self.session, self.run = session, run
        self.feed_id = run.feed_id

    def observe(self, items: list[dict]) -> list[dict]:
        """Record the batch's digests; return the items that differ from what was published."""
        digests = {str(item["id"]): digest(item) for item in items}
        published = dict(
            self.session.execute(
                select(FeedItem.key, FeedItem.digest).where(
                    FeedItem.feed_id == self.feed_id, FeedItem.key.in_(list(digests))
                )
            ).all()
        )
        table = FeedItem.__table__  # Core statements: no ORM objects held
        new = [key for key in digests if key not in published]
        if new:
            rows = [
                {"feed_id": self.feed_id, "key": key, "digest": None,
                 "pending_digest": digests[key], "seen_run": self.run.id}
                for key in new
            ]  # fmt: skip
            self.session.execute(insert(table), rows)
        seen = [key for key in digests if key in published]
        if seen:
            self.session.execute(
                update(table)
                .where(table.c.feed_id == self.feed_id, table.c.key == bindparam("k"))
                .values(pending_digest=bindparam("d"), seen_run=self.run.id),
                [{"k": key, "d": digests[key]} for key in seen],
            )
        return [
            item for item in items if published.get(str(item["id"])) != digests[str(item["id"])]
        ]

    def deleted_keys(self):
        """Keys published before and not seen by this run (streamed)."""
        return self.session.scalars(
            select(FeedItem.key)
            .where(
                FeedItem.feed_id == self.feed_id,
                FeedItem.seen_run != self.run.id,
                FeedItem.digest.is_not(None),
            )
            .order_by(FeedItem.key)
            .execution_options(yield_per=1000)
        )

    def promote(self) -> None:
        """The run was published: its digests are now the published ones."""
        self.session.execute(
            delete(FeedItem).where(
                FeedItem.feed_id == self.feed_id, FeedItem.seen_run != self.run.id
            )
        )
        self.session.execute(
            update(FeedItem)
            .where(FeedItem.feed_id == self.feed_id)
            .values(digest=FeedItem.pending_digest)
            .execution_options(synchronize_session=False)
        )
