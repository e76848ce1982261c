"""A workspace's own questions (チームの質問): what a member proposes, the rules a proposal must meet
(the same as a content file's), and how approved questions join the role documents for that
workspace only.

A proposal has no question id; an admin's approval gives it `t-<8 hex>`, which content files may
not use, so an edit keeps its cards and history. A retired question is no longer asked but is still
found by its id, so the history that names it still reads.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from bot.domain.role import Level, Question, QuestionKind, Role

TEAM_PREFIX = "t-"
TEAM_ID = re.compile(r"^t-[0-9a-f]{8}$")
COMMON_TARGET = "common"  # the common questions, as a proposal's target

QUESTION_CHARACTERS = (10, 200)
MAX_POINTS = 6
POINT_CHARACTERS = 80
FOLLOW_UP_CHARACTERS = 200
MODEL_ANSWER_CHARACTERS = (200, 600)
WEAK_ANSWER_CHARACTERS = 600
REASON_CHARACTERS = 200
PROPOSALS_PER_DAY = 10


class Status(enum.Enum):
    PENDING = "pending"  # proposed, waiting for an admin
    APPROVED = "approved"  # asked in this workspace
    REJECTED = "rejected"
    RETIRED = "retired"  # was approved, no longer asked; history still names it


@dataclass(frozen=True)
class Draft:
    """A question as a member wrote it in the modal (or an import), before any check."""

    target: str  # a role's slug, or COMMON_TARGET
    text: str
    points: tuple[str, ...]
    follow_up: str = ""
    model_answer: str = ""
    weak_answer: str = ""
    level: Level | None = None
    kind: QuestionKind | None = None


@dataclass(frozen=True)
class TeamQuestion:
    """One stored question of a workspace, in any status."""

    key: int  # the row's own number: what a proposal's buttons name
    question_id: str  # `t-…` once approved; "" while pending or rejected
    status: Status
    draft: Draft
    proposed_by: str
    version: int  # every change adds one: a press drawn from an older version changes nothing
    reason: str = ""  # why it was rejected, if the admin said

    def as_question(self, number: int) -> Question:
        d = self.draft
        return Question(
            number=number,
            text=d.text,
            answer_points=d.points,
            follow_up=d.follow_up,
            id=self.question_id,
            model_answer=d.model_answer,
            weak_answer=d.weak_answer,
            level=d.level,
            kind=d.kind,
            team=True,
        )


def _length(text: str) -> int:
    return len(unicodedata.normalize("NFKC", text).strip())


def clean_lines(text: str) -> tuple[str, ...]:
    """A multi-line field as its non-empty lines, each stripped of a leading bullet."""
    lines = (re.sub(r"^\s*(?:[・\-*•]|\d+[.)．])\s*", "", line).strip() for line in (text or "").splitlines())
    return tuple(line for line in lines if line)


def check(draft: Draft, known_targets: Iterable[str]) -> dict[str, str]:
    """Per field, the one sentence that says what is wrong; empty when the draft may be stored."""
    errors: dict[str, str] = {}
    if draft.target not in set(known_targets):
        errors["target"] = "職種（または共通質問）を選んでください。"
    low, high = QUESTION_CHARACTERS
    if not low <= _length(draft.text) <= high:
        errors["text"] = f"質問は{low}〜{high}文字で書いてください（いま{_length(draft.text)}文字）。"
    if not draft.points:
        errors["points"] = "回答ポイントを1行に1つ、少なくとも1つ書いてください。"
    elif len(draft.points) > MAX_POINTS:
        errors["points"] = f"回答ポイントは{MAX_POINTS}個までです（いま{len(draft.points)}個）。"
    elif any(_length(p) > POINT_CHARACTERS for p in draft.points):
        errors["points"] = f"回答ポイントは1つ{POINT_CHARACTERS}文字までです。長いものは2つに分けてください。"
    elif any(sep in p for p in draft.points for sep in "、，"):
        errors["points"] = "回答ポイントの中では「、」を使わず、ポイントごとに行を分けてください。"
    if _length(draft.follow_up) > FOLLOW_UP_CHARACTERS:
        errors["follow_up"] = f"深掘りの質問は{FOLLOW_UP_CHARACTERS}文字までです。"
    low, high = MODEL_ANSWER_CHARACTERS
    if draft.model_answer and not low <= _length(draft.model_answer) <= high:
        errors["model_answer"] = (
            f"模範解答は{low}〜{high}文字で書いてください（いま{_length(draft.model_answer)}文字）。空欄でもかまいません。"
        )
    if _length(draft.weak_answer) > WEAK_ANSWER_CHARACTERS:
        errors["weak_answer"] = f"NG例は{WEAK_ANSWER_CHARACTERS}文字までです。"
    if draft.level is None:
        errors["level"] = "レベル（初級・中級・上級）を選んでください。"
    if draft.kind is None:
        errors["kind"] = "種類（経験・状況・知識・志望）を選んでください。"
    return errors


def merge(documents: Iterable[Role], questions: Iterable[TeamQuestion]) -> tuple[Role, ...]:
    """The documents with a workspace's approved questions after their own (numbered on from the
    document's last), and its retired ones kept aside where only their ids find them."""
    by_target: dict[str, list[TeamQuestion]] = {}
    for tq in questions:
        if tq.question_id and tq.status in (Status.APPROVED, Status.RETIRED):
            by_target.setdefault(tq.draft.target, []).append(tq)
    merged = []
    for role in documents:
        own = by_target.get(COMMON_TARGET if role.is_common else role.slug, [])
        if not own:
            merged.append(role)
            continue
        number = max((q.number for q in role.questions), default=0)
        asked: list[Question] = []
        retired: list[Question] = []
        for tq in own:
            number += 1
            (asked if tq.status is Status.APPROVED else retired).append(tq.as_question(number))
        merged.append(replace(role, questions=role.questions + tuple(asked), retired=tuple(retired)))
    return tuple(merged)


def grouped(questions: Iterable[TeamQuestion]) -> Mapping[Status, list[TeamQuestion]]:
    found: dict[Status, list[TeamQuestion]] = {status: [] for status in Status}
    for tq in questions:
        found[tq.status].append(tq)
    return found
