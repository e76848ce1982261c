"""Export and import of a workspace's own questions (チームの質問), for admins.

Export renders the approved questions (of every role, or of one) as Markdown in the content format
(bot.content.question_exchange) and sends it to the admin's DM as a file. Import is two steps: the
preview reads the Markdown, checks every question by the rules a proposal meets (plus the id rule:
`t-<8 hex>`, or none for a new question), keeps the Markdown in `question_imports` (a modal's
private_metadata holds 3,000 characters) and says what it would add and update; the confirmation
takes that import (once: a second press finds nothing), checks it again against what is stored by
then, adds the new questions as approved with their id (or a new one) and updates the existing ids
in place, so their cards and history stay. Importing the same content again changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.content.question_exchange import Found, Parsed, Problem, Section, parse, render
from bot.domain.catalog import Resolved
from bot.domain.role import question_id
from bot.domain.team_questions import COMMON_TARGET, Status, TeamQuestion, check
from bot.ports import ChatPorts
from bot.store import team_questions as store
from bot.usecases.team_questions import TeamQuestions, new_question_id

log = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 200_000  # a file bigger than this is refused before it is read
PASTE_CHARACTERS = 3000  # the modal's text input holds at most this many
IMPORT_KEPT = timedelta(days=1)  # an import not confirmed by then is deleted
LIST_LIMIT = 5  # questions named per role in the preview

# How an import says what check() says of a form's field (a file has no menus to choose from).
_IMPORT_WORDING = {
    "points": "「回答ポイント：」の行を少なくとも1つ書いてください。",
    "level": "「レベル：」に初級・中級・上級のどれかを書いてください。",
    "kind": "「種類：」に経験・状況・知識・志望のどれかを書いてください。",
}


class ImportRefused(Exception):
    """Nothing was read or changed; the sentence says why."""


class UnknownTarget(Exception):
    """The role an export named is none; `query` as typed."""

    def __init__(self, query: str):
        super().__init__(query)
        self.query = query


class ImportGone(Exception):
    """No pending import of this admin has that key: confirmed already, someone else's, expired or forged."""


@dataclass(frozen=True)
class Change:
    kind: str  # "add" | "update" | "same"
    found: Found
    existing: TeamQuestion | None = None  # the stored question an update or a "same" matched


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]
    problems: tuple[Problem, ...]

    def count(self, kind: str, target: str | None = None) -> int:
        return sum(1 for c in self.changes if c.kind == kind and (target is None or c.found.target == target))

    @property
    def changes_anything(self) -> bool:
        return any(c.kind != "same" for c in self.changes)

    def targets(self) -> list[str]:
        """The targets named, in the order the import names them first."""
        return list(dict.fromkeys([*(c.found.target for c in self.changes), *(p.target for p in self.problems if p.target)]))


@dataclass(frozen=True)
class Preview:
    plan: Plan
    key: int | None = None  # the kept import the confirmation names; None when it would change nothing


@dataclass(frozen=True)
class Imported:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    stale: int = 0  # changed by another admin between the check and the update: left as they are
    problems: int = 0
    targets: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content: bytes
    count: int  # questions written
    label: str  # what it holds: a role's label, or 「すべての職種」


