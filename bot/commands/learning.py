"""Self-grades and `/career review`: decode what was pressed, call the learning use-case, render.
Every answer is private; a bad or stale press gets one sentence and changes nothing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from bot.domain.memory import Grade
from bot.ports import Message
from bot.usecases.learning import CannotGrade, Learning
from bot.views import learning_blocks as ui
from bot.views.action_ids import Kind, Pressed
from bot.views.blocks import notice
from bot.views.refusals import refusal

log = logging.getLogger(__name__)

STALE = "このボタンは古いか、内容が正しくありません。何も記録していません。"


class LearningCommands:
    def __init__(self, learning: Learning, clock: Callable[[], datetime]):
        self.learning = learning
        self.clock = clock

    def review(self, user_id: str, *, team_id: str) -> Message:
        return ui.review_card(self.learning.queue(user_id, self.clock(), team_id=team_id))

    def press(self, pressed: Pressed, user_id: str, channel_id: str, *, team_id: str) -> Message:
        now = self.clock()
        parts = pressed.parts
        try:
            if pressed.kind is Kind.GRADE:
                # The grade buttons are on the reveal in the drill's channel: a press from anywhere
                # else (a modal, a forged payload without a channel) grades nothing.
                drill_id, grade = pressed.row_id_at(0), _grade(pressed, 1)
                if drill_id is None or grade is None or len(parts) != 2 or not channel_id:
                    return _stale()
                return ui.graded_message(self.learning.grade_drill(user_id, channel_id, drill_id, grade, now, team_id=team_id))
            if pressed.kind is Kind.REVIEW_POINTS and len(parts) == 2:
                role = self.learning.catalog.by_slug(parts[0])
                question = role.question_by_id(parts[1]) if role else None
                if role is None or question is None:
                    raise CannotGrade("この質問はもう教材にありません。`/career review` でもう一度お試しください。")
                queue = self.learning.queue(user_id, now, team_id=team_id)
                due = (
                    queue.next is not None
                    and queue.next.due is not None
                    and (queue.next.role.slug, queue.next.question.id) == (role.slug, question.id)
                )
                return ui.review_points(role, question, queue.due_today if due else None)
            if pressed.kind is Kind.REVIEW_GRADE and len(parts) == 3:
                grade = _grade(pressed, 2)
                if grade is None:
                    return _stale()
                graded = self.learning.grade_question(user_id, parts[0], parts[1], grade, now, team_id=team_id)
                return ui.review_card(self.learning.queue(user_id, now, team_id=team_id), done_line=ui.graded_line(graded))
            if pressed.kind is Kind.REVIEW_NEW:
                return ui.review_card(self.learning.queue(user_id, now, fresh=True, team_id=team_id))
        except CannotGrade as err:
            return notice(refusal(err), replace_original=False)
        return _stale()


def _grade(pressed: Pressed, index: int) -> Grade | None:
    number = pressed.int_at(index)
    return next((grade for grade in Grade if grade.value == number), None)


def _stale() -> Message:
    log.info("ignored a stale or malformed grading button")
    return notice(f"⚠️ {STALE}", replace_original=False)
