"""Cron expressions as Cloudflare's Cron Triggers read them, evaluated by ``croniter``.

Five fields, in UTC: minute, hour, day of month, month, day of week. Cloudflare counts the days of
the week 1-7 from Sunday (``1`` = ``SUN``; names ``SUN``-``SAT`` work too) and accepts Quartz's
``L``, ``W`` and ``#``; ``croniter`` counts 0-6 from Sunday, so numeric days of the week are shifted
by one before it parses the expression (``0 9 * * 2`` is Mondays at 09:00 on both). ``0`` as a day
of the week, six-field expressions and ``@daily``-style macros are refused, as Cloudflare refuses
them ("invalid cron string").

>>> CronExpression("*/15 * * * *").next_ms(1_700_000_000_000)
1700000100000.0
"""

from __future__ import annotations

import datetime as dt
import re


__all__ = ["CronExpression", "cron_problem"]

_DAY = r"\d+|[A-Za-z]{3}"
_DAY_OF_WEEK_TERM = re.compile(rf"^(?P<first>\*|\?|{_DAY})(?:-(?P<last>{_DAY}))?(?P<suffix>/\d+|#\d+|L)?$")
_NOT_ACCEPTABLE = re.compile(r"^\[.*\] is not acceptable,?\s*")


class CronExpression:
    """A parsed Cloudflare cron expression.

    Raises:
        ValueError: the expression is not one Cloudflare accepts; the message says why.
    """

    def __init__(self, text: str) -> None:
        fields = text.split()
        if len(fields) != 5:
            raise ValueError(
                f"expected 5 fields (minute hour day-of-month month day-of-week), got {len(fields)}"
            )
        fields[4] = ",".join(_day_of_week_term(term) for term in fields[4].split(","))
        self.text = text
        self._croniter_text = " ".join(fields)
        from croniter import CroniterError, croniter  # only projects with crons pay for this import

        try:
            croniter(self._croniter_text, dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        except (CroniterError, ValueError, KeyError) as error:
            raise ValueError(_NOT_ACCEPTABLE.sub("", str(error)) or "not a valid expression") from None

    def next_ms(self, after_ms: float) -> float | None:
        """The first time (epoch ms) after ``after_ms`` the expression matches; None if it never
        does again (``0 0 30 2 *``)."""
        start = dt.datetime.fromtimestamp(after_ms / 1000, tz=dt.UTC)
        from croniter import CroniterBadDateError, croniter

        try:
            return float(croniter(self._croniter_text, start).get_next(float)) * 1000
        except CroniterBadDateError:
            return None

    def __repr__(self) -> str:
        return f"CronExpression({self.text!r})"


def cron_problem(text: str) -> str | None:
    """Why Cloudflare would refuse ``text`` as a cron expression, or None if it is fine."""
    try:
        CronExpression(text)
    except ValueError as error:
        return str(error)
    return None


def _day_of_week_term(term: str) -> str:
    """One comma-separated day-of-week term, from Cloudflare's numbering (1-7) to croniter's (0-6)."""
    match = _DAY_OF_WEEK_TERM.match(term)
    if match is None:
        raise ValueError(f'day of week "{term}" is not valid')
    first, last, suffix = match.group("first"), match.group("last"), match.group("suffix") or ""
    days = "-".join(_day(value) for value in (first, last) if value is not None)
    if suffix == "L":  # Quartz "last <day> of the month"
        return f"L{days}"
    return days + suffix


def _day(value: str) -> str:
    if not value.isdigit():
        return value
    if not 1 <= int(value) <= 7:
        raise ValueError(f"day of week {value} is out of range: use 1-7 (1 = Sunday) or SUN-SAT")
    return str(int(value) - 1)
