"""Block Kit for the App Home and the modals opened from it: pure functions from data to views.

Slack refuses a Home or a modal with more than 100 blocks or a section text over 3,000 characters:
a workspace with many drill channels gets the first MAX_CHANNELS (the member's own first) and a line
saying how many more there are and where to see them."""

from __future__ import annotations

import re
from typing import Any

from bot.domain.role import Role
from bot.domain.schedule import describe_days, format_local
from bot.domain.text import truncate
from bot.ports import Block, Message
from bot.usecases.member_home import HomeChannel, HomeData
from bot.views.action_ids import Kind, action_id
from bot.views.blocks import (
    MAX_ACTIONS_PER_BLOCK,
    SECTION_BUDGET,
    button,
    context,
    divider,
    header,
    modal_view,
    plain_text,
    section_text,
    sections,
)
from bot.views.drill_blocks import paused_by_bot
from bot.views.learning_blocks import learning_stats_lines
from bot.views.mrkdwn import bold, escape_mrkdwn
from bot.views.refusals import CHECK_FAILED, NOT_ADMIN
from bot.views.team_question_blocks import pending_blocks, propose_block

MAX_VIEW_BLOCKS = 100
MAX_CHANNELS = 20  # each takes two blocks for an admin (the line and its buttons)
MAX_ROLE_BUTTONS = 75  # three actions blocks

# Action ids of the Home's own buttons (the schedule editor's are registered by its module).
REVIEW = "home_review"
ROLE = "home_role"  # home_role.<n>, value: the role's slug
SCHEDULE_EDIT = "home_schedule_edit"  # value: the channel id
SCHEDULE_TOGGLE = "home_schedule_toggle"  # value: the channel id | pause or resume (what the button says)
PAUSE, RESUME = "pause", "resume"
SCHEDULE_NEW = "home_schedule_new"
ROLE_ACTION = re.compile(r"^home_role\.\d+$")
# A /career button shown inside a modal: the same action with this prefix, so that its answer
# replaces the modal's content (views.update) instead of going to a response_url it does not have.
IN_MODAL = "home_modal."
IN_MODAL_ACTION = re.compile(r"^home_modal\.(career\.[a-z_]+(?:\.\d+)?)$")
_SHARE = "career.share"

TOGGLE_NOTICES = {
    "paused": "⏸ {channel} のドリルを一時停止しました。",
    "resumed": "▶️ {channel} のドリルを再開しました。",
    "refused": NOT_ADMIN,
    "unchecked": f"⚠️ {CHECK_FAILED}",
    "missing": "⚠️ このスケジュールは見つかりませんでした。すでに終了した可能性があります。何も変更していません。",
    "already_paused": "⏸ {channel} のドリルはすでに一時停止中です。何も変更していません。",
    "already_running": "▶️ {channel} のドリルはすでに実行中です。何も変更していません。",
}
_CHANNEL_ID = re.compile(r"^[CGD][A-Z0-9]{2,30}$")


def channel_link(channel_id: str) -> str:
    return f"<#{channel_id}>" if _CHANNEL_ID.match(channel_id or "") else escape_mrkdwn(channel_id or "?")


def toggle_value(channel_id: str, intent: str) -> str:
    return f"{channel_id}|{intent}"


def read_toggle(value: str) -> tuple[str, str | None]:
    """(channel id, "pause" / "resume" / None) from a toggle button's value; None (flip whatever the
    state is) for a value without an intent, as Homes published before the intent was added carry."""
    channel_id, _, intent = (value or "").partition("|")
    if not _CHANNEL_ID.fullmatch(channel_id):
        return "", None  # not a channel id: no schedule is looked up by it
    return channel_id, intent if intent in (PAUSE, RESUME) else None


def toggle_notice(outcome: str, channel_id: str) -> str:
    return TOGGLE_NOTICES.get(outcome, TOGGLE_NOTICES["missing"]).format(channel=channel_link(channel_id))


# ----------------------------------------------------------------------------- the Home


def home_view(data: HomeData) -> dict[str, Any]:
    blocks: list[Block] = [header("📚 キャリア面接ドリル")]
    if data.notice:
        blocks.append(context(data.notice))
    blocks += _record(data)
    blocks.append(divider())
    if data.pending_total:
        blocks += [*pending_blocks(data.pending, data.pending_total), divider()]
    blocks += _channels(data)
    blocks.append(divider())
    blocks += _roles(data.roles)
    return {"type": "home", "blocks": _within_limit(blocks)}


def _record(data: HomeData) -> list[Block]:
    stats = data.learning
    lines = [
        bold("あなたの記録"),
        f"• 回答したドリル: {data.answered}回（公開前の回答だけを数えます）",
        f"• 連続回答: {data.best_streak}回（チャンネルごとの毎日のドリルでの最長記録）",
        f"• 今日の復習: {stats.due_today}問",
    ]
    blocks = sections(lines)
    label = "🔁 復習をはじめる" if stats.due_today else "🌱 新しい質問に挑戦"
    blocks.append({"type": "actions", "block_id": "home_review", "elements": [button(label, REVIEW, "start", style="primary")]})
    blocks += _mock_picker(data.roles)
    blocks.append(propose_block())
    # The mastery per role and the recent grades, as /career stats shows them.
    blocks += sections(learning_stats_lines(stats)[1:])
    return blocks


MOCK_OPTIONS = 100  # Slack's limit for a static_select


