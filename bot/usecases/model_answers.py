"""The reveal's 📖 模範解答: which question a drill asked, once its points are public."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import RoleCatalog
from bot.domain.drill import DrillStatus
from bot.domain.role import Question, Role
from bot.store import drills


class NoModelAnswer(Exception):
    """Why a model answer cannot be shown, as the sentence the member reads."""


def question_of(role: Role | None, question_id: str | None, number: int | None) -> Question | None:
    """A drill's question by its stable id; rows from before ids existed fall back to the number."""
    if role is None:
        return None
    if question_id:
        return role.question_by_id(question_id)
    return role.question(number or 0)


class ModelAnswers:
    def __init__(self, sessions: sessionmaker[Session], catalog: RoleCatalog):
        self.sessions = sessions
        self.catalog = catalog

    def for_drill(self, drill_id: int, channel_id: str) -> tuple[Role, Question]:
        """The drill's role and question, for anyone in the drill's channel once it is revealed.
        The question's text is the group's study material, not member data: what scopes it is the
        drill's own channel, so a member of a shared channel from another workspace sees it too."""
        with self.sessions() as session:
            drill = drills.get_drill(session, drill_id)
        if drill is None or drill.channel_id != channel_id:
            raise NoModelAnswer("このドリルは見つかりませんでした。")
        if drill.status not in (DrillStatus.REVEALING, DrillStatus.REVEALED):
            raise NoModelAnswer("模範解答は回答ポイントの公開後にお見せします。まず自分で答えてみましょう。")
        role = self.catalog.for_team(team_id=drill.team_id).by_slug(drill.role_slug or "")
        question = question_of(role, drill.question_id, drill.question_number)
        if role is None or question is None or not (question.model_answer or question.weak_answer):
            raise NoModelAnswer("この質問には模範解答がまだありません。")
        return role, question
