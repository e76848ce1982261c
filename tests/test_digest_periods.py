"""Which drills each weekly digest lists, on a real database (SQLite and PostgreSQL) with time
injected: every drill in exactly one digest across clock changes (New York, London, Sydney; Tokyo
has none), changes of zone and of digest time mid-week, and a digest skipped for being late; each
title names the period its list really covers, and a period with no drill gets no digest."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.domain.drill import SHOWN
from bot.domain.schedule import DAY_LABELS_JA
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.store.db import utc
from bot.testing import ADMIN, CH
from bot.testing.fakes import Clock, RecordingChat
from bot.testing.reading import blocks_text
from bot.testing.world import World, in_tokyo
from bot.views.announcement_blocks import digest_message

UTC = timezone.utc
JITTER = timedelta(seconds=7)  # the ticker runs every few seconds, never exactly on the minute


def moment(instant: datetime, zone: str) -> str:
    """How a digest's title names one end of its period: 「3月8日（日）09:00」."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local.month}月{local.day}日（{DAY_LABELS_JA[local.weekday()]}）{local:%H:%M}"


def title_of(digest) -> str:
    """The digest's title, as its header block shows it at the top of the message."""
    (first, *_rest) = digest_message(digest).blocks
    assert first["type"] == "header"
    return first["text"]["text"]


def ticks(zones: list[str], clocks: list[str], start: datetime, end: datetime) -> set[datetime]:
    """A tick a few seconds after each of these wall-clock times, every local day, in each zone."""
    found = set()
    for zone in zones:
        tz = ZoneInfo(zone)
        day = start.astimezone(tz).date() - timedelta(days=1)
        while day <= end.astimezone(tz).date():
            for clock in clocks:
                at = datetime.combine(day, time.fromisoformat(clock), tzinfo=tz).astimezone(UTC) + JITTER
                if start <= at <= end:
                    found.add(at)
            day += timedelta(days=1)
    return found


Action = Callable[[World], object]


def drive(
    core: World,
    start: datetime,
    end: datetime,
    zones: list[str],
    clocks: list[str],
    actions: dict[datetime, Action] | None = None,
    down: tuple[datetime, datetime] | None = None,
) -> None:
    """Run the bot from `start` to `end`: ticks at the drill's, reveals' and digests' times, the
    admin's actions at their instants, and no tick at all while the bot is `down`."""
    actions = actions or {}
    for at in sorted(ticks(zones, clocks, start, end) | set(actions)):
        core.clock.now = at
        if at in actions:
            actions[at](core)
        if down is None or not down[0] <= at < down[1]:
            core.at(at)


def drill_now(at: datetime) -> tuple[datetime, Action]:
    return at, lambda core: core.bot.schedules.drill_now(CH, ADMIN, at, team_id=SINGLE_WORKSPACE)


def change(at: datetime, *words: str) -> tuple[datetime, Action]:
    return at, lambda core: core.set("ciso", *words, "reveal=+30m")


def check_periods(core: World, expect: int, chained: bool = True) -> list:
    """The properties every run must have; returns the digests sent, oldest first. `chained`: no
    digest was skipped for having nothing to list, so each period starts where the previous
    digest sent ended."""
    sent = core.chat.of("digest", CH)
    digests = [s.digest for s in sent]
    assert len(digests) == expect, [(d.week, d.start, d.end) for d in digests]
    shown = [d for d in core.drills() if d.status in SHOWN]
    last = max(utc(p.due_at) for p in core.posts("digest") if p.status == "sent")
    listed = Counter(drill.message_ts for digest in digests for drill in digest.drills)
    # Each drill posted up to the last digest is in exactly one digest (listed, or counted in 「…ほか
    # N問」 in a busy period); none is listed twice, and none posted after the last digest is listed.
    assert max(listed.values()) == 1
    assert sum(len(d.drills) + d.more_drills for d in digests) == len([d for d in shown if utc(d.post_at) <= last])
    assert {d.message_ts for d in shown if utc(d.post_at) <= last} >= set(listed)
    posted = {d.message_ts: utc(d.post_at) for d in shown}
    for n, digest in enumerate(digests):
        assert digest.drills, "a digest with nothing to list is not posted"
        assert len(digest.drills) + digest.more_drills == len([d for d in shown if digest.start < utc(d.post_at) <= digest.end])
        # The period starts where the previous digest ended; the first looks back seven local days.
        if n:
            assert not chained or digest.start == digests[n - 1].end
        else:
            zone = ZoneInfo(digest.timezone)
            local = digest.end.astimezone(zone)
            assert digest.start.astimezone(zone).replace(tzinfo=None) == (local - timedelta(days=7)).replace(tzinfo=None)
        assert all(digest.start < posted[drill.message_ts] <= digest.end for drill in digest.drills)
        # The title names that period, and every drill's date in the list falls inside it.
        title = title_of(digest)
        assert f"（{moment(digest.start, digest.timezone)}〜{moment(digest.end, digest.timezone)}）" in title
        first, final = digest.start.astimezone(ZoneInfo(digest.timezone)).date(), digest.end.astimezone(ZoneInfo(digest.timezone)).date()
        assert all(first <= drill.posted_at.astimezone(ZoneInfo(digest.timezone)).date() <= final for drill in digest.drills)
    return digests


