"""A workspace's own questions: proposing, an admin's decisions, and the catalog each workspace sees.

Lookups are answered from memory inside Slack's ack, so every workspace's questions are kept in a
cache (`TeamCatalogs`): loaded at start, reloaded at once after a change made here, and after a
change made by another process when the tick finds that workspace's stamp moved.
"""

from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.catalog import RoleCatalog
from bot.domain.role import Role
from bot.domain.team_questions import (
    COMMON_TARGET,
    PROPOSALS_PER_DAY,
    REASON_CHARACTERS,
    Draft,
    Status,
    TeamQuestion,
    check,
    merge,
)
from bot.store import team_questions as store

log = logging.getLogger(__name__)

ADMINS_TOLD = 5  # admins told of one proposal by DM; the rest see it on their App Home


class TeamCatalogs(RoleCatalog):
    """The role documents, and per workspace the same documents with its own questions added."""

    def __init__(self, documents: tuple[Role, ...] | list[Role], sessions: sessionmaker[Session] | None = None):
        super().__init__(documents)
        self._sessions = sessions
        self._lock = threading.Lock()
        self._teams: dict[str, RoleCatalog] = {}
        self._stamps: dict[str, tuple[int, int]] = {}

    def for_team(self, *, team_id: str) -> RoleCatalog:
        return self._teams.get(team_id, self)

    def load_all(self) -> None:
        """Every workspace's questions (at start), then whichever changed since (each tick)."""
        if self._sessions is None:
            return
        with self._sessions() as session:
            stamps = store.change_stamps(session)
        for team_id, stamp in stamps.items():
            if self._stamps.get(team_id) != stamp:
                self.reload(team_id=team_id)
        for team_id in set(self._teams) - set(stamps):  # none left (a workspace's data was deleted)
            self.reload(team_id=team_id)

    def reload(self, *, team_id: str) -> None:
        if self._sessions is None:
            return
        with self._sessions() as session:
            found = store.of_team(session, (Status.APPROVED, Status.RETIRED), team_id=team_id)
            stamp = store.team_stamp(session, team_id=team_id)
        with self._lock:
            if found and stamp is not None:
                self._teams[team_id] = RoleCatalog(merge(self.documents, found))
                self._stamps[team_id] = stamp
            else:  # nothing of its own (any more): the documents alone
                self._teams.pop(team_id, None)
                self._stamps.pop(team_id, None)


class NotAllowed(Exception):
    """The sentence to show: not an admin, or over the daily cap."""


class Stale(Exception):
    """The question changed (another admin decided, or it was edited) since the view was drawn."""


@dataclass(frozen=True)
class Decision:
    question: TeamQuestion
    notice: str  # what the proposer is told, privately


def new_question_id() -> str:
    return "t-" + secrets.token_hex(4)