def _mock_picker(roles: tuple[Role, ...]) -> list[Block]:
    """🎤 模擬面接: choosing a role starts a five-question session in the member's DM with the bot."""
    if not roles:
        return []
    options = [{"text": plain_text(truncate(r.short_title or r.title, 75)), "value": r.slug} for r in roles[:MOCK_OPTIONS]]
    picker = {
        "type": "static_select",
        "action_id": action_id(Kind.MOCK_START),
        "placeholder": plain_text("職種を選ぶ"),
        "options": options,
    }
    text = f"🎤 {bold('模擬面接')}：職種を選ぶと、ボットとのDMで一対一の模擬面接（5問）が始まります。共通質問はDMで「共通質問で練習」と送ってください。"
    return [{**section_text(text), "block_id": "home_mock", "accessory": picker}]


def _channel_line(entry: HomeChannel) -> str:
    view = entry.view
    s = view.schedule
    if s.paused:
        why = paused_by_bot(s)
        state = "⏸ 一時停止中" + (f"（{why}）" if why else "")
    elif view.next is not None:
        state = f"次回 {format_local(view.next.post_at, s.timezone)}"
    else:
        state = "予定なし"
    line = f"{channel_link(s.channel_id)}　{bold(escape_mrkdwn(view.role_label))}\n{describe_days(s.days)} {s.post_time:%H:%M}（{s.timezone}）— {state}"
    if entry.mine:
        line += f"\nあなたの連続回答: {entry.streak}回"
    return truncate(line, SECTION_BUDGET)


def _channels(data: HomeData) -> list[Block]:
    blocks: list[Block] = [header("🗓 ドリルのチャンネル")]
    if data.admin:
        blocks.append(
            {
                "type": "actions",
                "block_id": "home_schedule_new",
                "elements": [button("➕ 新しいスケジュール", SCHEDULE_NEW, "new", style="primary")],
            }
        )
    shown = data.channels[:MAX_CHANNELS]
    if not shown:
        blocks.append(context("あなたが見られるチャンネルには、まだドリルが設定されていません。"))
    for entry in shown:
        channel_id = entry.view.schedule.channel_id
        blocks.append(section_text(_channel_line(entry)))
        if data.admin:
            # The button carries what it says, not "toggle": a double click, or a Home published
            # before another admin's change, must not undo what its label promised.
            label, intent = ("▶️ 再開", RESUME) if entry.view.schedule.paused else ("⏸ 一時停止", PAUSE)
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"home_schedule.{channel_id}"[:255],
                    "elements": [
                        button("✏️ 編集", SCHEDULE_EDIT, channel_id),
                        button(label, SCHEDULE_TOGGLE, toggle_value(channel_id, intent)),
                    ],
                }
            )
    more = len(data.channels) - len(shown)
    if more > 0:
        blocks.append(context(f"ほかに {more} チャンネルでドリルがあります。すべてのスケジュールは `/career schedule list` で見られます。"))
    return blocks


def _roles(roles: tuple[Role, ...]) -> list[Block]:
    blocks: list[Block] = [header("🧭 職種"), context("ボタンを押すと、職種の概要とキャリアパスがあなたにだけ表示されます。")]
    shown = roles[:MAX_ROLE_BUTTONS]
    buttons = [button(r.short_title or r.title, f"{ROLE}.{i}", r.slug) for i, r in enumerate(shown)]
    for start in range(0, len(buttons), MAX_ACTIONS_PER_BLOCK):
        blocks.append(
            {
                "type": "actions",
                "block_id": f"home_roles.{start // MAX_ACTIONS_PER_BLOCK}",
                "elements": buttons[start : start + MAX_ACTIONS_PER_BLOCK],
            }
        )
    if len(roles) > len(shown):
        blocks.append(context(f"ほかに {len(roles) - len(shown)} 職種あります。`/career list` で一覧を見られます。"))
    if not roles:
        blocks.append(context("職種がまだ登録されていません。"))
    return blocks


def _within_limit(blocks: list[Block]) -> list[Block]:
    """A last guard: the sections above are sized to stay well within Slack's limit."""
    if len(blocks) <= MAX_VIEW_BLOCKS:
        return blocks
    return blocks[: MAX_VIEW_BLOCKS - 1] + [context("（長いため一部を省略しました）")]


# ----------------------------------------------------------------------------- modals


def modal(title: str, message: Message, callback_id: str = "home_modal") -> dict[str, Any]:
    """A /career answer in a modal opened from the Home. Its buttons keep working (their answers
    replace the modal's content); sharing to a channel has no channel to go to here, so it is left out."""
    blocks: list[Block] = []
    for block in message.blocks:
        if block.get("type") != "actions":
            blocks.append(block)
            continue
        elements = [
            {**e, "action_id": IN_MODAL + e["action_id"]}
            for e in block.get("elements", [])
            if e.get("type") == "button"
            and str(e.get("action_id", "")).startswith("career.")
            and not str(e.get("action_id", "")).startswith(_SHARE)
        ]
        if elements:
            blocks.append({**block, "elements": elements})
    if not blocks:
        blocks = [section_text(message.text or "（表示する内容がありません）")]  # already mrkdwn
    return modal_view(_within_limit(blocks), title=title, callback_id=callback_id)


def loading_modal(title: str) -> dict[str, Any]:
    """Opened at once with the press's trigger (valid for 3 s); its content follows by views.update."""
    return modal(title, Message(text="読み込み中…", blocks=[section_text("⏳ 読み込み中です…")]))


def original_action(modal_action_id: str) -> str | None:
    """The /career action id behind a button shown in a modal, or None if it is not one."""
    found = IN_MODAL_ACTION.match(modal_action_id or "")
    return found.group(1) if found else None
