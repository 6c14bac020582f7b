"""Feed schedules: cron in the feed's time zone, checked at save, due feeds queued."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from feedtest import make_feed

from channels.schedule import cron_problem, due_feeds, is_due
from pim.services.errors import InvalidData


@pytest.mark.parametrize(
    ("cron", "zone", "message"),
    [
        ("0 6 * *", "UTC", "five fields are needed"),
        ("61 * * * *", "UTC", "cron '61 * * * *'"),
        ("0 6 * * *", "Mars/Olympus", "unknown time zone 'Mars/Olympus'"),
    ],
)
def test_bad_schedules_are_named(cron, zone, message):
    assert message in cron_problem(cron, zone)


def test_a_feed_with_a_bad_schedule_is_refused_at_save(catalog):
    with pytest.raises(InvalidData) as refused:
        make_feed(catalog.session, cron="*/15 25 * * *")
    assert any(p.field == "cron" for p in refused.value.problems)


def test_schedules_fire_in_the_feeds_time_zone(catalog):
    paris = make_feed(catalog.session, "paris", cron="0 6 * * 1-5", timezone="Europe/Paris")
    utc = make_feed(catalog.session, "utc", cron="*/30 * * * *")
    monday_6_paris = datetime(2026, 11, 23, 5, 0, tzinfo=UTC)  # winter: UTC+1
    assert is_due(paris, monday_6_paris) and is_due(utc, monday_6_paris)
    assert not is_due(paris, datetime(2026, 11, 23, 6, 0, tzinfo=UTC))
    assert not is_due(paris, datetime(2026, 11, 22, 5, 0, tzinfo=UTC))  # Sunday
    summer = datetime(2026, 7, 6, 4, 0, tzinfo=UTC)  # Monday 6:00 in Paris (UTC+2)
    assert is_due(paris, summer)
    codes = [f.code for f in due_feeds(catalog.session, datetime(2026, 11, 23, 5, 30, tzinfo=UTC))]
    assert codes == ["utc"]
