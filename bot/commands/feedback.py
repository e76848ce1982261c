"""`/career feedback on|off` and the reveal's 「自分の回答をチェック」 button."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from bot.domain.command_text import FeedbackCommand
from bot.ports import Message
from bot.usecases.feedback import Feedback, NoFeedback
from bot.views import feedback_blocks as ui
from bot.views.action_ids import Pressed
from bot.views.blocks import notice
from bot.views.refusals import refusal

STALE = "このボタンは古いか、内容が正しくありません。"


class FeedbackCommands:
    def __init__(self, feedback: Feedback, clock: Callable[[], datetime]):
        self.feedback = feedback
        self.clock = clock

    def handle(self, command: FeedbackCommand, user_id: str, *, team_id: str) -> Message:
        if command.action == "off":
            self.feedback.set_member(user_id, False, self.clock(), team_id=team_id)
            return notice(
                "回答のチェックをオフにしました。これからはあなたの回答を分析せず、結果もお送りしません。`/career feedback on` でいつでも戻せます。"
            )
        if command.action == "on":
            self.feedback.set_member(user_id, True, self.clock(), team_id=team_id)
            return notice(
                "回答のチェックをオンにしました。回答ポイントの公開後に、あなたの回答がどのポイントに触れていたかを、あなたにだけお知らせします。"
            )
        return notice(
            "回答のチェック: ドリルのスレッドに書いた回答が、どの回答ポイントに触れていたかを、公開後にあなたにだけお知らせします。"
            "回答の文章は保存せず、ポイントごとの判定だけを残します。`/career feedback off` で止め、`/career feedback on` で再開できます。"
        )

    def check(self, pressed: Pressed, user_id: str, channel_id: str, *, team_id: str) -> Message:
        drill_id = pressed.row_id_at(0)
        if drill_id is None or len(pressed.parts) != 1:
            return notice(f"⚠️ {STALE}")
        try:
            return ui.answer_feedback(self.feedback.for_member(drill_id, user_id, channel_id, team_id=team_id))
        except NoFeedback as reason:
            return notice(refusal(reason))