# Each zone's clock change of 2026 on a Sunday, both ways. A daily drill at 08:30 (revealed at
# 09:00), a Sunday 09:00 digest, and an extra `drill now` at 09:30 every Sunday: drills half an hour
# on either side of the digest, where a seven-times-24-hours week loses or repeats one.
DST_SUNDAYS = [
    ("America/New_York", date(2026, 3, 8)),  # 02:00 → 03:00
    ("America/New_York", date(2026, 11, 1)),  # 02:00 → 01:00
    ("Europe/London", date(2026, 3, 29)),  # 01:00 → 02:00
    ("Europe/London", date(2026, 10, 25)),  # 02:00 → 01:00
    ("Australia/Sydney", date(2026, 4, 5)),  # 03:00 → 02:00
    ("Australia/Sydney", date(2026, 10, 4)),  # 02:00 → 03:00
    ("Asia/Tokyo", date(2026, 11, 29)),  # no change: the same rule holds
]


@pytest.mark.parametrize("zone,sunday", DST_SUNDAYS, ids=[f"{z}-{d}" for z, d in DST_SUNDAYS])
def test_every_drill_is_in_exactly_one_digest_across_a_clock_change(db_url, zone, sunday):
    tz = ZoneInfo(zone)
    start = datetime.combine(sunday - timedelta(days=9), time(20, 0), tzinfo=tz).astimezone(UTC)  # a Friday evening
    end = datetime.combine(sunday + timedelta(days=7), time(12, 0), tzinfo=tz).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "08:30", f"tz={zone}", "reveal=+30m", "digest=sun-09:00")
        extras = dict(drill_now(datetime.combine(sunday + timedelta(days=d), time(9, 30), tzinfo=tz).astimezone(UTC)) for d in (-7, 0, 7))
        drive(core, start, end, [zone], ["08:30", "09:00", "09:30", "10:00"], extras)
        digests = check_periods(core, expect=3)
        assert [d.end for d in digests] == [
            datetime.combine(sunday + timedelta(days=d), time(9, 0), tzinfo=tz).astimezone(UTC) for d in (-7, 0, 7)
        ]
        # The week of the clock change lists that week's seven scheduled drills and last Sunday's extra one.
        assert len(digests[1].drills) == 8
    finally:
        core.close()


def test_the_digest_title_names_the_period_across_the_night_clocks_go_back(db_url):
    """New York, week of 1 November 2026: the digest names its period from the previous digest to
    its own instant, and lists last Sunday's 09:30 extra drill under its own date."""
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 10, 23, 20, 0, tzinfo=ny).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "08:30", "tz=America/New_York", "reveal=+30m", "digest=sun-09:00")
        extras = dict([drill_now(datetime(2026, 10, 25, 9, 30, tzinfo=ny).astimezone(UTC))])
        drive(
            core,
            start,
            datetime(2026, 11, 1, 12, 0, tzinfo=ny).astimezone(UTC),
            ["America/New_York"],
            ["08:30", "09:00", "09:30", "10:00"],
            extras,
        )
        _first, second = check_periods(core, expect=2)
        assert title_of(second) == "📰 今週の面接ドリルまとめ（10月25日（日）09:00〜11月1日（日）09:00）"
        text = blocks_text(digest_message(second).blocks)
        assert "今週のドリル（8問）" in text and "10月25日（日）（臨時）" in text
    finally:
        core.close()


