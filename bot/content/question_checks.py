"""check-content's findings about what a question teaches: its model and weak answers, level and
kind; whether its model answer covers its own answer points; the spread of levels; whether the
document's facts were reviewed lately; and related roles that do not link back."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

from bot.content.findings import Finding
from bot.domain.answer_feedback import Analyse, PointMatcher, Verdict, analyse_reply, judge, matcher_for
from bot.domain.markup import unwrap_emphasis
from bot.domain.role import Level, Question, Role

MODEL_ANSWER_CHARACTERS = (200, 600)  # accepted; documents aim for 250–450 (docs/CONTENT.md)
MIN_QUESTIONS_PER_LEVEL = 5
REVIEW_EVERY = timedelta(days=365)

_UNCOUNTED = re.compile(r"[\s*_`]+")


def answer_length(text: str) -> int:
    """Characters as a reader counts them: after NFKC, without markup or spaces."""
    return len(_UNCOUNTED.sub("", unicodedata.normalize("NFKC", unwrap_emphasis(text))))


@lru_cache(maxsize=64)
def _matchers(question: Question, analyse: Analyse) -> tuple[PointMatcher, ...]:
    """The question's matchers, built once for both checks that read them (a document's keyword
    lines hold thousands of keywords, each analysed)."""
    keywords = question.keywords
    return tuple(matcher_for(point, keywords[i] if i < len(keywords) else None, analyse) for i, point in enumerate(question.points))


def points_covered(question: Question, analyse: Analyse) -> int:
    """How many of the question's answer points the answer checker judges ✓ in its own model answer."""
    clauses = analyse_reply(question.model_answer, analyse, limit=len(question.model_answer))
    return sum(judge(matcher, clauses) is Verdict.COVERED for matcher in _matchers(question, analyse))


def question_findings(role: Role, analyse: Analyse | None) -> list[Finding]:
    path = role.source or Path("?")
    findings: list[Finding] = []
    for q in role.questions:
        missing = [
            name
            for name, present in (("模範解答", q.model_answer), ("NG例", q.weak_answer), ("レベル", q.level), ("種類", q.kind))
            if not present
        ]
        if missing:
            findings.append(Finding(path, q.line, "warning", f"Q{q.number} has no {'、'.join(missing)}"))
        if q.model_answer:
            length = answer_length(q.model_answer)
            low, high = MODEL_ANSWER_CHARACTERS
            if not low <= length <= high:
                findings.append(
                    Finding(path, q.line, "warning", f"Q{q.number}'s model answer is {length} characters; keep it within {low}–{high}")
                )
            n = len(q.points)
            if analyse is not None and n:
                covered = points_covered(q, analyse)
                if covered < max(1, n - 1):
                    findings.append(
                        Finding(
                            path,
                            q.line,
                            "warning",
                            f"Q{q.number}'s model answer covers {covered} of its {n} answer points by the answer checker; "
                            f"the answer or the keywords miss the points",
                        )
                    )
    levels = [q.level for q in role.questions]
    for level in Level:
        count = levels.count(level)
        if count < MIN_QUESTIONS_PER_LEVEL:
            findings.append(
                Finding(
                    path,
                    None,
                    "warning",
                    f"only {count} question(s) at level {level.value}; a level filter needs at least {MIN_QUESTIONS_PER_LEVEL}",
                )
            )
    return findings


def keyword_findings(role: Role, analyse: Analyse, others: dict[str, list[str]] | None = None) -> list[Finding]:
    """About a question's keyword line: a warning when a point's keywords match the text of another
    point of the same question (a reply making one would be told it made both); info when a point
    has a single keyword (a paraphrase will miss it), and when they match another question's point
    in the same document (an answer to that question would count here)."""
    path = role.source or Path("?")
    findings: list[Finding] = []
    for q in role.questions:
        keywords = q.keywords
        if not keywords or len(keywords) != len(q.points):
            continue
        point_clauses = [analyse_reply(point, analyse, limit=len(point)) for point in q.points]
        for i, groups in enumerate(keywords):
            if all(len(group) == 1 for group in groups):
                findings.append(
                    Finding(path, q.line, "info", f"Q{q.number} point {i + 1} has a single keyword: a reply in other words will miss it")
                )
            matcher = _matchers(q, analyse)[i]
            for j, clauses in enumerate(point_clauses):
                if j != i and judge(matcher, clauses) is Verdict.COVERED:
                    findings.append(
                        Finding(
                            path, q.line, "warning", f"Q{q.number} point {i + 1}'s keywords match point {j + 1}「{q.points[j][:20]}」 too"
                        )
                    )
    return findings


def review_findings(role: Role, today: date) -> list[Finding]:
    path = role.source or Path("?")
    if role.reviewed is None:
        return [Finding(path, 1, "info", "no `reviewed:` date in the front matter: say when its facts were last checked")]
    if today - role.reviewed > REVIEW_EVERY:
        return [
            Finding(path, 1, "info", f"facts last reviewed on {role.reviewed.isoformat()}, over a year ago: check the dated facts again")
        ]
    return []


def link_findings(roles: Iterable[Role]) -> list[Finding]:
    """An info for each related role that exists but does not name this one back."""
    by_slug = {role.slug: role for role in roles}
    findings = []
    for role in by_slug.values():
        for other in role.related:
            target = by_slug.get(other)
            if target is not None and role.slug not in target.related:
                findings.append(
                    Finding(role.source or Path("?"), 1, "info", f"related_jobs names '{other}', which does not name '{role.slug}' back")
                )
    return findings
