"""The weekly digest on a real database (SQLite and PostgreSQL), with time injected: posted once in
a week that had drills, with the week's questions, participation, the hardest questions, the top
streaks by name (never a mention) and next week's days; skipped in a week without a drill or when
it would be stale; exactly once across two replicas."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from bot.domain.memory import Grade
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.testing import ADMIN, CH
from bot.testing.fakes import Clock, RecordingChat
from bot.testing.reading import blocks_text
from bot.testing.world import World, in_tokyo, jst, tick_together
from bot.views.announcement_blocks import digest_message, permalink

AKI, BEN, CHI = "UAKI00001", "UBEN00001", "UCHI00001"
NAMES = {AKI: "<!channel> あき & co", BEN: "ベン"}


@pytest.fixture
def clock():
    return Clock(jst(22, 21))  # Sunday evening; the first drill is Monday the 23rd


@pytest.fixture
def core(db_url, clock):
    c = in_tokyo(db_url, clock, names=NAMES)
    yield c
    c.close()


def run_day(core: World, day: int, members: list[str], grades: dict[str, Grade] | None = None, month: int = 11) -> None:
    """One drill day: posted at 09:00, answered by `members`, revealed at 17:00, then graded."""
    core.at(jst(day, 9, month=month))
    drill = core.drills()[-1]
    for n, user in enumerate(members):
        assert core.bot.replies.record(CH, drill.message_ts, f"{drill.message_ts}{n + 1}", user, jst(day, 10 + n, month=month))
    core.at(jst(day, 17, month=month))
    for user, grade in (grades or {}).items():
        core.bot.learning.grade_drill(user, CH, drill.id, grade, jst(day, 17, 30, month=month), team_id=SINGLE_WORKSPACE)


def test_the_weekly_digest_is_posted_once_with_the_weeks_drills(core):
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "digest=fri-18:00")
    run_day(core, 23, [AKI], {AKI: Grade.GOOD})
    run_day(core, 24, [AKI])
    run_day(core, 25, [AKI, BEN], {AKI: Grade.AGAIN, BEN: Grade.HARD})
    run_day(core, 26, [AKI, BEN], {BEN: Grade.EASY})
    core.bot.schedules.skip(CH, ADMIN, "2026-12-02", jst(26, 18), team_id=SINGLE_WORKSPACE)
    run_day(core, 27, [AKI, BEN, CHI])

    core.at(jst(27, 17, 59))
    assert core.chat.of("digest") == []
    core.at(jst(27, 18))
    (sent,) = core.chat.of("digest", CH)
    digest = sent.digest
    assert sent.key == f"digest:{CH}:2026-W48"
    drills = core.drills()
    assert [d.message_ts for d in digest.drills] == [d.message_ts for d in drills]
    assert [d.answered for d in digest.drills] == [1, 1, 2, 2, 3]
    assert {d.role_title for d in digest.drills} == {"CISO"}
    # The 25th's question was the hardest (忘れた and 苦労した), then the 23rd's (普通); the 26th's was easy.
    assert [(h.drill.message_ts, h.mean_rating) for h in digest.hardest] == [
        (drills[2].message_ts, 1.5),
        (drills[0].message_ts, 3.0),
        (drills[3].message_ts, 4.0),
    ]
    assert [(s.name, s.streak) for s in digest.streaks] == [(NAMES[AKI], 5), ("ベン", 3), (CHI, 1)]
    assert [o.local_date for o in digest.coming] == [
        date(2026, 11, 28),
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2026, 12, 1),
        date(2026, 12, 3),
        date(2026, 12, 4),
    ]

    text = blocks_text(digest_message(digest).blocks)
    assert "<@" not in text and "<!channel>" not in text  # nobody is pinged, not even by a name
    assert "&lt;!channel&gt; あき &amp; co — 連続 5回" in text
    assert permalink(CH, drills[4].message_ts) in text and "3人が回答" in text
    assert "12月3日（木）" in text and "12月2日" not in text  # the skip date is honoured

    core.at(jst(27, 18, 5))
    core.at(jst(28, 18))
    assert len(core.chat.of("digest")) == 1


def test_no_digest_in_a_week_without_a_drill_and_one_the_next_week(core):
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "days=mon", "digest=fri-18:00")
    core.at(jst(27, 18))  # no drill since the schedule was set (Monday the 23rd was before it)
    assert core.chat.of("digest") == []
    assert [(p.key, p.status) for p in core.posts("digest")] == [("2026-W48", "skipped")]
    run_day(core, 30, [AKI])
    core.at(jst(4, 18, month=12))
    (sent,) = core.chat.of("digest")
    assert sent.digest.week == "2026-W49" and [d.answered for d in sent.digest.drills] == [1]
    assert [o.local_date for o in sent.digest.coming] == [date(2026, 12, 7)]


def test_a_digest_more_than_three_hours_late_is_skipped(core):
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "digest=fri-18:00")
    run_day(core, 23, [AKI])
    core.at(jst(27, 20, 30))  # down over the digest, within the grace period: sent late
    assert len(core.chat.of("digest")) == 1
    run_day(core, 30, [AKI])
    core.at(jst(4, 21, 1, month=12))  # down from Monday 17:00 to Friday 21:01: too late this week
    core.at(jst(5, 9, month=12))
    assert len(core.chat.of("digest")) == 1


def test_a_lost_digest_response_is_found_rather_than_posted_twice(core):
    core.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "digest=fri-18:00")
    run_day(core, 26, [AKI])
    core.chat.lost_responses = 1
    core.at(jst(27, 18))
    core.at(jst(27, 18, 1))
    (sent,) = core.chat.of("digest")
    (row,) = core.posts("digest")
    assert row.status == "sent" and row.message_ts == sent.ts


def test_two_replicas_post_the_digest_once(db_url, clock):
    chat = RecordingChat()
    a, b = in_tokyo(db_url, clock, chat=chat, names=NAMES), in_tokyo(db_url, clock, chat=chat, names=NAMES)
    try:
        a.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "digest=fri-18:00")
        run_day(a, 26, [AKI])
        clock.now = jst(27, 18)
        tick_together([a, b], jst(27, 18))
        for core in (a, b):
            core.at(jst(27, 18) + timedelta(minutes=1))
        assert len(chat.of("digest")) == 1
    finally:
        a.close()
        b.close()


def test_a_busy_weeks_digest_stays_within_slacks_limits():
    from datetime import datetime, timezone

    from bot.domain.announcements import (
        DigestDrill,
        HardQuestion,
        StreakLine,
        WeeklyDigest,
    )
    from bot.views.blocks import MAX_BLOCKS, MAX_SECTION_TEXT

    at = datetime(2026, 11, 27, 9, tzinfo=timezone.utc)
    drills = tuple(DigestDrill("最高情報セキュリティ責任者" * 3, n, "あ" * 40, at, f"1800000000.{n:06d}", answered=n) for n in range(14))
    digest = WeeklyDigest(
        channel_id=CH,
        week="2026-W48",
        start=at - timedelta(days=7),
        end=at,
        timezone="Asia/Tokyo",
        drills=drills,
        more_drills=30,
        hardest=tuple(HardQuestion(d, 1.0, 9) for d in drills[:3]),
        streaks=tuple(StreakLine("<名前>" * 200, 40 - n) for n in range(5)),
        coming=(),
    )
    message = digest_message(digest)
    assert len(message.blocks) <= MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= MAX_SECTION_TEXT for b in message.blocks if b["type"] == "section")
    assert "…ほか 30問" in blocks_text(message.blocks) and "<名前>" not in blocks_text(message.blocks)


class SlowNames(dict):
    """Display names from a users.info that hangs until the test lets it answer."""

    def __init__(self, names: dict[str, str]):
        super().__init__(names)
        self.asked = threading.Event()
        self.answer = threading.Event()

    def get(self, user_id, default=None):
        self.asked.set()
        assert self.answer.wait(timeout=30)
        return super().get(user_id, default)


def test_a_slow_users_info_never_makes_the_digest_post_twice(db_url, clock):
    """Display names are asked for before the digest is claimed: a users.info that hangs past the
    claim's lease must not leave a claim that another replica takes over while this one still posts."""
    chat = RecordingChat()
    slow = SlowNames(NAMES)
    a, b = in_tokyo(db_url, clock, chat=chat, names=slow), in_tokyo(db_url, clock, chat=chat, names=NAMES)
    try:
        a.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "digest=fri-18:00")
        run_day(a, 26, [AKI])
        errors: list[BaseException] = []

        def stuck() -> None:
            try:
                a.bot.cycle.tick(jst(27, 18))
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        thread = threading.Thread(target=stuck)
        thread.start()
        assert slow.asked.wait(timeout=30)  # replica A is waiting on users.info
        # Replica B ticks once A's claim (if it took one) has run out.
        b.at(jst(27, 18) + timedelta(seconds=a.bot.cycle.lease.total_seconds() + 1))
        slow.answer.set()
        thread.join(timeout=60)
        assert errors == [] and not thread.is_alive()
        a.at(jst(27, 18, 10))
        b.at(jst(27, 18, 10))
        (sent,) = chat.of("digest")
        assert [(s.name, s.streak) for s in sent.digest.streaks] == [(NAMES[AKI], 1)]
        assert [p.status for p in a.posts("digest")] == ["sent"]
    finally:
        slow.answer.set()
        a.close()
        b.close()
