"""Private answer feedback on a real database (SQLite and PostgreSQL): replies judged as they
arrive, edits and deletes, one private message per participant after the reveal, the button, and
the channel's and the member's switches. The drills here ask CTO questions, which have no curated
keywords, so a reply that repeats a point's own words covers it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.domain.answer_feedback import Verdict
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.store.models import FeedbackNoticeRow, ReplyRow
from bot.testing import CH
from bot.testing.world import World
from bot.views.action_ids import Kind, action_id, encode

C, P, M = Verdict.COVERED, Verdict.PARTLY, Verdict.MISSING


def posted(world: World, *options: str):
    """A CTO drill posted at 09:00 (reveal 10:00): (thread ts, its question)."""
    world.set("cto", "09:00", "reveal=+1h", *options)
    world.at(9, 0)
    row = world.rows()[-1]
    question = world.bot.catalog.by_slug("cto").question_by_id(row.question_id)
    return row.message_ts, question, row.id


def reply(world: World, thread_ts: str, n: int, user: str, text: str, minutes: int = 5) -> bool:
    return world.replies.record(CH, thread_ts, f"1800000300.{n:06d}", user, world.clock() + timedelta(minutes=minutes), text=text)


def verdicts_stored(world: World) -> dict[str, str | None]:
    with world.cycle.sessions() as s:
        return {ts: v for ts, v in s.execute(select(ReplyRow.message_ts, ReplyRow.verdicts)).all()}


def feedback_sent(world: World) -> dict[str, tuple[Verdict, ...]]:
    return {s.text: s.feedback.verdicts for s in world.chat.of("feedback", CH)}


def test_participants_are_told_once_after_the_reveal_and_only_about_their_own_reply(world):
    ts, question, _drill = posted(world)
    points = question.points
    assert reply(world, ts, 1, "UAKI00001", "。".join(points[:2]) + "。")  # two points
    assert reply(world, ts, 2, "UBEN00001", f"{points[0]}はしていません。")  # a point, negated
    assert reply(world, ts, 3, "UCHI00001", "週末は山に登りました。景色がよかったです。")  # off-topic
    assert reply(world, ts, 4, "UAKI00001", points[2] + "も大切です。")  # Aki's second reply adds a third
    world.at(9, 59)
    assert world.chat.of("feedback") == []  # nothing before the reveal: it would leak the points
    world.at(10, 0)
    world.at(10, 1)
    sent = feedback_sent(world)
    rest = (M,) * (len(points) - 3)
    assert sent == {"UAKI00001": (C, C, C, *rest), "UBEN00001": (M,) * len(points), "UCHI00001": (M,) * len(points)}
    assert all(s.thread_ts == ts for s in world.chat.of("feedback"))
    world.at(10, 5)
    assert len(world.chat.of("feedback")) == 3  # never twice


def test_only_letters_are_stored_and_late_replies_get_none(world):
    ts, question, _drill = posted(world)
    reply(world, ts, 1, "UAKI00001", question.points[0])
    world.at(10, 1)
    reply(world, ts, 2, "UBEN00001", "。".join(question.points), minutes=5)  # after the reveal
    stored = verdicts_stored(world)
    assert stored["1800000300.000001"][0] == "c" and set(stored["1800000300.000001"]) <= {"c", "p", "m"}
    assert stored["1800000300.000002"] is None


def test_an_edit_before_the_reveal_is_judged_again_and_one_after_it_changes_nothing(world):
    ts, question, _drill = posted(world)
    at = world.clock() + timedelta(minutes=5)
    world.replies.record(CH, ts, "1800000300.000001", "UAKI00001", at, text="まだ考え中です")
    assert verdicts_stored(world)["1800000300.000001"][0] == "m"
    world.replies.revise(CH, ts, "1800000300.000001", "UAKI00001", question.points[0], at, at + timedelta(minutes=10))
    assert verdicts_stored(world)["1800000300.000001"][0] == "c"
    world.at(10, 1)
    world.replies.revise(CH, ts, "1800000300.000001", "UAKI00001", "。".join(question.points), at, world.clock())
    assert verdicts_stored(world)["1800000300.000001"][1] == "m"  # the points are out: no gaming


def test_a_deleted_reply_keeps_no_verdict_and_gets_no_feedback(world):
    ts, question, _drill = posted(world)
    reply(world, ts, 1, "UAKI00001", question.points[0])
    world.replies.remove(CH, ts, "1800000300.000001")
    assert verdicts_stored(world)["1800000300.000001"] is None
    world.at(10, 1)
    assert world.chat.of("feedback") == []


def test_two_services_send_each_feedback_once(db_url):
    first, second = World(db_url), World(db_url)
    try:
        ts, question, _drill = posted(first)
        for n, user in enumerate(("UAKI00001", "UBEN00001", "UCHI00001"), start=1):
            reply(first, ts, n, user, question.points[0])
        first.clock.now = second.clock.now = first.clock.now.replace(hour=10, minute=1)
        import threading

        threads = [threading.Thread(target=w.cycle.tick, args=(first.clock.now,)) for w in (first, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        first.cycle.tick(first.clock.now)
        second.cycle.tick(first.clock.now)
        sent = sorted(s.text for s in first.chat.of("feedback") + second.chat.of("feedback"))
        assert sent == ["UAKI00001", "UBEN00001", "UCHI00001"]
    finally:
        first.bot.engine.dispose()
        second.bot.engine.dispose()


def test_a_failed_send_is_retried_and_one_slack_refuses_is_not(world):
    ts, question, drill_id = posted(world)
    reply(world, ts, 1, "UAKI00001", question.points[0])
    reply(world, ts, 2, "UBEN00001", question.points[0])
    world.clock.now = world.clock.now.replace(hour=10, minute=0)
    assert world.bot.delivery.reveal(drill_id, world.clock.now)  # the reveal alone, no feedback yet
    world.chat.failures = [ChatError("ratelimited", retryable=True), ChatError("user_not_in_channel", retryable=False)]
    world.at(10, 1)
    assert world.chat.of("feedback") == []
    world.at(10, 2)
    assert [s.text for s in world.chat.of("feedback")] == ["UAKI00001"]
    world.at(10, 3)
    assert len(world.chat.of("feedback")) == 1
    with world.cycle.sessions() as s:
        errors = dict(s.execute(select(FeedbackNoticeRow.user_id, FeedbackNoticeRow.error)).all())
    assert errors == {"UAKI00001": None, "UBEN00001": "user_not_in_channel"}
    # The button is the durable path: Ben still sees his verdict there.
    shown = world.bot.router.handle_action(
        action_id(Kind.CHECK_ANSWER) + ".0", encode(drill_id), user_id="UBEN00001", channel_id=CH, team_id=SINGLE_WORKSPACE
    )
    assert "あなたの回答と回答ポイント" in shown.text and "✓" in str(shown.blocks)


def test_the_check_button_before_the_reveal_without_a_reply_and_forged(world):
    ts, question, drill_id = posted(world)
    reply(world, ts, 1, "UAKI00001", question.points[0])

    def press(user: str, value: str = "", channel: str = CH) -> str:
        return world.bot.router.handle_action(
            action_id(Kind.CHECK_ANSWER) + ".0", value or encode(drill_id), user_id=user, channel_id=channel, team_id=SINGLE_WORKSPACE
        ).text

    assert "公開前は" in press("UAKI00001")
    world.at(10, 1)
    assert "見つかりませんでした" in press("UBEN00001")
    assert "このドリルは見つかりませんでした" in press("UAKI00001", channel="C0OTHER01")
    assert "古いか" in press("UAKI00001", value="<!channel>")
    assert "古いか" in press("UAKI00001", value=encode(2**40))


def test_a_member_who_turns_it_off_is_not_analysed_nor_told(world):
    router = world.bot.router
    assert "オフにしました" in router.handle_command("feedback off", user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE).text
    ts, question, drill_id = posted(world)
    reply(world, ts, 1, "UAKI00001", question.points[0])
    reply(world, ts, 2, "UBEN00001", question.points[0])
    assert verdicts_stored(world)["1800000300.000001"] is None  # not even analysed
    world.at(10, 1)
    assert [s.text for s in world.chat.of("feedback")] == ["UBEN00001"]
    assert (
        "オフにしています"
        in router.handle_action(
            action_id(Kind.CHECK_ANSWER) + ".0", encode(drill_id), user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE
        ).text
    )
    assert "オンにしました" in router.handle_command("feedback on", user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE).text


def test_a_channel_with_feedback_off_analyses_nothing_and_shows_no_button(world):
    ts, question, _drill = posted(world, "feedback=off")
    shown = str(world.bot.router.handle_command("schedule show", user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE).blocks)
    assert "回答のチェック:" in shown and "オフ（`feedback=off`）" in shown
    reply(world, ts, 1, "UAKI00001", question.points[0])
    assert verdicts_stored(world)["1800000300.000001"] is None
    world.at(10, 1)
    assert world.chat.of("feedback") == []
    assert world.chat.of("reveal")[0].reveal.feedback is False


@pytest.mark.parametrize(
    "text",
    ["\x00\x07\x1b[31m\u202e", "回答" * 20_000, "😀🎉" * 100, "https://example.com/x?y=1", "```\nSELECT 1;\n```", "<!channel>"],
    ids=["control", "40000-chars", "emoji", "url", "code", "mention"],
)
def test_an_odd_reply_is_counted_with_a_verdict_or_none_and_nothing_else_changes(world, text):
    ts, question, _drill = posted(world)
    assert reply(world, ts, 1, "UAKI00001", text)
    stored = verdicts_stored(world)["1800000300.000001"]
    # Judged, and none of these makes a point (the letters of a reply judged only in part are capitals).
    assert stored.lower() == "m" * len(question.points)
    world.at(10, 1)
    assert world.chat.of("reveal")[0].reveal.participants == ("UAKI00001",)


def test_after_a_timeout_or_5xx_feedback_is_not_sent_again(world):
    """Slack may have shown it already, and an ephemeral cannot be looked up: never twice."""
    ts, question, drill_id = posted(world)
    reply(world, ts, 1, "UAKI00001", question.points[0])
    world.clock.now = world.clock.now.replace(hour=10, minute=0)
    assert world.bot.delivery.reveal(drill_id, world.clock.now)
    world.chat.failures = [ChatError("connection_error: TimeoutError", retryable=True)]
    world.at(10, 1)
    world.at(10, 2)
    assert world.chat.of("feedback") == []
    with world.cycle.sessions() as s:
        assert s.scalars(select(FeedbackNoticeRow.error)).one() == "connection_error: TimeoutError"


def test_no_feedback_when_the_reveal_itself_could_not_be_posted(world):
    ts, question, drill_id = posted(world)
    reply(world, ts, 1, "UAKI00001", question.points[0])
    world.chat.failures = [ChatError("invalid_blocks", retryable=False)]  # Slack refuses the reveal
    world.at(10, 1)
    world.at(10, 2)
    assert world.chat.of("reveal") == [] and world.chat.of("feedback") == []


def test_a_claim_taken_over_cannot_be_released_by_its_old_holder(world):
    from bot.store import leases
    from bot.store.leases import FEEDBACK_NOTICE, Claim

    ts, question, drill_id = posted(world)
    now = world.clock()
    lease = timedelta(minutes=2)
    with world.cycle.sessions.begin() as s:
        assert leases.claim(s, FEEDBACK_NOTICE, (drill_id, "UAKI00001"), "A", now, now - lease)
    later = now + timedelta(minutes=5)
    with world.cycle.sessions.begin() as s:
        assert leases.claim(s, FEEDBACK_NOTICE, (drill_id, "UAKI00001"), "B", later, later - lease)  # A's lease ran out

    with world.cycle.sessions.begin() as s:
        assert not leases.release(s, Claim(FEEDBACK_NOTICE, (drill_id, "UAKI00001"), "A", now))
    with world.cycle.sessions.begin() as s:
        assert not leases.claim(s, FEEDBACK_NOTICE, (drill_id, "UAKI00001"), "C", later, later - lease)  # B still holds it


def test_a_drill_keeps_its_channels_feedback_off_after_the_schedule_is_removed(world):
    ts, question, _drill = posted(world, "feedback=off")
    world.schedules.remove(CH, "UADMIN001", world.clock(), team_id=SINGLE_WORKSPACE)
    reply(world, ts, 1, "UAKI00001", question.points[0])
    assert verdicts_stored(world)["1800000300.000001"] is None  # not analysed
    world.at(10, 1)
    assert world.chat.of("feedback") == [] and world.chat.of("reveal")[0].reveal.feedback is False


def test_a_counted_reply_without_a_verdict_is_explained_not_denied(world):
    ts, question, drill_id = posted(world)
    router = world.bot.router
    router.handle_command("feedback off", user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE)
    reply(world, ts, 1, "UAKI00001", question.points[0])  # counted, not analysed
    router.handle_command("feedback on", user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE)
    world.at(10, 1)
    shown = router.handle_action(
        action_id(Kind.CHECK_ANSWER) + ".0", encode(drill_id), user_id="UAKI00001", channel_id=CH, team_id=SINGLE_WORKSPACE
    ).text
    assert "数えられていますが、判定はありません" in shown
