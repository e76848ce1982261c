"""What a good answer sounds like, as mrkdwn lines: a question's model answer and a typical weak
one, and its level and kind. Plain text helpers, so every view can use them."""

from __future__ import annotations

from collections.abc import Sequence

from bot.domain.role import Level, Question
from bot.views.mrkdwn import bold, to_mrkdwn

MODEL_ANSWER_NOTE = "模範解答は一例です。数字や経験は自分のものに置き換えて、声に出して1分ほどで話せるように練習しましょう。"


def has_model_answer(question: Question) -> bool:
    return bool(question.model_answer or question.weak_answer)


def model_answer_lines(question: Question) -> list[str]:
    """The model answer, then the weak answer and why it is weak; nothing when the question has neither."""
    lines = []
    if question.model_answer:
        lines.append(f"📖 {bold('模範解答')}\n{to_mrkdwn(question.model_answer)}")
    if question.weak_answer:
        lines.append(f"⚠️ {bold('よくある弱い回答（NG例）')}\n{to_mrkdwn(question.weak_answer)}")
    return lines


def level_note(question: Question) -> str:
    """「レベル：中級｜種類：経験」, or empty when the document gives neither."""
    parts = ["👥 チームの質問"] if question.team else []
    if question.level is not None:
        parts.append(f"レベル：{question.level.value}")
    if question.kind is not None:
        parts.append(f"種類：{question.kind.value}")
    return "｜".join(parts)


def level_tag(question: Question) -> str:
    """「［初級］」 before a question in a list (and 「［チームの質問］」 for a workspace's own);
    empty without either."""
    team = "［チームの質問］" if question.team else ""
    return team + (f"［{question.level.value}］" if question.level is not None else "")


def level_counts(questions: Sequence[Question]) -> str:
    """「、初級 7問・中級 8問・上級 5問」 for a list whose questions carry levels; empty otherwise."""
    counts = {level: sum(q.level is level for q in questions) for level in Level}
    if not any(counts.values()):
        return ""
    return "、" + "・".join(f"{level.value} {n}問" for level, n in counts.items())
