"""A member's memory of a question, as the FSRS scheduler models it (the `fsrs` package).

Pure: every function takes its times. The drill's cadence is days, so the scheduler has no learning
or relearning steps (a new card or a 忘れた comes back a day or more later, never in ten minutes),
and no fuzz, so that the same reviews always give the same due date. A card is rebuilt from the
member's reviews by replaying them, which is how a second grade on the same day replaces the first:
FSRS has no undo, but a replay of the corrected log is exact.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from fsrs import Card, Rating, Scheduler

from bot.domain.schedule import same_clock_days_later

SCHEDULER = Scheduler(learning_steps=(), relearning_steps=(), enable_fuzzing=False)

# A question is "mastered" once its memory would last three weeks (stability, in days).
MASTERED_DAYS = 21.0
ONE_DAY = timedelta(days=1)


class Grade(enum.IntEnum):
    """The four self-grades, numbered as FSRS numbers its ratings."""

    AGAIN = 1
    HARD = 2
    GOOD = 3
    EASY = 4

    @property
    def label(self) -> str:
        return GRADE_LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Grade | None:
        word = (text or "").strip().lower()
        for grade in cls:
            if word in (str(grade.value), grade.name.lower(), GRADE_LABELS[grade], *GRADE_WORDS[grade]):
                return grade
        return None


# Short names, as in the ratings distribution and the confirmation.
GRADE_LABELS = {Grade.AGAIN: "忘れた", Grade.HARD: "苦労した", Grade.GOOD: "普通", Grade.EASY: "簡単"}
# On the buttons: 苦労した must read as "remembered, with effort", not as a failure.
GRADE_BUTTONS = {
    Grade.AGAIN: "😵 忘れた",
    Grade.HARD: "😓 苦労したが思い出せた",
    Grade.GOOD: "🙂 普通に思い出せた",
    Grade.EASY: "😎 簡単",
}
GRADE_WORDS = {
    Grade.AGAIN: ("again", "wasureta"),
    Grade.HARD: ("hard",),
    Grade.GOOD: ("good", "futsuu"),
    Grade.EASY: ("easy", "kantan"),
}


@dataclass(frozen=True)
class Review:
    grade: Grade
    at: datetime  # tz-aware


@dataclass(frozen=True)
class Memory:
    """What FSRS knows of one member and one question after their reviews."""

    stability: float | None  # days
    difficulty: float | None
    due: datetime | None  # UTC
    last_review: datetime | None  # UTC
    reviews: int

    @property
    def mastered(self) -> bool:
        return self.stability is not None and self.stability >= MASTERED_DAYS

    def due_by(self, end: datetime) -> bool:
        return self.due is not None and self.due < end

    def retrievability(self, now: datetime) -> float:
        """The chance, 0–1, that the member recalls it at `now`; 0 when never reviewed."""
        if self.last_review is None or self.stability is None:
            return 0.0
        card = Card(card_id=0, stability=self.stability, difficulty=self.difficulty, due=self.due, last_review=self.last_review)
        return float(SCHEDULER.get_card_retrievability(card, current_datetime=_utc(now)))


UNSEEN = Memory(None, None, None, None, 0)


def replay(reviews: Iterable[Review], zone: str = "UTC") -> Memory:
    """The memory that these reviews leave, oldest first, for a member in `zone`. The card's id and
    creation time are given explicitly: `Card()` would otherwise read both from the wall clock."""
    ordered = sorted(reviews, key=lambda r: r.at)
    if not ordered:
        return UNSEEN
    card = Card(card_id=0, due=_utc(ordered[0].at))
    for review in ordered:
        card, _log = SCHEDULER.review_card(card, Rating(int(review.grade)), review_datetime=_utc(review.at))
    # The card's due date is only an output of FSRS (the next review's maths use the time since the
    # last one), so it can be read in the member's days.
    due = _local_days_later(card.last_review, card.due, zone) if card.last_review is not None else card.due
    return Memory(card.stability, card.difficulty, due, card.last_review, len(ordered))


def _local_days_later(last_review: datetime, due: datetime, zone: str) -> datetime:
    """FSRS counts an interval of n days as n × 24 hours; a member counts local days. The same clock
    time n local days later: a 忘れた at 23:30 before a 23-hour day comes back the next day, not the
    one after. An interval that is not whole days is kept as it is."""
    interval = due - last_review
    if interval < ONE_DAY or interval % ONE_DAY:
        return due
    return same_clock_days_later(last_review, interval // ONE_DAY, zone)


def local_day(instant: datetime, zone: str) -> date:
    return instant.astimezone(ZoneInfo(zone)).date()


def end_of_local_day(instant: datetime, zone: str) -> datetime:
    """The first instant of the next local day, in UTC: what is due before it is due "today"."""
    tz = ZoneInfo(zone)
    day = instant.astimezone(tz).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=tz).astimezone(timezone.utc)


def grade_counts(grades: Sequence[Grade]) -> dict[Grade, int]:
    return {g: sum(1 for x in grades if x == g) for g in Grade}


def _utc(instant: datetime) -> datetime:
    # fsrs insists on tzinfo == timezone.utc, not merely an aware datetime at +00:00.
    return instant.astimezone(timezone.utc)
