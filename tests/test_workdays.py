"""Working days follow China's official calendar, with Monday to Friday standing in for years it
does not cover yet (and saying so)."""
from datetime import date

import pytest

from domain.workdays import add_workdays, is_workday, workdays_between


@pytest.mark.parametrize(
    "day, expected",
    [
        (date(2026, 12, 3), True),  # a Thursday
        (date(2026, 12, 5), False),  # a Saturday
        (date(2026, 10, 1), False),  # National Day
        (date(2026, 10, 8), True),  # the first working day after the Golden Week
        (date(2026, 2, 14), True),  # a Saturday worked in exchange (调休) before Spring Festival
        (date(2026, 2, 17), False),  # Spring Festival
    ],
)
def test_the_official_calendar_decides(day, expected):
    assert is_workday(day) == (expected, True)


def test_a_weekend_is_skipped():
    # Friday 4 December 2026 + 1 working day is Monday the 7th.
    assert add_workdays(date(2026, 12, 4), 1) == (date(2026, 12, 7), True)


def test_the_national_day_holiday_is_skipped():
    # Assigned on Wednesday 30 September 2026 with 3 working days: 1–7 October are off (2026's
    # Golden Week runs to the 7th), so the days are 8, 9 and 10 October (the 10th, a Saturday, is
    # worked in exchange for the holiday).
    assert add_workdays(date(2026, 9, 30), 3) == (date(2026, 10, 10), True)


def test_spring_festival_and_its_exchange_saturday():
    # Friday 13 February 2026: Saturday the 14th is worked in exchange, then 15–23 February are off.
    assert add_workdays(date(2026, 2, 13), 1) == (date(2026, 2, 14), True)
    assert add_workdays(date(2026, 2, 13), 2) == (date(2026, 2, 24), True)


def test_a_year_the_calendar_does_not_know_is_monday_to_friday_and_provisional():
    assert is_workday(date(2027, 1, 4)) == (True, False)
    assert is_workday(date(2027, 1, 2)) == (False, False)
    # Thursday 31 December 2026 + 2 working days: Friday 1 January 2027 counts (the fallback knows
    # no New Year holiday), then Monday the 4th, and the answer says it may move.
    assert add_workdays(date(2026, 12, 31), 2) == (date(2027, 1, 4), False)


def test_a_date_within_a_known_year_stays_certain():
    assert add_workdays(date(2026, 12, 1), 10)[1] is True


def test_zero_days_is_the_same_day_and_negative_is_refused():
    assert add_workdays(date(2026, 12, 5), 0) == (date(2026, 12, 5), True)
    with pytest.raises(ValueError):
        add_workdays(date(2026, 12, 5), -1)


def test_days_between_counts_working_days_both_ways():
    assert workdays_between(date(2026, 12, 4), date(2026, 12, 7)) == (1, True)
    assert workdays_between(date(2026, 12, 7), date(2026, 12, 4)) == (-1, True)
    assert workdays_between(date(2026, 9, 30), date(2026, 10, 10)) == (3, True)
    assert workdays_between(date(2026, 12, 3), date(2026, 12, 3)) == (0, True)
