"""`/career leaderboard` (anyone), its share button, and `/career export` (admins): parse, call one
use-case, render. Both are answered after the ack: they read the database, may ask Slack for
display names, and the export uploads a file."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.command_text import ExportCommand, LeaderboardCommand, in_direct_message
from bot.domain.standings import EXPORT_MAX_DAYS, PERIODS, parse_days
from bot.ports import AdminCheckFailed, ChatError, Message
from bot.usecases.export import Export
from bot.usecases.leaderboard import Leaderboard
from bot.usecases.schedule_admin import NotAllowed, ScheduleAdmin
from bot.views import leaderboard_blocks as ui
from bot.views.action_ids import Pressed
from bot.views.blocks import notice
from bot.views.refusals import EXPORT_NOT_ADMIN, refusal

log = logging.getLogger(__name__)

# A Slack Connect channel whose drills another workspace runs, or ran before turning its schedule off.
EXPORT_OTHER_WORKSPACE = "このチャンネルのドリルの記録は別のワークスペースのものなので、書き出せるのはそのワークスペースの管理者だけです。"
BAD_DAYS = f"⚠️ 日数は 1〜{EXPORT_MAX_DAYS} の数字で指定してください（例: `/career export 30`）。"
UPLOAD_FAILED = "⚠️ CSV を DM に送れませんでした。少し待ってからもう一度お試しください。"
UPLOAD_NOT_ALLOWED = "⚠️ CSV を DM に送れませんでした。アプリにファイル送信（files:write）と DM（im:write）の権限があるか、ワークスペースの管理者に確認してください。"
UPLOAD_NOT_IN_CHANNEL = (
    "⚠️ CSV を送れませんでした。ボットがこのチャンネルに参加していません。"
    "チャンネルで `/invite @career-drill` を実行してボットを招待してから、もう一度 `/career export` を実行してください。"
)
_SCOPE_ERRORS = frozenset({"missing_scope", "not_allowed_token_type", "no_permission", "restricted_action", "not_authed", "invalid_auth"})
STALE = "このボタンは古いか、内容が正しくありません。もう一度 `/career leaderboard` からお試しください。"
LEADERBOARD_IN_DM = "ランキングはドリルのチャンネルごとに集計します。ドリルのあるチャンネルで `/career leaderboard` を実行してください。"
EXPORT_IN_DM = "記録はドリルのチャンネルごとに書き出します。ドリルのあるチャンネルで `/career export` を実行してください（CSV はあなたの DM に届きます）。"


class StandingsCommands:
    def __init__(
        self,
        leaderboard: Leaderboard,
        export: Export,
        schedules: ScheduleAdmin,
        clock: Callable[[], datetime],
        name_of: Callable[[str, str], str],
    ):
        self.leaderboard = leaderboard
        self.export = export
        self.schedules = schedules
        self.clock = clock
        self.name_of = name_of

    def handle(self, command: LeaderboardCommand | ExportCommand, user_id: str, channel_id: str, *, team_id: str) -> Message:
        if in_direct_message(channel_id):
            return notice(LEADERBOARD_IN_DM if isinstance(command, LeaderboardCommand) else EXPORT_IN_DM)
        if isinstance(command, LeaderboardCommand):
            if command.period not in PERIODS:
                return notice(f"⚠️ 期間は week・month・all のどれかで指定してください。{ui.LEADERBOARD_USAGE}")
            return ui.leaderboard(self.leaderboard.board(channel_id, command.period, self.clock(), team_id=team_id))
        return self._export(command, user_id, channel_id, team_id=team_id)

    def share(self, pressed: Pressed, user_id: str, channel_id: str, *, team_id: str) -> Message:
        """The board the presser saw, computed again now and posted to the channel."""
        if len(pressed.parts) != 1 or pressed.parts[0] not in PERIODS or not channel_id:
            log.info("ignored a stale or malformed leaderboard share button")
            return notice(f"⚠️ {STALE}")
        board = self.leaderboard.board(channel_id, pressed.parts[0], self.clock(), team_id=team_id)
        if not board.entries:
            return notice(f"{board.label}のランキングはまだ空なので、チャンネルには共有していません。")
        return ui.leaderboard(board, shared_by=self.name_of(user_id, team_id))

    def _export(self, command: ExportCommand, user_id: str, channel_id: str, *, team_id: str) -> Message:
        # Refuse before reading the days, so a non-admin learns nothing from error messages either.
        try:
            self.schedules.authorize(user_id, team_id=team_id)
        except (NotAllowed, AdminCheckFailed) as err:
            return notice(refusal(err, not_admin=EXPORT_NOT_ADMIN))
        if self.export.belongs_elsewhere(channel_id, team_id=team_id):
            return notice(EXPORT_OTHER_WORKSPACE)
        days = parse_days(command.days_text)
        if days is None:
            return notice(BAD_DAYS)
        try:
            sent = self.export.send(channel_id, user_id, days, self.clock(), team_id=team_id)
        except ChatError as err:
            log.warning("the CSV export of %s for %s failed (%s)", channel_id, user_id, err.code)
            if err.code == "not_in_channel":
                return notice(UPLOAD_NOT_IN_CHANNEL)  # waiting will not help; an invitation will
            return notice(UPLOAD_NOT_ALLOWED if err.code in _SCOPE_ERRORS else UPLOAD_FAILED)
        if not sent.rows:
            return notice(f"直近{days}日間に書き出せる記録（回答や自己評価）がなかったため、CSV は送っていません。")
        return notice(f"✅ DM に CSV を送りました（{sent.rows}行、直近{days}日間）。")
