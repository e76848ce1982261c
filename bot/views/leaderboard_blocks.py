"""Block Kit for `/career leaderboard`: pure functions from a Board to a message.

Members appear by display name, escaped like any user text and unable to format (mrkdwn.display_name),
and never as `<@U…>` mentions: a board shared in the channel must not ping anyone."""

from __future__ import annotations

from bot.domain.standings import Board, WeekTrend
from bot.ports import Message
from bot.views.action_ids import Kind, action_id, block_id
from bot.views.blocks import button, context, fit, header, section_text, sections
from bot.views.mrkdwn import bold, display_name

MEDALS = ("🥇", "🥈", "🥉")
LEADERBOARD_USAGE = "使い方: `/career leaderboard [week|month|all]`（week は直近7日間、month は直近30日間、all は全期間。省略すると week）"
ORDER_NOTE = "公開前に回答したドリルの数で並べています（同数なら連続回答が長い人、それも同じならその数に先に達した人が上）。"


def leaderboard(board: Board, shared_by: str | None = None) -> Message:
    """The private board with a share button, or (`shared_by`: who pressed it) the same board
    posted to the channel without buttons."""
    title = f"🏆 ランキング｜{board.label}"
    blocks = [header(title)]
    if not board.ever:
        blocks.append(
            section_text(
                "このチャンネルではまだドリルが出題されていません。ドリルが始まって回答が集まると、ここにランキングが表示されます。"
            )
        )
        return Message(text=f"{title}: まだドリルがありません", blocks=blocks)
    if not board.entries:
        blocks.append(section_text(f"{board.label}に公開前の回答はまだありません。スレッドに返信して、最初の1人になりましょう！"))
    else:
        blocks += sections([_entry_line(position, entry) for position, entry in enumerate(board.entries, 1)])
        more = board.members - len(board.entries)
        summary = f"{board.label}の出題 {board.drills}問・回答したメンバー {board.members}人" + (
            f"（上位{len(board.entries)}人を表示）" if more > 0 else ""
        )
        blocks.append(context(f"{summary}\n{ORDER_NOTE}"))
    if board.trend:
        blocks.append(context(trend_line(board.trend)))
    shared = shared_by is not None
    if shared_by is not None:
        blocks.append(context(f"{display_name(shared_by)} さんが共有しました"))
    elif board.entries:
        blocks.append({"type": "actions", "block_id": block_id("leaderboard"), "elements": [share_leaderboard_button(board.period)]})
    # The fallback text reaches notifications too: names escaped there as well.
    leaders = "、".join(f"{n}. {display_name(e.name)} {e.answered}問" for n, e in enumerate(board.entries[:3], 1))
    text = f"{title}: {leaders}" if leaders else f"{title}: {board.label}に公開前の回答はまだありません"
    return Message(text=text, blocks=fit(blocks), ephemeral=not shared)


def share_leaderboard_button(period: str) -> dict:
    # The value is the period alone: the board is computed again when the button is pressed.
    return button("チャンネルに共有", action_id(Kind.SHARE_LEADERBOARD), period)


def _entry_line(position: int, entry) -> str:
    place = MEDALS[position - 1] if position <= len(MEDALS) else f"{position}."
    name = bold(display_name(entry.name))
    streak = f"・🔥 連続 {entry.streak}回" if entry.streak else ""
    return f"{place} {name}　{entry.answered}問回答{streak}"


def trend_line(trend: list[WeekTrend]) -> str:
    """One line a study group reads at a glance: per week, drills posted and answers to them.
    Weeks are calendar weeks (Monday to Sunday), each named by its Monday: the board above counts
    the last 7 days, so the week in progress is 「今日まで」, never a 「今週」 that reads like it."""
    weeks = " ｜ ".join(
        f"{w.start.month}/{w.start.day}週{'（今日まで）' if w.current else ''} {w.drills}問・{w.answers}回答" for w in trend
    )
    return f"📈 週ごとの参加（月〜日の週。出題・延べ回答）: {weeks}"