class TeamQuestions:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        catalogs: TeamCatalogs,
        is_admin: Callable[[str, str], bool],
        zone_of: Callable[[str, str], str] = lambda user_id, team_id: "UTC",
        admin_ids: Iterable[str] = (),
    ):
        self.sessions = sessions
        self.catalogs = catalogs
        self.is_admin = is_admin
        self.zone_of = zone_of
        self.admin_ids = frozenset(admin_ids)  # ADMIN_USER_IDS

    # ------------------------------------------------------------------ what a form may name

    def targets(self) -> list[tuple[str, str]]:
        """(value, label) for the modal's role menu: every role, then the common questions."""
        found = [(r.slug, r.short_title or r.title) for r in self.catalogs.roles]
        if self.catalogs.common is not None:
            found.append((COMMON_TARGET, "共通質問"))
        return found

    def target_label(self, target: str) -> str:
        if target == COMMON_TARGET:
            return "共通質問"
        role = self.catalogs.by_slug(target)
        return (role.short_title or role.title) if role else target

    # ------------------------------------------------------------------ members

    def check(self, draft: Draft) -> dict[str, str]:
        return check(draft, (value for value, _ in self.targets()))

    def propose(self, user_id: str, draft: Draft, now: datetime, *, team_id: str, zone: str | None = None) -> dict[str, str]:
        """Store a proposal; the errors per field instead when it breaks a rule (nothing stored).
        `zone`: the member's time zone when the caller already knows it (a modal's submission is
        answered inside Slack's 3 s, with no time to ask Slack); None asks `zone_of`."""
        errors = self.check(draft)
        if errors:
            return errors
        day_start = self._day_start(user_id, now, team_id, zone)
        with self.sessions.begin() as session:
            if store.proposals_since(session, user_id, day_start, team_id=team_id) >= PROPOSALS_PER_DAY:
                return {"text": f"質問の提案は1日{PROPOSALS_PER_DAY}件までです。明日また提案してください。"}
            store.propose(session, user_id, draft, now, team_id=team_id)
        return {}

    def _day_start(self, user_id: str, now: datetime, team_id: str, known: str | None = None) -> datetime:
        try:
            zone = ZoneInfo(known or self.zone_of(user_id, team_id) or "UTC")
        except (KeyError, ValueError):
            zone = ZoneInfo("UTC")
        local = now.astimezone(zone)
        return local.replace(hour=0, minute=0, second=0, microsecond=0)

    # ------------------------------------------------------------------ admins

    def authorize(self, user_id: str, *, team_id: str) -> None:
        if not self.is_admin(user_id, team_id):
            raise NotAllowed("この操作はワークスペースの管理者だけができます。")

    def can_decide(self, user_id: str, *, team_id: str) -> bool:
        try:
            return self.is_admin(user_id, team_id)
        except Exception:  # an admin check that fails shows nothing to decide, and says nothing
            log.warning("admin check failed while drawing the pending questions")
            return False

    def admins_to_tell(self, proposer: str, *, team_id: str) -> list[str]:
        """Whom to tell of a new proposal: the workspace's admins the bot knows (ADMIN_USER_IDS, and
        whoever set a schedule or decided a question there), still admins, not the proposer; at most
        ADMINS_TOLD, so a busy workspace's proposals do not flood every admin."""
        with self.sessions() as session:
            known = store.known_admins(session, team_id=team_id) | self.admin_ids
        told = [user for user in sorted(known - {proposer}) if self.can_decide(user, team_id=team_id)]
        return told[:ADMINS_TOLD]

    def pending(self, *, team_id: str) -> list[TeamQuestion]:
        with self.sessions() as session:
            return store.of_team(session, (Status.PENDING,), team_id=team_id)

    def listed(self, *, team_id: str) -> list[TeamQuestion]:
        """The approved and retired questions, for the admins' list."""
        with self.sessions() as session:
            return store.of_team(session, (Status.APPROVED, Status.RETIRED), team_id=team_id)

    def get(self, key: int, *, team_id: str) -> TeamQuestion | None:
        with self.sessions() as session:
            return store.get(session, key, team_id=team_id)

    def approve(
        self, user_id: str, key: int, version: int, now: datetime, *, team_id: str, draft: Draft | None = None
    ) -> Decision | dict[str, str]:
        """Approve a pending question (as it is, or as the admin edited it): it gets its `t-` id and is
        asked from now on. Errors per field for an edit that breaks a rule; Stale when it changed."""
        self.authorize(user_id, team_id=team_id)
        if draft is not None and (errors := self.check(draft)):
            return errors
        question_id = new_question_id()
        with self.sessions.begin() as session:
            if not store.decide(
                session, key, version, Status.APPROVED, user_id, now, team_id=team_id, draft=draft, question_id=question_id
            ):
                raise Stale
            decided = store.get(session, key, team_id=team_id)
        assert decided is not None
        self.catalogs.reload(team_id=team_id)
        edited = "（管理者が手を加えました）" if draft is not None else ""
        text = f"✅ 提案した質問が承認されました{edited}。これからドリル・復習・模擬面接に出ます：「{decided.draft.text}」"
        return Decision(decided, text)

    def reject(self, user_id: str, key: int, version: int, reason: str, now: datetime, *, team_id: str) -> Decision:
        self.authorize(user_id, team_id=team_id)
        reason = " ".join(reason.split())[:REASON_CHARACTERS]
        with self.sessions.begin() as session:
            if not store.decide(session, key, version, Status.REJECTED, user_id, now, team_id=team_id, reason=reason):
                raise Stale
            decided = store.get(session, key, team_id=team_id)
        assert decided is not None
        why = f"理由：{reason}" if reason else "理由は書かれていません。"
        return Decision(decided, f"提案した質問は今回は採用されませんでした（{why}）：「{decided.draft.text}」")

    def retire(self, user_id: str, key: int, version: int, now: datetime, *, team_id: str) -> TeamQuestion:
        """No longer asked; its history stays."""
        self.authorize(user_id, team_id=team_id)
        with self.sessions.begin() as session:
            if not store.decide(session, key, version, Status.RETIRED, user_id, now, team_id=team_id, expected=(Status.APPROVED,)):
                raise Stale
            decided = store.get(session, key, team_id=team_id)
        assert decided is not None
        self.catalogs.reload(team_id=team_id)
        return decided

    def edit(self, user_id: str, key: int, version: int, draft: Draft, now: datetime, *, team_id: str) -> TeamQuestion | dict[str, str]:
        """Change an approved question's text and bullets; its id (and so its cards) stays."""
        self.authorize(user_id, team_id=team_id)
        if errors := self.check(draft):
            return errors
        with self.sessions.begin() as session:
            current = store.get(session, key, team_id=team_id)
            if current is not None and current.draft.target != draft.target:
                # Members' cards and history name a question by its role and id: a move would orphan them.
                return {"target": "承認済みの質問の職種は変えられません（記録が引き継がれないため）。別の職種には新しく提案してください。"}
            if not store.decide(
                session, key, version, Status.APPROVED, user_id, now, team_id=team_id, draft=draft, expected=(Status.APPROVED,)
            ):
                raise Stale
            decided = store.get(session, key, team_id=team_id)
        assert decided is not None
        self.catalogs.reload(team_id=team_id)
        return decided
