"""Attendance arithmetic: merging, clipping, counting and pairing scans [M1]."""

import datetime as dt
import zoneinfo

import pytest

from cmeconf.attendance.intervals import clip, close_open_scans, merge, minutes

NY = zoneinfo.ZoneInfo("America/New_York")
UTC = dt.UTC


def t(hour: int, minute: int = 0, second: int = 0, day: int = 14) -> dt.datetime:
    return dt.datetime(2027, 4, day, hour, minute, second, tzinfo=NY)


START, END = t(9), t(10, 30)


def test_merge_joins_overlapping_intervals_and_sorts_them():
    merged = merge([(t(9, 30), t(10)), (t(9), t(9, 45)), (t(10, 15), t(10, 20))])
    assert merged == [(t(9), t(10)), (t(10, 15), t(10, 20))]
    assert all(a.tzinfo == UTC for a, _ in merged)


def test_merge_joins_touching_intervals():
    assert merge([(t(9), t(9, 20)), (t(9, 20), t(9, 40))]) == [(t(9), t(9, 40))]


def test_merge_keeps_a_gap_of_one_second():
    assert merge([(t(9), t(9, 20)), (t(9, 20, 1), t(9, 40))]) == [
        (t(9), t(9, 20)),
        (t(9, 20, 1), t(9, 40)),
    ]


def test_merge_swallows_nested_intervals():
    assert merge([(t(9), t(10)), (t(9, 10), t(9, 20)), (t(9, 50), t(10))]) == [(t(9), t(10))]


def test_merge_of_nothing_is_nothing():
    assert merge([]) == []


def test_merge_refuses_an_interval_that_ends_before_it_starts():
    with pytest.raises(ValueError, match="ends before it starts"):
        merge([(t(10), t(9))])


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        merge([(dt.datetime(2027, 4, 14, 9), dt.datetime(2027, 4, 14, 10))])


def test_clip_cuts_what_lies_outside_the_session():
    assert clip([(t(8, 40), t(9, 10)), (t(10, 20), t(11))], START, END) == [
        (t(9), t(9, 10)),
        (t(10, 20), t(10, 30)),
    ]


def test_clip_drops_intervals_wholly_outside_and_at_the_edges():
    assert clip([(t(8), t(9)), (t(10, 30), t(11)), (t(12), t(13))], START, END) == []


def test_minutes_counts_overlapping_sources_once():
    # Zoom on a laptop and a phone at once, and a badge scan: 9:00-10:00 is 60 minutes.
    zoom_laptop = (t(9), t(9, 40))
    zoom_phone = (t(9, 30), t(10))
    scan = (t(9, 15), t(9, 45))
    assert minutes([zoom_laptop, zoom_phone, scan], START, END) == 60


def test_minutes_are_clipped_to_the_session():
    assert minutes([(t(8), t(12))], START, END) == 90


def test_minutes_round_down_to_whole_minutes():
    assert minutes([(t(9), t(9, 0, 59))], START, END) == 0
    assert minutes([(t(9), t(9, 1, 59))], START, END) == 1
    # Two stretches of 30.5 minutes are 61 minutes: seconds add up before rounding.
    assert minutes([(t(9), t(9, 30, 30)), (t(9, 40), t(10, 10, 30))], START, END) == 61


def test_minutes_without_intervals_are_zero():
    assert minutes([], START, END) == 0


def test_datetimes_in_different_zones_are_the_same_instants():
    in_utc = (
        dt.datetime(2027, 4, 14, 13, 0, tzinfo=UTC),
        dt.datetime(2027, 4, 14, 13, 30, tzinfo=UTC),
    )
    in_ny = (t(9, 15), t(9, 45))  # 13:15-13:45 UTC
    assert minutes([in_utc, in_ny], START, END) == 45


def test_a_session_across_the_change_to_summer_time_counts_real_minutes():
    # 14 March 2027: New York clocks jump from 02:00 to 03:00.
    start = dt.datetime(2027, 3, 14, 1, 0, tzinfo=NY)
    end = dt.datetime(2027, 3, 14, 4, 0, tzinfo=NY)
    assert minutes([(start, end)], start, end) == 120


def test_a_session_across_the_change_to_winter_time_counts_real_minutes():
    # 7 November 2027: 01:00-02:00 happens twice in New York.
    start = dt.datetime(2027, 11, 7, 0, 30, tzinfo=NY)
    end = dt.datetime(2027, 11, 7, 2, 30, tzinfo=NY)
    assert minutes([(start, end)], start, end) == 180


def test_scans_pair_in_and_out():
    pairing = close_open_scans([(t(9, 2), "in"), (t(9, 50), "out")], END)
    assert pairing.intervals == [(t(9, 2), t(9, 50))]
    assert pairing.stray_check_outs == []


def test_missing_check_out_closes_at_the_session_end():
    pairing = close_open_scans([(t(9, 2), "in"), (t(9, 50), "out"), (t(10), "in")], END)
    assert pairing.intervals == [(t(9, 2), t(9, 50)), (t(10), END)]
    assert minutes(pairing.intervals, START, END) == 78


def test_second_check_in_while_in_is_ignored():
    # Scanned at two doors: the first check-in counts, the second does not restart it.
    events = [(t(9, 5), "in"), (t(9, 6), "in"), (t(9, 40), "out")]
    assert close_open_scans(events, END).intervals == [(t(9, 5), t(9, 40))]


def test_check_out_without_check_in_is_ignored_and_reported():
    events = [(t(9), "out"), (t(9, 10), "in"), (t(9, 30), "out"), (t(9, 31), "out")]
    pairing = close_open_scans(events, END)
    assert pairing.intervals == [(t(9, 10), t(9, 30))]
    assert pairing.stray_check_outs == [t(9), t(9, 31)]


def test_scans_from_several_devices_in_any_order_are_paired_by_time():
    events = [(t(9, 45), "out"), (t(9, 5), "in"), (t(10), "in"), (t(10, 10), "out")]
    assert close_open_scans(events, END).intervals == [(t(9, 5), t(9, 45)), (t(10), t(10, 10))]


def test_a_check_in_after_the_session_end_gives_nothing():
    assert close_open_scans([(t(10, 40), "in")], END).intervals == []


def test_an_unknown_scan_kind_is_refused():
    with pytest.raises(ValueError):
        close_open_scans([(t(9), "sideways")], END)
