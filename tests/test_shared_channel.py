"""A Slack Connect channel that changed hands (SQLite and PostgreSQL): workspace A ran drills in
it and turned its schedule off, and workspace B then set a schedule of its own there. Each reads
and uses only what is its own: B's schedule is not shown to A's members nor A's to B's, a drill A
left behind takes nothing from B's schedule, and B's admin is never told about A's drill."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from bot.domain.drill import DrillStatus
from bot.domain.schedule_input import parse_schedule_set
from bot.ports import ChatError
from bot.store import drills, schedules
from bot.testing.fakes import RecordingChat
from bot.testing.world import World
from bot.usecases.schedule_admin import OTHER_WORKSPACE

UTC = timezone.utc
A, B = "TALPHA001", "TBRAVO001"
ADMINS = {A: "UADMINA01", B: "UADMINB01"}
CH = "C0SHARED1"
T0 = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


class SharedChannel:
    def __init__(self, db_url: str):
        self.chats = {A: RecordingChat(), B: RecordingChat()}
        world = World(
            db_url, start=T0, seed=5, admins="", is_admin=lambda user_id, team_id: ADMINS.get(team_id) == user_id, chats=self.chats
        )
        self.clock, self.bot = world.clock, world.bot

    def set(self, team: str, *words: str):
        return self.bot.schedules.set(CH, ADMINS[team], parse_schedule_set(list(words), "UTC"), self.clock(), team_id=team)

    def ask(self, team: str, text: str, user_id: str) -> str:
        return str(self.bot.router.handle_command(text, user_id=user_id, channel_id=CH, team_id=team).blocks)

    def at(self, hour: int, minute: int = 0, day: int = 25):
        self.clock.now = T0.replace(day=day, hour=hour, minute=minute)
        return self.bot.cycle.tick(self.clock.now)

    def drill(self, drill_id: int) -> drills.Drill:
        with self.bot.cycle.sessions() as s:
            drill = drills.get_drill(s, drill_id)
        assert drill is not None
        return drill

    def deck(self) -> object:
        with self.bot.cycle.sessions() as s:
            stored = schedules.get_schedule(s, CH)
        assert stored is not None
        return stored.deck

    def left_behind_by_a(self, question: bool) -> int:
        """A drill of A's due at 08:30, still to be posted: A's schedule is gone and B's is set."""
        with self.bot.cycle.sessions.begin() as s:
            assert drills.create_drill(
                s, CH, "2026-11-25T08:30@A", T0.replace(minute=30), T0.replace(hour=9, minute=30), "UTC", T0, team_id=A
            )
            drill = drills.latest_open_drill(s, CH, team_id=A)
            assert drill is not None
            if question:
                role = self.bot.catalog.by_slug("ciso_project_position")
                assert role is not None
                first = role.questions[0]
                drills.set_question(s, drill.id, role.slug, first.id, first.number, len(role.questions))
            return drill.id


@pytest.fixture
def shared(db_url):
    world = SharedChannel(db_url)
    yield world
    world.bot.engine.dispose()


def test_the_channels_schedule_is_shown_to_the_workspace_that_set_it_and_not_to_the_other(shared):
    shared.set(B, "cto", "07:45", "reveal=+1h", "digest=fri-18:00")
    mine = shared.ask(B, "schedule show", "UMEMBB001")
    assert "07:45" in mine and "金" in mine
    theirs = shared.ask(A, "schedule show", "UMEMBA001")
    assert OTHER_WORKSPACE in theirs
    assert "07:45" not in theirs and "金" not in theirs
    # Nor does a form opened there by A's admin carry B's settings.
    assert shared.bot.schedules.for_form(CH, team_id=A) == (None, None)
    assert shared.bot.schedules.for_form(CH, team_id=B)[0].post_time.strftime("%H:%M") == "07:45"


def test_a_drill_left_behind_takes_neither_the_role_nor_the_rotation_of_the_schedule_set_since(shared):
    shared.set(B, "cto", "09:00", "reveal=+1h")
    deck_before = shared.deck()
    left = shared.left_behind_by_a(question=False)

    shared.at(8, 31)
    # A's drill is not posted with B's role (nor with A's token), and B's rotation has not moved.
    assert shared.chats[A].of("question") == [] and shared.chats[B].of("question") == []
    assert shared.drill(left).role_slug is None
    assert shared.deck() == deck_before

    # B's own drills go on (from the next day: the channel had its drill of the 25th).
    shared.at(9, 0, day=26)
    (question,) = shared.chats[B].of("question", CH)
    assert question.post.role_slug == "cto"
    assert shared.chats[A].of("question") == []


def test_a_drill_that_cannot_be_posted_is_never_told_to_the_admin_of_the_workspace_that_set_a_schedule_since(shared):
    shared.set(B, "cto", "09:00", "reveal=+1h")
    left = shared.left_behind_by_a(question=True)
    shared.chats[A].failures.append(ChatError("not_in_channel"))

    shared.at(8, 31)
    assert shared.drill(left).status != DrillStatus.POSTED
    # B's admin hears nothing of A's drill (nor does anyone through B's token).
    assert shared.chats[B].sent == []
    assert shared.chats[A].of("dm") == []


def test_an_admin_of_the_other_workspace_cannot_reveal_the_drill_left_open_in_the_channel(shared):
    shared.set(A, "ciso", "08:30", "reveal=+1h")
    shared.at(8, 30)
    (question,) = shared.chats[A].of("question", CH)
    shared.bot.schedules.remove(CH, ADMINS[A], shared.clock(), team_id=A)
    shared.set(B, "cto", "09:00", "reveal=+1h")

    # B's admin has no drill open there: A's is not B's to reveal.
    assert "回答受付中のドリルがありません" in shared.ask(B, "drill reveal", ADMINS[B])
    shared.at(8, 45)
    assert shared.chats[A].of("reveal") == [] and shared.chats[B].of("reveal") == []
    shared.at(9, 31)
    (reveal,) = shared.chats[A].of("reveal", CH)
    assert reveal.thread_ts == question.ts
    assert shared.chats[B].of("reveal") == []
    assert timedelta(0) < shared.clock() - question.post.reveal_at < timedelta(minutes=2)
