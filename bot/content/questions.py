"""The bullets under an interview question: answer points, follow-up, keywords, model and weak
answers, level and kind, and an explicit id. sections.py finds the questions; this module reads
what hangs under each one and makes the `Question`."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

from bot.domain.markup import unwrap_emphasis
from bot.domain.role import Level, Question, QuestionKind, keyword_points, question_id

POINTS_PREFIX = re.compile(r"^(回答ポイント|回答のポイント|ポイント|answer points?)\s*[：:]\s*", re.I)
FOLLOW_UP_PREFIX = re.compile(r"^(深掘り|深堀り|follow[- ]?up)\s*[：:]\s*", re.I)
ID_PREFIX = re.compile(r"^(ID|ＩＤ)\s*[：:]\s*", re.I)
KEYWORDS_PREFIX = re.compile(r"^(キーワード|keywords?)\s*[：:]\s*", re.I)
MODEL_ANSWER_PREFIX = re.compile(r"^(模範解答|回答例|model answer)\s*[：:]\s*", re.I)
WEAK_ANSWER_PREFIX = re.compile(r"^(NG例|ＮＧ例|悪い回答例|weak answer)\s*[：:]\s*", re.I)
LEVEL_PREFIX = re.compile(r"^(レベル|難易度|level)\s*[：:]\s*", re.I)
KIND_PREFIX = re.compile(r"^(種類|質問の種類|kind)\s*[：:]\s*", re.I)
QUESTION_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{2,31}$")

_MARKERS = (POINTS_PREFIX, FOLLOW_UP_PREFIX, ID_PREFIX, KEYWORDS_PREFIX, MODEL_ANSWER_PREFIX, WEAK_ANSWER_PREFIX, LEVEL_PREFIX, KIND_PREFIX)


class ContentError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


def _value(prefix: re.Pattern[str], text: str) -> str | None:
    plain = unwrap_emphasis(text)
    return prefix.sub("", plain).strip() if prefix.match(plain) else None


def answer_point(text: str) -> str:
    return POINTS_PREFIX.sub("", unwrap_emphasis(text)).strip()


def is_answer_point(text: str) -> bool:
    return bool(POINTS_PREFIX.match(unwrap_emphasis(text)))


def is_question_bullet(text: str) -> bool:
    """Whether a bullet is one of the marked bullets a question carries (回答ポイント, 深掘り, …)."""
    plain = unwrap_emphasis(text)
    return any(prefix.match(plain) for prefix in _MARKERS)


def keywords_text(text: str) -> str | None:
    """The value of a `キーワード：…` bullet, or None for any other."""
    return _value(KEYWORDS_PREFIX, text)


def explicit_id(text: str) -> str | None:
    """The value of an `ID：…` bullet (a question's explicit id, unchecked), or None for any other."""
    value = _value(ID_PREFIX, text)
    return value.strip("`").strip() if value is not None else None


@dataclass
class FoundQuestion:
    number: int
    text: str
    line: int | None
    points: list[str] = field(default_factory=list)
    follow_up: str = ""
    id: str = ""  # the explicit `ID：…`, checked
    keywords: str = ""  # the `キーワード：…` bullet, parsed once the points are known
    keywords_line: int | None = None
    model_answer: str = ""
    weak_answer: str = ""
    level: Level | None = None
    kind: QuestionKind | None = None
    warnings: list[str] = field(default_factory=list)

    def take(self, bullet: str, line: int | None = None) -> bool:
        """Attach a marked bullet under the question. False for anything else. Raises ContentError
        for an id that is not one."""
        where = line or self.line
        given = explicit_id(bullet)
        if given is not None:
            if self.id:
                raise ContentError(f"Q{self.number}にIDが2つ書かれているので、「* *ID：…*」は1つにしてください。", where)
            if not QUESTION_ID.match(given):
                raise ContentError(
                    f"Q{self.number}のID「{given}」は使えないので、英小文字か数字で始まり英小文字・数字・「_」「-」だけでできた3〜32文字のIDにしてください。",
                    where,
                )
            self.id = given
            return True
        if (follow_up := _value(FOLLOW_UP_PREFIX, bullet)) is not None:
            self.follow_up = self.follow_up or follow_up
            return True
        if (keywords := keywords_text(bullet)) is not None:
            self.keywords, self.keywords_line = keywords, where
            return True
        if (model := _value(MODEL_ANSWER_PREFIX, bullet)) is not None:
            self.model_answer = self.model_answer or model
            return True
        if (weak := _value(WEAK_ANSWER_PREFIX, bullet)) is not None:
            self.weak_answer = self.weak_answer or weak
            return True
        if (level := _value(LEVEL_PREFIX, bullet)) is not None:
            self.level = Level.parse(level)
            if self.level is None:
                self.warnings.append(
                    f"line {where}: Q{self.number}のレベル「{level}」は読めないため使いません。初級・中級・上級のどれかにしてください。"
                )
            return True
        if (kind := _value(KIND_PREFIX, bullet)) is not None:
            self.kind = QuestionKind.parse(kind)
            if self.kind is None:
                self.warnings.append(
                    f"line {where}: Q{self.number}の種類「{kind}」は読めないため使いません。経験・状況・知識・志望のどれかにしてください。"
                )
            return True
        if is_answer_point(bullet):
            self.points.append(answer_point(bullet))
            return True
        return False


def make_questions(found: list[FoundQuestion], warnings: list[str], section_line: int | None) -> tuple[Question, ...]:
    """The questions, each with an id unique within the role (the explicit one or question_id(text));
    a keywords line that does not match its points in number is dropped with a warning."""
    seen: set[int] = set()
    numbers_by_id: dict[str, int] = {}
    questions = []
    for q in found:
        warnings.extend(q.warnings)
        if not q.text:
            continue
        if q.number in seen:
            warnings.append(f"line {section_line}: question {q.number} is numbered twice; the later one is skipped")
            continue
        seen.add(q.number)
        qid = q.id or question_id(q.text)
        if qid in numbers_by_id:
            raise ContentError(
                f"Q{q.number}のID「{qid}」がQ{numbers_by_id[qid]}と重なっているので（同じ文面の質問は同じIDになります）、"
                f"どちらかの文面を変えるか「* *ID：…*」で別のIDを付けてください。",
                q.line,
            )
        numbers_by_id[qid] = q.number
        made = Question(
            number=q.number,
            text=q.text,
            answer_points=tuple(q.points),
            follow_up=q.follow_up,
            id=qid,
            keyword_text=q.keywords,
            model_answer=q.model_answer,
            weak_answer=q.weak_answer,
            level=q.level,
            kind=q.kind,
            line=q.line,
        )
        if q.keywords:
            counted = keyword_points(q.keywords)
            if counted != len(made.points):
                warnings.append(
                    f"line {q.keywords_line}: Q{q.number}のキーワードは{counted}項目ですが回答ポイントは{len(made.points)}個あるため、"
                    f"このキーワードは使わず回答ポイントの語で判定します。「|」でポイントと同じ数に区切ってください。"
                )
                made = dataclasses.replace(made, keyword_text="")
        questions.append(made)
    return tuple(questions)
