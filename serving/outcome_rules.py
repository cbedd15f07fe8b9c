"""What makes an outcome believable for its case, and what it says about a fixed window.

An outcome's window starts when the case was first scored here (``cases.created_at``).
Days are calendar days where the case system is, which may be up to 14 hours ahead of
UTC or 12 behind, so the checks on ``crisis_on`` allow for any time zone rather than
refuse a correct date told from the other side of midnight.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from core.errors import InvalidRequestError

__all__ = ["check_outcome", "crisis_within", "days_to_crisis", "window_ends_at"]

# The furthest any time zone is from UTC: UTC+14 (Line Islands) and UTC-12.
_AHEAD_OF_UTC = timedelta(hours=14)
_BEHIND_UTC = timedelta(hours=12)


def window_ends_at(case_created_at: datetime, window_days: int) -> datetime:
    """The moment the outcome window of a case closes."""
    return case_created_at + timedelta(days=window_days)


def check_outcome(
    *,
    crisis: bool,
    crisis_on: date | None,
    window_days: int,
    case_created_at: datetime,
    now: datetime,
) -> None:
    """Refuse an outcome its case makes impossible, naming the field.

    Raises
    ------
    core.errors.InvalidRequestError
        ``crisis_on`` before the case was created, in the future or after the window;
        ``crisis`` false while the window is still open (no crisis *yet* is not an outcome).
    """
    if crisis:
        if crisis_on is None:
            raise InvalidRequestError(
                "crisis_on: the day of the crisis is required when crisis is true",
                field="crisis_on",
            )
        first_day = (case_created_at - _BEHIND_UTC).date()
        if crisis_on < first_day:
            raise InvalidRequestError(
                f"crisis_on: {crisis_on} is before the case was created ({first_day})",
                field="crisis_on",
            )
        today = (now + _AHEAD_OF_UTC).date()
        if crisis_on > today:
            raise InvalidRequestError(f"crisis_on: {crisis_on} is in the future", field="crisis_on")
        last_day = (case_created_at + _AHEAD_OF_UTC).date() + timedelta(days=window_days)
        if crisis_on > last_day:
            raise InvalidRequestError(
                f"crisis_on: {crisis_on} is after the {window_days}-day window of the case "
                f"(it ends {last_day}); send the window_days it falls in",
                field="crisis_on",
            )
        return
    ends = window_ends_at(case_created_at, window_days)
    if now < ends:
        raise InvalidRequestError(
            f"crisis: 'no crisis within {window_days} days' cannot be known before the "
            f"window ends on {ends.date()}; record the outcome then, or a crisis when it comes",
            field="crisis",
        )


def days_to_crisis(crisis_on: date | None, case_created_at: datetime) -> int | None:
    """Whole days from the case's (UTC) creation day to the crisis, never negative."""
    if crisis_on is None:
        return None
    return max(0, (crisis_on - case_created_at.date()).days)


def crisis_within(
    days: int, *, crisis: bool, crisis_on: date | None, window_days: int, case_created_at: datetime
) -> bool | None:
    """Whether the outcome says a crisis came within ``days`` of the case; None when it
    cannot tell (no crisis in a window shorter than ``days``, or the day was erased)."""
    if crisis:
        if crisis_on is None:
            return None
        return days_to_crisis(crisis_on, case_created_at) <= days
    if window_days >= days:
        return False
    return None