class QuestionExchange:
    def __init__(self, questions: TeamQuestions, chats: ChatPorts):
        self.questions = questions
        self.sessions = questions.sessions
        self.chats = chats

    # ------------------------------------------------------------------ names

    def resolve(self, name: str) -> str | None:
        """The target a role name means (a slug, or COMMON_TARGET for the common questions)."""
        if name.strip() in ("共通質問", "共通", "common"):
            return COMMON_TARGET if self.questions.catalogs.common is not None else None
        found = self.questions.catalogs.resolve(name)
        if not isinstance(found, Resolved):
            return None
        return COMMON_TARGET if found.role.is_common else found.role.slug

    def label(self, target: str) -> str:
        return self.questions.target_label(target)

    # ------------------------------------------------------------------ export

    def export(self, user_id: str, query: str, now: datetime, *, team_id: str) -> ExportFile:
        """The approved questions of every role, or of the role `query` names, as Markdown. Raises
        NotAllowed or AdminCheckFailed for a non-admin (or when it cannot be told), UnknownTarget."""
        self.questions.authorize(user_id, team_id=team_id)
        only = None
        if query.strip():
            only = self.resolve(query)
            if only is None:
                raise UnknownTarget(query)
        approved = [tq for tq in self.questions.listed(team_id=team_id) if tq.status is Status.APPROVED]
        targets = [value for value, _ in self.questions.targets() if only is None or value == only]
        sections = [
            Section(self.label(target), [(tq.question_id, tq.draft) for tq in approved if tq.draft.target == target]) for target in targets
        ]
        count = sum(len(s.questions) for s in sections)
        label = self.label(only) if only is not None else "すべての職種"
        zone = self.questions.zone_of(user_id, team_id) or "UTC"
        try:
            day = now.astimezone(ZoneInfo(zone)).date().isoformat()
        except (KeyError, ValueError):
            day = now.date().isoformat()
        name = (only or "all").replace("_", "-")
        return ExportFile(f"team-questions-{name}-{day}.md", render(sections).encode("utf-8"), count, label)

    def send_export(self, user_id: str, query: str, now: datetime, *, team_id: str) -> ExportFile:
        """Build the export and upload it to the admin's DM; nothing is uploaded when it holds no
        question. Raises what `export` raises, and ChatError when Slack refused the upload."""
        export = self.export(user_id, query, now, team_id=team_id)
        if export.count:
            self.chats(team_id).upload_file(
                user_id,
                export.filename,
                export.content,
                title=f"チームの質問（{export.label}）",
                comment=f"チームの質問（{export.label}、{export.count}問）です。`/career questions import` で取り込めます。",
            )
            log.info("exported %d team questions of %s to %s", export.count, team_id, user_id)
        return export

    # ------------------------------------------------------------------ import

    def plan(self, parsed: Parsed, stored: Sequence[TeamQuestion]) -> Plan:
        """What importing `parsed` would do to the workspace's `stored` questions (approved and
        retired), and every problem: the parser's, then each rule a question breaks."""
        targets = [value for value, _ in self.questions.targets()]
        by_id = {tq.question_id: tq for tq in stored if tq.question_id}
        by_text = {(tq.draft.target, question_id(tq.draft.text)): tq for tq in stored if tq.status is Status.APPROVED}
        problems = list(parsed.problems)
        changes: list[Change] = []
        matched: set[int] = set()
        for found in parsed.questions:
            errors = check(found.draft, targets)
            if errors:
                problems += [
                    Problem(found.line, _IMPORT_WORDING.get(name, sentence), found.target, found.number)
                    for name, sentence in errors.items()
                ]
                continue
            wording = question_id(found.draft.text)
            if wording in self._document_ids(found.target):
                problems.append(
                    Problem(found.line, "同じ文面の質問が職種の資料にすでにあるため、取り込みません。", found.target, found.number)
                )
                continue
            existing = by_id.get(found.question_id) if found.question_id else by_text.get((found.target, wording))
            if existing is not None and existing.status is Status.RETIRED:
                problems.append(
                    Problem(
                        found.line,
                        f"{existing.question_id} はこのワークスペースで廃止した質問なので、取り込みません。",
                        found.target,
                        found.number,
                    )
                )
                continue
            if existing is not None and existing.draft.target != found.target:
                # Members' cards and history name a question by its role and id: a move would orphan them.
                problems.append(
                    Problem(
                        found.line,
                        f"{existing.question_id} はこのワークスペースでは「{self.label(existing.draft.target)}」の質問なので、"
                        f"職種を変えて取り込むことはできません（記録が引き継がれないため）。",
                        found.target,
                        found.number,
                    )
                )
                continue
            if existing is not None and existing.key in matched:
                problems.append(
                    Problem(
                        found.line, "この質問は同じ取り込みの中の別の質問と同じものなので、取り込みません。", found.target, found.number
                    )
                )
                continue
            if existing is None:
                changes.append(Change("add", found))
                continue
            matched.add(existing.key)
            changes.append(Change("same" if existing.draft == found.draft else "update", found, existing))
        return Plan(tuple(changes), tuple(problems))

    def _document_ids(self, target: str) -> frozenset[str]:
        catalogs = self.questions.catalogs
        role = catalogs.common if target == COMMON_TARGET else catalogs.by_slug(target)
        return frozenset(question_id(q.text) for q in role.questions) if role is not None else frozenset()

    def preview(self, user_id: str, text: str, now: datetime, *, team_id: str) -> Preview:
        """What importing `text` would do; the import is kept (for IMPORT_KEPT) only when it would
        change something. Raises NotAllowed, AdminCheckFailed, ImportRefused."""
        self.questions.authorize(user_id, team_id=team_id)
        if len(text.encode("utf-8")) > MAX_IMPORT_BYTES:
            raise ImportRefused(f"取り込める大きさは{MAX_IMPORT_BYTES // 1000}KBまでです。ファイルを分けてください。")
        with self.sessions() as session:
            stored = store.of_team(session, (Status.APPROVED, Status.RETIRED), team_id=team_id)
        plan = self.plan(parse(text, self.resolve), stored)
        if not plan.changes_anything:
            return Preview(plan)
        with self.sessions.begin() as session:
            key = store.save_import(session, user_id, text, now, team_id=team_id)
        return Preview(plan, key)

    def confirm(self, user_id: str, key: int, now: datetime, *, team_id: str) -> Imported:
        """Import a previewed import of this admin's, once. Raises NotAllowed, AdminCheckFailed,
        ImportGone (nothing changes)."""
        self.questions.authorize(user_id, team_id=team_id)
        added = updated = stale = 0
        with self.sessions.begin() as session:
            text = store.take_import(session, key, user_id, now, team_id=team_id)
            if text is None:
                raise ImportGone
            stored = store.of_team(session, (Status.APPROVED, Status.RETIRED), team_id=team_id)
            plan = self.plan(parse(text, self.resolve), stored)
            taken = {tq.question_id for tq in stored}
            for change in plan.changes:
                found, existing = change.found, change.existing
                if change.kind == "add":
                    qid = found.question_id or _fresh_id(taken)
                    taken.add(qid)
                    store.add_approved(session, qid, user_id, found.draft, now, team_id=team_id)
                    added += 1
                elif change.kind == "update" and existing is not None:
                    if store.decide(
                        session,
                        existing.key,
                        existing.version,
                        Status.APPROVED,
                        user_id,
                        now,
                        team_id=team_id,
                        draft=found.draft,
                        expected=(Status.APPROVED,),
                    ):
                        updated += 1
                    else:
                        stale += 1
        if added or updated:
            self.questions.catalogs.reload(team_id=team_id)
        log.info("imported team questions into %s: %d added, %d updated, %d stale", team_id, added, updated, stale)
        return Imported(added, updated, plan.count("same"), stale, len(plan.problems), tuple(plan.targets()))


def _fresh_id(taken: set[str]) -> str:
    while (qid := new_question_id()) in taken:
        pass
    return qid