def test_a_change_of_zone_mid_week_neither_drops_nor_repeats_a_drill(db_url):
    """Tokyo to New York on a Wednesday, then back to Tokyo at noon on Sunday the 29th (Saturday
    night in New York): that Sunday's digest, whose time Tokyo's clock had already passed, is not
    posted, and the drills New York's would have listed go to the next one."""
    tokyo, ny = ZoneInfo("Asia/Tokyo"), ZoneInfo("America/New_York")
    start = datetime(2026, 11, 13, 20, 0, tzinfo=tokyo).astimezone(UTC)
    end = datetime(2026, 12, 6, 12, 0, tzinfo=tokyo).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "08:30", "tz=Asia/Tokyo", "reveal=+30m", "digest=sun-09:00")
        actions = dict(
            [
                change(datetime(2026, 11, 18, 12, 0, tzinfo=tokyo).astimezone(UTC), "08:30", "tz=America/New_York"),
                drill_now(datetime(2026, 11, 22, 9, 30, tzinfo=ny).astimezone(UTC)),
                change(datetime(2026, 11, 29, 12, 0, tzinfo=tokyo).astimezone(UTC), "08:30", "tz=Asia/Tokyo"),
                drill_now(datetime(2026, 12, 2, 9, 30, tzinfo=tokyo).astimezone(UTC)),
            ]
        )
        drive(core, start, end, ["Asia/Tokyo", "America/New_York"], ["08:30", "09:00", "09:30", "10:00"], actions)
        digests = check_periods(core, expect=3)
        assert [(d.end, d.timezone) for d in digests] == [
            (datetime(2026, 11, 15, 9, 0, tzinfo=tokyo).astimezone(UTC), "Asia/Tokyo"),
            (datetime(2026, 11, 22, 9, 0, tzinfo=ny).astimezone(UTC), "America/New_York"),
            (datetime(2026, 12, 6, 9, 0, tzinfo=tokyo).astimezone(UTC), "Asia/Tokyo"),
        ]
    finally:
        core.close()


def test_changes_of_the_digest_time_neither_drop_nor_repeat_a_drill(db_url):
    """Sunday 09:00 → Wednesday 20:00 (set on Tuesday) → Monday 07:00 (set the next Thursday) →
    Saturday 22:00 (set on a Tuesday, in an ISO week that already had its digest, so the next is a
    week later): each digest lists what was posted since the previous one, however long that was."""
    tokyo = ZoneInfo("Asia/Tokyo")
    start = datetime(2026, 11, 6, 20, 0, tzinfo=tokyo).astimezone(UTC)
    end = datetime(2026, 12, 13, 12, 0, tzinfo=tokyo).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "08:30", "tz=Asia/Tokyo", "reveal=+30m", "digest=sun-09:00")
        actions = dict(
            [
                change(datetime(2026, 11, 10, 12, 0, tzinfo=tokyo).astimezone(UTC), "08:30", "digest=wed-20:00"),
                drill_now(datetime(2026, 11, 11, 20, 30, tzinfo=tokyo).astimezone(UTC)),
                change(datetime(2026, 11, 19, 12, 0, tzinfo=tokyo).astimezone(UTC), "08:30", "digest=mon-07:00"),
                change(datetime(2026, 12, 1, 12, 0, tzinfo=tokyo).astimezone(UTC), "08:30", "digest=sat-22:00"),
            ]
        )
        drive(core, start, end, ["Asia/Tokyo"], ["07:00", "08:30", "09:00", "20:00", "20:30", "21:00", "22:00"], actions)
        digests = check_periods(core, expect=6)
        assert [d.end.astimezone(tokyo).strftime("%m-%d %H:%M") for d in digests] == [
            "11-08 09:00",
            "11-11 20:00",
            "11-18 20:00",
            "11-23 07:00",
            "11-30 07:00",
            "12-12 22:00",
        ]
    finally:
        core.close()


