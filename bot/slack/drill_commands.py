"""`/career schedule …`, `/career drill …` and `/career stats`: parse, call one use-case, render."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Callable

from bot.domain.commands import DrillCommand, ScheduleCommand, StatsCommand
from bot.domain.schedule import ScheduleError, format_local, parse_schedule_set
from bot.drills import DrillService
from bot.schedules import NotAllowed, ScheduleService
from bot.slack import drill_blocks as ui
from bot.slack.blocks import Message, notice

log = logging.getLogger(__name__)

REFUSAL = "すみません、ドリルのスケジュールを変更できるのは管理者だけです。変更が必要な場合は管理者に相談してください。"


class DrillCommands:
    def __init__(
        self,
        schedules: ScheduleService,
        drills: DrillService,
        clock: Callable[[], datetime],
        default_timezone: str,
        bot_in_channel: Callable[[str], bool | None] = lambda channel_id: None,
    ):
        self.schedules = schedules
        self.drills = drills
        self.clock = clock
        self.default_timezone = default_timezone
        self.bot_in_channel = bot_in_channel

    def handle(self, command: ScheduleCommand | DrillCommand | StatsCommand, user_id: str, channel_id: str) -> Message:
        now = self.clock()
        try:
            if isinstance(command, StatsCommand):
                return ui.stats_message(self.drills.stats(user_id, channel_id))
            if isinstance(command, DrillCommand):
                return self._drill(command, user_id, channel_id, now)
            return self._schedule(command, user_id, channel_id, now)
        except NotAllowed:
            return notice(REFUSAL)
        except ScheduleError as err:
            return notice(f"⚠️ {err}")

    def _schedule(self, command: ScheduleCommand, user_id: str, channel_id: str, now: datetime) -> Message:
        action, args = command.action, list(command.args)
        if action == "show":
            return ui.schedule_show(self.schedules.show(channel_id, now))
        if action == "list":
            return ui.schedule_list(self.schedules.list_all(now))
        if action == "history":
            return ui.schedule_history(self.schedules.history(channel_id))
        if action == "set":
            # Refuse before parsing, so a non-admin learns nothing from error messages either.
            if not self.schedules.is_admin(user_id):
                raise NotAllowed(user_id)
            request = parse_schedule_set(args, self.default_timezone)
            view = self.schedules.set(channel_id, user_id, request, now)
            return ui.schedule_changed("ドリルのスケジュールを設定しました。", view, bot_missing=self.bot_in_channel(channel_id) is False)
        if action == "pause":
            return ui.schedule_changed("ドリルを一時停止しました。", self.schedules.pause(channel_id, user_id, now))
        if action == "resume":
            return ui.schedule_changed("ドリルを再開しました。", self.schedules.resume(channel_id, user_id, now))
        if action == "off":
            self.schedules.remove(channel_id, user_id, now)
            return Message(text="このチャンネルのドリルを終了しました。", blocks=[ui.section_text("✅ このチャンネルのドリルを終了しました。これまでの記録は残ります。")], ephemeral=False)
        if action == "skip":
            if len(args) != 1:
                raise ScheduleError("使い方: `/career schedule skip YYYY-MM-DD`")
            view, day = self.schedules.skip(channel_id, user_id, args[0], now)
            return ui.schedule_changed(f"{day} のドリルをお休みにしました。", view)
        return Message(text="スケジュールのコマンド", blocks=[ui.section_text(ui.SCHEDULE_HELP)])

    def _drill(self, command: DrillCommand, user_id: str, channel_id: str, now: datetime) -> Message:
        if command.action == "now":
            view = self.schedules.show(channel_id, now)
            reveal_at = self.schedules.drill_now(channel_id, user_id, now)
            zone = view.schedule.timezone if view else self.default_timezone
            return notice(f"このチャンネルにドリルを1問投稿します。回答ポイントは {format_local(reveal_at, zone)} に公開します。")
        if command.action == "reveal":
            self.schedules.reveal_now(channel_id, user_id, now)
            return notice("回答ポイントを今すぐ公開します。")
        return Message(text="ドリルのコマンド", blocks=[ui.section_text(ui.SCHEDULE_HELP)])
