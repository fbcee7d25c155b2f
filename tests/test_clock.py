"""Local time at the edges: people type and read their own zone; the ledger keeps UTC."""

import datetime as dt
import os
import time

import pytest

from grid_cli import clock

pytestmark = pytest.mark.skipif(not hasattr(time, "tzset"), reason="TZ switching needs time.tzset")


@pytest.fixture
def beijing():
    old = os.environ.get("TZ")
    os.environ["TZ"] = "Asia/Shanghai"
    time.tzset()
    yield
    if old is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = old
    time.tzset()


def test_a_typed_time_without_zone_is_local(beijing):
    when = clock.parse_local_time("2026-11-28 16:29")
    assert when.utcoffset() == dt.timedelta(hours=8)
    assert when.astimezone(dt.timezone.utc).hour == 8


def test_a_typed_time_with_zone_keeps_it(beijing):
    assert clock.parse_local_time("2026-11-28T16:29:00+00:00").utcoffset() == dt.timedelta(0)


def test_a_stored_utc_time_is_shown_in_local_time(beijing):
    assert clock.show_time("2026-11-28T08:29:03.5+00:00") == "2026-11-28 16:29:03 +08:00"
    assert clock.show_time("2026-11-28T08:29:03+00:00", seconds=False) == "2026-11-28 16:29 +08:00"
    assert clock.show_time(None) == ""


def test_a_bad_time_raises_value_error():
    with pytest.raises(ValueError):
        clock.parse_local_time("yesterday")