def test_a_digest_skipped_for_being_late_passes_its_drills_to_the_next_one(db_url):
    """Down over London's Sunday digest in the week clocks go forward: no stale digest is posted,
    and next Sunday's lists both weeks, with a title that says so."""
    london = ZoneInfo("Europe/London")
    start = datetime(2026, 3, 20, 20, 0, tzinfo=london).astimezone(UTC)
    end = datetime(2026, 4, 5, 12, 0, tzinfo=london).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "08:30", "tz=Europe/London", "reveal=+30m", "digest=sun-09:00")
        down = (datetime(2026, 3, 29, 8, 0, tzinfo=london).astimezone(UTC), datetime(2026, 3, 29, 12, 30, tzinfo=london).astimezone(UTC))
        drive(core, start, end, ["Europe/London"], ["08:30", "09:00", "09:30", "10:00", "12:30"], down=down)
        first, second = check_periods(core, expect=2)
        assert second.start == datetime(2026, 3, 22, 9, 0, tzinfo=london).astimezone(UTC)
        assert len(second.drills) + second.more_drills == 13  # the 23rd to the 5th; the 29th's drill was missed while down
        assert title_of(second) == "📰 面接ドリルまとめ（3月22日（日）09:00〜4月5日（日）09:00）"
        assert [p.key for p in core.posts("digest") if p.status == "sent"] == ["2026-W12", "2026-W14"]
    finally:
        core.close()


def test_a_period_with_no_drill_gets_no_digest_and_the_next_one_starts_from_the_last_digest(db_url):
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 10, 23, 20, 0, tzinfo=ny).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "08:30", "tz=America/New_York", "reveal=+30m", "digest=sun-09:00")
        actions = dict(
            [
                (
                    datetime(2026, 10, 25, 12, 0, tzinfo=ny).astimezone(UTC),
                    lambda c: c.bot.schedules.pause(CH, ADMIN, c.clock(), team_id=SINGLE_WORKSPACE),
                ),
                (
                    datetime(2026, 11, 2, 12, 0, tzinfo=ny).astimezone(UTC),
                    lambda c: c.bot.schedules.resume(CH, ADMIN, c.clock(), team_id=SINGLE_WORKSPACE),
                ),
            ]
        )
        drive(
            core, start, datetime(2026, 11, 8, 12, 0, tzinfo=ny).astimezone(UTC), ["America/New_York"], ["08:30", "09:00", "10:00"], actions
        )
        first, second = check_periods(core, expect=2, chained=False)
        assert [(p.key, p.status) for p in core.posts("digest")] == [("2026-W43", "sent"), ("2026-W44", "skipped"), ("2026-W45", "sent")]
        # The paused week had nothing to list: it still closes a period, so the next title is one week long.
        assert second.start == datetime(2026, 11, 1, 9, 0, tzinfo=ny).astimezone(UTC)
        assert len(second.drills) == 6  # Monday the 2nd was resumed after its 08:30
    finally:
        core.close()


class HeldChat(RecordingChat):
    """A chat port whose next question post waits until the test lets it through, as a replica's
    post does while Slack is slow."""

    def __init__(self) -> None:
        super().__init__()
        self.posting = threading.Event()
        self.release = threading.Event()
        self.hold = True

    def post_question(self, channel_id, post, key):
        if self.hold:
            self.hold = False
            self.posting.set()
            assert self.release.wait(timeout=30)
        return super().post_question(channel_id, post, key)


