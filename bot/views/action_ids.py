"""The one codec for buttons: the builders encode action ids and values with it, and the router
decodes what comes back. A forged or stale value decodes to something the router refuses politely."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

PREFIX = "career."
# Bolt routes every button whose action id matches this to the router.
ACTION_ID = re.compile(r"^career\.[a-z_]+(\.[0-9]+)?\Z")
SEPARATOR = "|"
# A number as encode() writes one: ASCII digits, no sign, space or leading zero. int() would also
# take " 3", "+3", "03", "３" and "٣", none of which a button carries.
_NUMBER = re.compile(r"0|[1-9][0-9]{0,17}")


class Kind(str, enum.Enum):
    OPEN_ROLE = "open_role"
    OPEN_SECTION = "open_section"
    PRACTICE = "practice"
    REVEAL_POINTS = "reveal_points"
    SHARE = "share"
    GRADE = "grade"  # a self-grade on a drill's reveal: drill id | grade
    REVIEW_POINTS = "review_points"  # the review queue's 回答ポイントを見る: role | question id
    REVIEW_GRADE = "review_grade"  # a self-grade in the review queue: role | question id | grade
    REVIEW_NEW = "review_new"  # one question the member has not graded yet
    CHECK_ANSWER = "check_answer"  # the reveal's 自分の回答をチェック: drill id
    SHARE_LEADERBOARD = "share_leaderboard"  # a private leaderboard's チャンネルに共有: period
    MODEL_ANSWER = "model_answer"  # the reveal's 📖 模範解答: drill id
    MOCK_GRADE = "mock_grade"  # a self-grade in a mock interview: session id | question index | grade
    MOCK_AGAIN = "mock_again"  # the summary's もう一度（別の質問で）: the ended session's id
    MOCK_REVIEW = "mock_review"  # the summary's 復習をはじめる: the ended session's id
    MOCK_ABANDON = "mock_abandon"  # end the running session, start the asked one: session id | role | count | level code
    MOCK_CONTINUE = "mock_continue"  # keep the running session: session id
    MOCK_START = "mock_start"  # the App Home's 🎤 模擬面接 role picker: the chosen role's slug
    PROPOSE_OPEN = "propose_open"  # the App Home's ✍️ 質問を提案: opens the proposal modal
    TEAM_APPROVE = "team_approve"  # 承認 on a pending question: its key | version
    TEAM_EDIT_APPROVE = "team_edit_approve"  # 編集して承認: its key | version (opens the modal)
    TEAM_REJECT = "team_reject"  # 却下: its key | version (opens a modal for the optional reason)
    TEAM_RETIRE = "team_retire"  # 廃止 on an approved question: its key | version
    TEAM_EDIT = "team_edit"  # 編集 on an approved question: its key | version (opens the modal)
    IMPORT_CONFIRM = "import_confirm"  # 取り込む on an import's preview: the pending import's key


def action_id(kind: Kind) -> str:
    return PREFIX + kind.value


def block_id(name: str, *parts: str) -> str:
    return PREFIX + ".".join((name, *parts))


def encode(*parts: object) -> str:
    return SEPARATOR.join(str(p) for p in parts)


@dataclass(frozen=True)
class Pressed:
    kind: Kind | None  # None: not one of ours, or stale
    parts: tuple[str, ...]

    def int_at(self, index: int) -> int | None:
        """The number at `index`, written exactly as a button writes it; None otherwise."""
        if index >= len(self.parts) or not _NUMBER.fullmatch(self.parts[index]):
            return None
        return int(self.parts[index])

    def row_id_at(self, index: int) -> int | None:
        """A database row id (a drill's): positive and within a 32-bit integer column, so a forged
        value is refused here rather than by the database."""
        value = self.int_at(index)
        return value if value is not None and 0 < value < 2**31 else None


def decode(action: str, value: str) -> Pressed:
    name = action[len(PREFIX) :].split(".")[0] if action.startswith(PREFIX) else ""
    try:
        kind: Kind | None = Kind(name)
    except ValueError:
        kind = None
    return Pressed(kind, tuple((value or "").split(SEPARATOR)))
