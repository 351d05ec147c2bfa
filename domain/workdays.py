"""Working days as China's State Council sets them: statutory holidays off, and the weekend days
worked in exchange (调休) on. Due dates of assignments count in working days.

The calendar comes from the `chinesecalendar` package, which covers the years the State Council
has announced. For a later year it knows nothing yet: Monday to Friday stands in, and every
answer that relied on such a day says it is provisional, so a page can show that the date may move.
"""
import datetime

import chinese_calendar

ONE_DAY = datetime.timedelta(days=1)


def is_workday(day):
    """(whether `day` is a working day, whether that is certain)."""
    try:
        return chinese_calendar.is_workday(day), True
    except NotImplementedError:
        return day.weekday() < 5, False


def add_workdays(start, count):
    """The date `count` working days after `start` (a date), and whether it is certain.

    `start` itself does not count: an item assigned on a Friday with a time limit of one working
    day is due the next working day. A count of 0 gives `start` back.
    """
    if count < 0:
        raise ValueError("count must not be negative")
    day, certain = start, True
    while count:
        day += ONE_DAY
        workday, known = is_workday(day)
        certain = certain and known
        if workday:
            count -= 1
    return day, certain


def workdays_between(start, end):
    """How many working days fall after `start` up to and including `end` (negative when `end` is
    earlier), and whether that is certain. A due date's "days left" is workdays_between(today, due)."""
    if end < start:
        count, certain = workdays_between(end, start)
        return -count, certain
    count, certain, day = 0, True, start
    while day < end:
        day += ONE_DAY
        workday, known = is_workday(day)
        certain = certain and known
        count += workday
    return count, certain