def test_a_digest_waits_for_a_drill_another_replica_is_still_posting(db_url):
    """Replica A is posting the 17:59 `drill now` question when replica B reaches the 18:00
    digest: B does not post a digest without it (nor one that leaves it out for good)."""
    tokyo = ZoneInfo("Asia/Tokyo")
    clock = Clock(datetime(2026, 11, 26, 20, 0, tzinfo=tokyo).astimezone(UTC))
    chat = HeldChat()
    chat.hold = False
    a, b = in_tokyo(db_url, clock, chat=chat), in_tokyo(db_url, clock, chat=chat)
    try:
        a.set("ciso", "09:00", "tz=Asia/Tokyo", "reveal=+8h", "digest=fri-18:00")
        a.at(datetime(2026, 11, 27, 9, 0, 7, tzinfo=tokyo).astimezone(UTC))
        a.at(datetime(2026, 11, 27, 17, 0, 7, tzinfo=tokyo).astimezone(UTC))
        extra = datetime(2026, 11, 27, 17, 59, 55, tzinfo=tokyo).astimezone(UTC)
        clock.now = extra
        a.bot.schedules.drill_now(CH, ADMIN, extra, team_id=SINGLE_WORKSPACE)
        chat.hold = True
        errors: list[BaseException] = []

        def slow_post() -> None:
            try:
                a.bot.cycle.tick(extra)
            except BaseException as exc:  # noqa: BLE001 - reported below
                errors.append(exc)

        thread = threading.Thread(target=slow_post)
        thread.start()
        assert chat.posting.wait(timeout=30)
        six = datetime(2026, 11, 27, 18, 0, 3, tzinfo=tokyo).astimezone(UTC)
        b.at(six)
        assert chat.of("digest") == []
        chat.release.set()
        thread.join(timeout=60)
        assert errors == [] and not thread.is_alive()
        b.at(six + timedelta(seconds=10))
        (sent,) = chat.of("digest")
        assert len(sent.digest.drills) == 2 and sent.digest.drills[-1].extra
    finally:
        chat.release.set()
        a.close()
        b.close()


def test_next_weeks_line_gives_each_day_its_own_clock_time(db_url):
    """New York's drill at 02:30: on 8 March the clock skips from 02:00 to 03:00, so that day's
    question comes at 03:30, and the digest the Friday before says so for that day only."""
    ny = ZoneInfo("America/New_York")
    start = datetime(2026, 2, 27, 19, 0, tzinfo=ny).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "02:30", "tz=America/New_York", "reveal=+1h", "digest=fri-18:00")
        drive(core, start, datetime(2026, 3, 6, 18, 30, tzinfo=ny).astimezone(UTC), ["America/New_York"], ["02:30", "03:30", "18:00"])
        (sent,) = core.chat.of("digest", CH)
        text = blocks_text(digest_message(sent.digest).blocks)
        assert (
            "3月7日（土）02:30・3月8日（日）03:30・3月9日（月）02:30・" in text
            and "3月13日（金）02:30（America/New_York）に出題します。" in text
        )
    finally:
        core.close()


def test_a_digest_turned_off_and_on_again_looks_back_one_week_not_to_the_last_digest(db_url):
    """Off for two weeks, on again: the first digest after that sums up the last seven local days,
    not everything since the digest before it was turned off."""
    tokyo = ZoneInfo("Asia/Tokyo")
    start = datetime(2026, 11, 6, 20, 0, tzinfo=tokyo).astimezone(UTC)
    core = in_tokyo(db_url, Clock(start))
    try:
        core.set("ciso", "08:30", "tz=Asia/Tokyo", "reveal=+30m", "digest=sun-09:00")
        actions = dict(
            [
                change(datetime(2026, 11, 9, 12, 0, tzinfo=tokyo).astimezone(UTC), "08:30", "digest=off"),
                change(datetime(2026, 11, 25, 12, 0, tzinfo=tokyo).astimezone(UTC), "08:30", "digest=sun-09:00"),
            ]
        )
        drive(core, start, datetime(2026, 11, 29, 12, 0, tzinfo=tokyo).astimezone(UTC), ["Asia/Tokyo"], ["08:30", "09:00"], actions)
        first, second = [s.digest for s in core.chat.of("digest", CH)]
        assert first.end == datetime(2026, 11, 8, 9, 0, tzinfo=tokyo).astimezone(UTC)
        assert (second.start, second.end) == (
            datetime(2026, 11, 22, 9, 0, tzinfo=tokyo).astimezone(UTC),
            datetime(2026, 11, 29, 9, 0, tzinfo=tokyo).astimezone(UTC),
        )
        assert len(second.drills) == 7
    finally:
        core.close()
