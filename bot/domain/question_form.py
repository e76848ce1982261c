"""The question form (質問の提案): its fields, the values it opens with, and what a submission means.

The same form proposes a question (`/career propose`, App Home's ✍️ 質問を提案), approves a proposal
as an admin edited it (編集して承認) and edits an approved question (編集). A submission arrives as
plain strings keyed by the form's block ids (the Slack adapter reads them from `view.state.values`)
and becomes a Draft; the rules a Draft must meet are bot.domain.team_questions.check, whose errors
name Draft fields: BLOCKS maps each to the block it is shown under.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.role import Level, QuestionKind
from bot.domain.team_questions import (
    FOLLOW_UP_CHARACTERS,
    MAX_POINTS,
    MODEL_ANSWER_CHARACTERS,
    POINT_CHARACTERS,
    QUESTION_CHARACTERS,
    REASON_CHARACTERS,
    WEAK_ANSWER_CHARACTERS,
    Draft,
    clean_lines,
)

# Draft field → the block id of its input (every input's action id is "value").
FIELDS = ("target", "text", "points", "follow_up", "model_answer", "weak_answer", "level", "kind")
BLOCKS = {field: f"q_{field}" for field in FIELDS}
REASON = "q_reason"  # the reject modal's one input

LABELS = {
    "target": "職種",
    "text": "質問",
    "points": "回答ポイント（1行に1つ）",
    "follow_up": "深掘りの質問（任意）",
    "model_answer": "模範解答（任意）",
    "weak_answer": "よくある弱い回答・NG例（任意）",
    "level": "レベル",
    "kind": "種類",
}

_QUESTION = f"質問{QUESTION_CHARACTERS[0]}〜{QUESTION_CHARACTERS[1]}字"
_POINTS = f"回答ポイント1〜{MAX_POINTS}個（各{POINT_CHARACTERS}字まで、1行に1つ）"
_MODEL = f"模範解答{MODEL_ANSWER_CHARACTERS[0]}〜{MODEL_ANSWER_CHARACTERS[1]}字"
RULES = (
    f"📖 {_QUESTION}・{_POINTS}・深掘り{FOLLOW_UP_CHARACTERS}字まで・{_MODEL}・NG例{WEAK_ANSWER_CHARACTERS}字まで"
    "（深掘り・模範解答・NG例は任意）。管理者が承認すると、このワークスペースのドリル・復習・模擬面接に出ます。"
)

# What an input lets a member type: a little over each rule, so that the rule's own sentence (which
# counts characters as the check does) says what is wrong rather than Slack's silent limit.
MAX_LENGTHS = {
    "text": QUESTION_CHARACTERS[1] * 2,
    "points": (POINT_CHARACTERS + 1) * MAX_POINTS * 2,
    "follow_up": FOLLOW_UP_CHARACTERS * 2,
    "model_answer": MODEL_ANSWER_CHARACTERS[1] * 2,
    "weak_answer": WEAK_ANSWER_CHARACTERS * 2,
}
MAX_REASON = REASON_CHARACTERS
MAX_VALUE = 3000  # Slack's limit on a plain_text_input: nothing longer is read

LEVELS = tuple(level.value for level in Level)
KINDS = tuple(kind.value for kind in QuestionKind)


def draft_from(values: Mapping[str, str], target: str | None = None) -> Draft:
    """The Draft a submission describes (`values`: block id → the input's value). `target`: the
    role as the caller resolved it (a typed name), instead of the value as given."""

    def text(field: str) -> str:
        value = values.get(BLOCKS[field], "")
        return value.strip()[:MAX_VALUE] if isinstance(value, str) else ""

    return Draft(
        target=target if target is not None else text("target"),
        text=" ".join(text("text").split()),
        points=clean_lines(text("points")),
        follow_up=" ".join(text("follow_up").split()),
        model_answer=text("model_answer"),
        weak_answer=text("weak_answer"),
        level=Level.parse(text("level")),
        kind=QuestionKind.parse(text("kind")),
    )


def values_of(draft: Draft) -> dict[str, str]:
    """What the form opens with for a stored Draft (block id → value)."""
    return {
        BLOCKS["target"]: draft.target,
        BLOCKS["text"]: draft.text,
        BLOCKS["points"]: "\n".join(draft.points),
        BLOCKS["follow_up"]: draft.follow_up,
        BLOCKS["model_answer"]: draft.model_answer,
        BLOCKS["weak_answer"]: draft.weak_answer,
        BLOCKS["level"]: draft.level.value if draft.level else "",
        BLOCKS["kind"]: draft.kind.value if draft.kind else "",
    }


def errors_by_block(errors: Mapping[str, str]) -> dict[str, str]:
    """check()'s errors (by Draft field) as the modal shows them (by block id)."""
    return {BLOCKS.get(field, BLOCKS["text"]): sentence for field, sentence in errors.items()}
