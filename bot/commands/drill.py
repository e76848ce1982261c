"""`/career schedule …`, `/career drill …` and `/career stats`: parse, call one use-case, render."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.command_text import (
    DRILL_ACTIONS,
    SCHEDULE_ACTIONS,
    DrillCommand,
    ScheduleCommand,
    StatsCommand,
    closest_subcommand,
    in_direct_message,
)
from bot.domain.schedule import ScheduleError, format_local
from bot.domain.schedule_input import parse_schedule_set
from bot.ports import Message
from bot.usecases.learning import Learning
from bot.usecases.member_home import everyone_sees_all
from bot.usecases.replies import Replies
from bot.usecases.schedule_admin import ScheduleAdmin, Visible
from bot.views import drill_blocks as ui
from bot.views import learning_blocks as learning_ui
from bot.views.blocks import notice
from bot.views.mrkdwn import escape_mrkdwn
from bot.views.refusals import NO_ROLES, REFUSALS, refusal

log = logging.getLogger(__name__)


class DrillCommands:
    def __init__(
        self,
        schedules: ScheduleAdmin,
        replies: Replies,
        clock: Callable[[], datetime],
        default_timezone: str,
        bot_in_channel: Callable[[str, str], bool | None],
        learning: Learning | None = None,
        visible: Visible = everyone_sees_all,
    ):
        self.schedules = schedules
        self.visible = visible  # which channels a member can see: `schedule list` shows those, as Home does
        self.replies = replies
        self.clock = clock
        self.default_timezone = default_timezone
        self.bot_in_channel = bot_in_channel
        self.learning = learning

    def handle(self, command: ScheduleCommand | DrillCommand | StatsCommand, user_id: str, channel_id: str, *, team_id: str) -> Message:
        now = self.clock()
        try:
            if isinstance(command, StatsCommand):
                learned = learning_ui.learning_stats_lines(self.learning.stats(user_id, now, team_id=team_id)) if self.learning else []
                return ui.stats_message(
                    self.replies.stats(user_id, channel_id, team_id=team_id), learned, in_channel=not in_direct_message(channel_id)
                )
            if isinstance(command, DrillCommand):
                return self._drill(command, user_id, channel_id, now, team_id=team_id)
            return self._schedule(command, user_id, channel_id, now, team_id=team_id)
        except REFUSALS as err:
            return notice(refusal(err))

    def _schedule(self, command: ScheduleCommand, user_id: str, channel_id: str, now: datetime, *, team_id: str) -> Message:
        action, args = command.action, list(command.args)
        if action == "show":
            return ui.schedule_show(self.schedules.show(channel_id, now, team_id=team_id))
        if action == "list":
            return ui.schedule_list(self.schedules.list_seen_by(user_id, now, self.visible, team_id=team_id))
        if action == "history":
            return ui.schedule_history(self.schedules.history(channel_id, team_id=team_id), self.schedules.role_label)
        if action == "set":
            # Refuse before parsing, so a non-admin learns nothing from error messages either.
            self.schedules.authorize(user_id, team_id=team_id)
            if not self.schedules.has_roles:
                raise ScheduleError(NO_ROLES)
            request = parse_schedule_set(args, self.default_timezone)
            view = self.schedules.set(channel_id, user_id, request, now, team_id=team_id)
            return ui.schedule_changed(
                "ドリルのスケジュールを設定しました。", view, bot_missing=self.bot_in_channel(channel_id, team_id) is False
            )
        if action == "pause":
            return ui.schedule_changed("ドリルを一時停止しました。", self.schedules.pause(channel_id, user_id, now, team_id=team_id))
        if action == "resume":
            return ui.schedule_changed("ドリルを再開しました。", self.schedules.resume(channel_id, user_id, now, team_id=team_id))
        if action == "off":
            self.schedules.remove(channel_id, user_id, now, team_id=team_id)
            return Message(
                text="このチャンネルのドリルを終了しました。",
                blocks=[ui.section_text("✅ このチャンネルのドリルを終了しました。これまでの記録は残ります。")],
                ephemeral=False,
            )
        if action == "skip":
            if len(args) != 1:
                raise ScheduleError("使い方: `/career schedule skip YYYY-MM-DD`")
            view, day = self.schedules.skip(channel_id, user_id, args[0], now, team_id=team_id)
            return ui.schedule_changed(f"{day} のドリルをお休みにしました。", view)
        return _help("schedule", command.unknown, SCHEDULE_ACTIONS)

    def _drill(self, command: DrillCommand, user_id: str, channel_id: str, now: datetime, *, team_id: str) -> Message:
        if command.action == "now":
            self.schedules.authorize(user_id, team_id=team_id)
            if not self.schedules.has_roles:
                raise ScheduleError(NO_ROLES)
            reveal_at, zone = self.schedules.drill_now(channel_id, user_id, now, team_id=team_id)
            return notice(f"このチャンネルにドリルを1問投稿します。回答ポイントは {format_local(reveal_at, zone)} に公開します。")
        if command.action == "reveal":
            self.schedules.reveal_now(channel_id, user_id, now, team_id=team_id)
            return notice("回答ポイントを今すぐ公開します。")
        return _help("drill", command.unknown, DRILL_ACTIONS)


def _help(word: str, unknown: str, actions: dict[str, str]) -> Message:
    """The drill's commands; after a subcommand that is none, first the one sentence saying so."""
    if not unknown:
        return ui.schedule_help()
    meant = closest_subcommand(unknown, actions)
    sentence = f"`{escape_mrkdwn(unknown)}` というコマンドはありません。" + (
        f"`{word} {meant}` のことですか？" if meant else "使えるコマンドは次のとおりです。"
    )
    return Message(text=sentence, blocks=[ui.section_text(f"⚠️ {sentence}"), *ui.schedule_help().blocks])
