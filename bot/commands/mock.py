"""`/career mock …`, the DM's own words (「模擬面接 cto」) and the mock interview's buttons: decode,
call the mock interview use-case, render. A bad, stale or someone else's press gets one sentence
and changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.commands.learning import LearningCommands
from bot.domain.catalog import NotFound
from bot.domain.command_text import MockCommand, ReviewCommand, in_direct_message, parse_dm_text
from bot.domain.memory import Grade
from bot.domain.mock_interview import DEFAULT_COUNT
from bot.domain.role import level_code, levels_from_code, parse_levels
from bot.ports import Message
from bot.usecases.lookups import Lookups
from bot.usecases.mock_interviews import CannotStart, MockInterviews, Running, Started
from bot.views import blocks as ui
from bot.views import mock_blocks
from bot.views.action_ids import Kind, Pressed
from bot.views.mrkdwn import escape_mrkdwn

log = logging.getLogger(__name__)

STALE = "⚠️ このボタンは古いか、内容が正しくありません。何も記録していません。"
DM_HINT = (
    "🎤 このDMでは「模擬面接 cto」や「mock common 3」と送ると、一対一の模擬面接を始められます。`/career help` で使い方を確認できます。"
)


class MockCommands:
    def __init__(self, interviews: MockInterviews, lookups: Lookups, learning: LearningCommands | None, clock: Callable[[], datetime]):
        self.interviews = interviews
        self.lookups = lookups
        self.learning = learning
        self.clock = clock

    # ------------------------------------------------------------------ starting

    def handle(
        self,
        command: MockCommand,
        user_id: str,
        channel_id: str,
        *,
        team_id: str,
        thread_ts: str | None = None,
        seen_ts: tuple[str, ...] = (),
    ) -> Message | None:
        """`/career mock …`, or the same words typed in the DM (`channel_id` the DM). None when the
        session's own first message is the whole answer (a session started from the DM)."""
        if command.action == "help" or command.bad_count:
            return mock_blocks.mock_help(command.bad_count)
        now = self.clock()
        if command.action == "stop":
            if self.interviews.stop(user_id, now, team_id=team_id):
                return ui.notice("⏹ 模擬面接を終了しました。結果のまとめをDMに送りました。")
            return ui.notice("進行中の模擬面接はありません。`/career mock cto` のように始められます。")
        found = self.lookups.find(command.query)
        if isinstance(found, NotFound):
            return ui.not_found(found.query, found.suggestions)
        try:
            levels = parse_levels(command.levels)
        except ValueError as err:
            return ui.notice(f"⚠️ {escape_mrkdwn(str(err))}")
        dm = channel_id if in_direct_message(channel_id) else None
        try:
            started = self.interviews.start(
                user_id, found.role, command.count, levels, now, team_id=team_id, channel_id=dm, thread_ts=thread_ts, seen_ts=seen_ts
            )
        except CannotStart as reason:
            return ui.notice(f"⚠️ {escape_mrkdwn(str(reason))}")
        return self._started(started, found.role, command.count, levels, in_dm=dm is not None)

    def _started(self, started: Started | Running, role, count: int, levels, in_dm: bool) -> Message | None:
        if isinstance(started, Running):
            return mock_blocks.abandon_prompt(
                started.role, started.number, started.total, started.session_id, role, count, level_code(levels)
            )
        return None if in_dm else mock_blocks.started_notice(started.role, started.count)

    def dm_message(self, user_id: str, channel_id: str, thread_ts: str | None, ts: str, text: str, *, team_id: str) -> Message | None:
        """What a member typed in the DM with no session running there: 「模擬面接 cto」 starts one,
        「今日の復習」 opens the review; anything else gets a hint."""
        command = parse_dm_text(text)
        if isinstance(command, ReviewCommand):
            return self.learning.review(user_id, team_id=team_id) if self.learning is not None else None
        if command is None:
            return ui.notice(DM_HINT)
        return self.handle(command, user_id, channel_id, team_id=team_id, thread_ts=thread_ts, seen_ts=(ts,))

    # ------------------------------------------------------------------ buttons

    def press(self, pressed: Pressed, user_id: str, channel_id: str, *, team_id: str) -> Message:
        now = self.clock()
        if pressed.kind is Kind.MOCK_START:
            return self._from_home(pressed, user_id, now, team_id)
        session_id = pressed.row_id_at(0)
        if session_id is None:
            return ui.notice(STALE)
        try:
            if pressed.kind is Kind.MOCK_GRADE and len(pressed.parts) == 3:
                index, value = pressed.int_at(1), pressed.int_at(2)
                if index is None or value not in (1, 2, 3, 4):
                    return ui.notice(STALE)
                taken = self.interviews.grade(session_id, index, Grade(value), user_id, now, team_id=team_id)
                memory = taken.memory
                return mock_blocks.model_answer_message(
                    taken.role,
                    taken.question,
                    index + 1,
                    session_id,
                    index,
                    graded=taken.grade,
                    next_due=memory.due if memory is not None else None,
                    zone=taken.zone,
                )
            if pressed.kind is Kind.MOCK_AGAIN and len(pressed.parts) == 1:
                again = self.interviews.again(session_id, user_id, now, team_id=team_id)
                if isinstance(again, Running):
                    return self._started(again, again.role, again.total, frozenset(), in_dm=False) or ui.notice(STALE)
                return ui.notice(f"🎤 新しい模擬面接（{again.count}問）を始めました。このDMに1問目を送りました。")
            if pressed.kind is Kind.MOCK_REVIEW and len(pressed.parts) == 1:
                if self.learning is None:
                    return ui.notice("この環境では復習機能が有効になっていません。")
                return self.learning.review(user_id, team_id=team_id)
            if pressed.kind is Kind.MOCK_ABANDON and len(pressed.parts) == 4:
                return self._abandon(pressed, session_id, user_id, now, team_id)
            if pressed.kind is Kind.MOCK_CONTINUE and len(pressed.parts) == 1:
                running = self.interviews.running(user_id, now, team_id=team_id)
                if running is None or running.session_id != session_id:
                    return ui.notice("続ける模擬面接はもうありません。`/career mock cto` のように始められます。", replace_original=True)
                return mock_blocks.continue_notice(running.number, running.total)
        except CannotStart as reason:
            return ui.notice(f"⚠️ {escape_mrkdwn(str(reason))}")
        return ui.notice(STALE)

    def _from_home(self, pressed: Pressed, user_id: str, now: datetime, team_id: str) -> Message:
        """The App Home's role picker: a Home has no response_url, so whatever the member must read
        (the abandon prompt, a refusal) goes to their DM, where the session runs."""
        role = self.lookups.catalog.for_team(team_id=team_id).by_slug(pressed.parts[0]) if len(pressed.parts) == 1 else None
        if role is None:
            return ui.notice(STALE)
        try:
            started = self.interviews.start(user_id, role, DEFAULT_COUNT, frozenset(), now, team_id=team_id)
        except CannotStart as reason:
            answer = ui.notice(f"⚠️ {escape_mrkdwn(str(reason))}")
            self.interviews.tell(user_id, answer, team_id=team_id)
            return answer
        answer = self._started(started, role, DEFAULT_COUNT, frozenset(), in_dm=False) or ui.notice(STALE)
        if isinstance(started, Running):
            self.interviews.tell(user_id, answer, team_id=team_id)
        return answer

    def _abandon(self, pressed: Pressed, session_id: int, user_id: str, now: datetime, team_id: str) -> Message:
        role = self.lookups.catalog.for_team(team_id=team_id).by_slug(pressed.parts[1])
        count = pressed.int_at(2)
        if role is None or count is None or not 1 <= count <= 10:
            return ui.notice(STALE)
        self.interviews.stop(user_id, now, team_id=team_id, session_id=session_id)
        started = self.interviews.start(user_id, role, count, levels_from_code(pressed.parts[3]), now, team_id=team_id)
        if isinstance(started, Running):  # another one started meanwhile
            return self._started(started, role, count, levels_from_code(pressed.parts[3]), in_dm=False) or ui.notice(STALE)
        return ui.notice(
            f"⏹ 前の模擬面接を終了しました。🎤 {escape_mrkdwn(role.short_title or role.title)}の模擬面接（{started.count}問）をDMで始めます。",
            replace_original=True,
        )
