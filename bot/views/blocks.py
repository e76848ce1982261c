"""Block Kit builders: pure functions from roles to message dicts, within Slack's limits.

Slack rejects a message with more than 50 blocks or a section text over 3,000 characters, so long
lists are split between items (never inside one) into sections of at most SECTION_BUDGET characters,
and a message that would still be too long is cut at a block boundary with a note saying so.
"""

from __future__ import annotations

import marshal
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.domain.markup import to_plain
from bot.domain.role import Level, Question, Role, level_code
from bot.domain.sections import SECTIONS, section
from bot.domain.text import truncate
from bot.ports import Block, Message  # noqa: F401 - the builders' return type
from bot.views.action_ids import Kind, action_id, block_id, encode
from bot.views.answer_text import MODEL_ANSWER_NOTE, has_model_answer, level_counts, level_note, level_tag, model_answer_lines
from bot.views.mrkdwn import bold, code, escape_mrkdwn, fallback_text, mention, to_mrkdwn
from bot.views.plaintext import mrkdwn_to_text

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
# What the builders fill a section to: headroom below Slack's limit, so a section is never refused
# for a few characters Slack counts differently (an emoji as two, an entity as written).
SECTION_BUDGET = 2800
MAX_HEADER_TEXT = 150
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_ACTIONS_PER_BLOCK = 25
MAX_CONTEXT_TEXT = 3000
MAX_MODAL_BLOCKS = 100
MAX_MODAL_TITLE = 24


# ----------------------------------------------------------------------------- the view cache
#
# A role never changes once loaded (`Role` is frozen), so its card and section views are the same
# every time they are asked for: they are rendered once and kept, which takes rendering out of the
# ack of a lookup. The cache is bounded (the least recently used views go first) and keyed by the
# identity of the role objects, which it holds on to so that no other object can take their place.
# It keeps each view's blocks serialized by `marshal`, and every caller gets blocks of its own,
# rebuilt from them: a caller that changes what it got cannot change what the next one gets.
# (Rebuilding costs about half of rendering; read-only dicts shared between callers would cost as
# much again, in slower json.dumps of dict subclasses when Bolt sends them.)

VIEW_CACHE_SIZE = 1024


@dataclass(frozen=True)
class _Cached:
    keep: tuple[Any, ...]  # the objects whose ids are in the key, kept alive so no other can reuse them
    text: str
    blocks: bytes  # marshal.dumps of the blocks
    ephemeral: bool
    replace_original: bool

    def message(self) -> Message:
        return Message(text=self.text, blocks=marshal.loads(self.blocks), ephemeral=self.ephemeral, replace_original=self.replace_original)


class _ViewCache:
    def __init__(self, size: int):
        self.size = size
        self._views: OrderedDict[Hashable, _Cached] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, keep: tuple[Any, ...], render: Callable[[], Message]) -> Message:
        with self._lock:
            cached = self._views.get(key)
            if cached is not None:
                self._views.move_to_end(key)
        if cached is not None:
            return cached.message()
        # Rendered outside the lock: two threads may both render a view the first time, and they
        # get equal answers.
        message = render()
        try:
            blocks = marshal.dumps(message.blocks)
        except ValueError:  # something marshal cannot copy (no builder makes one): not cached
            return message
        with self._lock:
            self._views[key] = _Cached(keep, message.text, blocks, message.ephemeral, message.replace_original)
            while len(self._views) > self.size:
                self._views.popitem(last=False)
        return message

    def clear(self) -> None:
        with self._lock:
            self._views.clear()

    def __len__(self) -> int:
        return len(self._views)


_views = _ViewCache(VIEW_CACHE_SIZE)


# ----------------------------------------------------------------------------- primitives


def plain_text(text: str) -> dict[str, Any]:
    return {"type": "plain_text", "text": text, "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain_text(truncate(text, MAX_HEADER_TEXT))}


def modal_view(
    blocks: list[Block], *, title: str, callback_id: str, submit: str | None = None, close: str = "閉じる", metadata: str = ""
) -> dict[str, Any]:
    """A modal (at most 100 blocks, a title of 24 characters), with a submit button only if asked."""
    view: dict[str, Any] = {
        "type": "modal",
        "callback_id": callback_id,
        "title": plain_text(truncate(title, MAX_MODAL_TITLE)),
        "close": plain_text(close),
        "blocks": blocks[:MAX_MODAL_BLOCKS],
    }
    if submit:
        view["submit"] = plain_text(submit)
    if metadata:
        view["private_metadata"] = metadata
    return view


def section_text(mrkdwn: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": truncate(mrkdwn, MAX_CONTEXT_TEXT)}]}


def divider() -> Block:
    return {"type": "divider"}


def button(label: str, action: str, value: str, style: str | None = None) -> dict[str, Any]:
    element = {
        "type": "button",
        "text": plain_text(truncate(label, MAX_BUTTON_TEXT)),
        "action_id": action,
        "value": value[:MAX_BUTTON_VALUE],
    }
    if style:
        element["style"] = style
    return element


def actions(buttons: Sequence[dict[str, Any]], block_id: str) -> list[Block]:
    """Buttons in as many actions blocks as Slack's 25-per-block limit needs; action_ids made unique."""
    blocks = []
    for start in range(0, len(buttons), MAX_ACTIONS_PER_BLOCK):
        chunk = []
        for offset, b in enumerate(buttons[start : start + MAX_ACTIONS_PER_BLOCK]):
            chunk.append({**b, "action_id": f"{b['action_id']}.{start + offset}"})
        blocks.append({"type": "actions", "block_id": f"{block_id}.{start // MAX_ACTIONS_PER_BLOCK}", "elements": chunk})
    return blocks


def split_lines(lines: Iterable[str], limit: int = SECTION_BUDGET) -> list[str]:
    """Join lines into texts of at most `limit` characters, breaking only between lines."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        while len(line) > limit:  # a single item longer than a section: the only place we must cut
            if current:
                chunks.append(current)
                current = ""
            cut = _safe_cut(line, limit)
            chunks.append(line[:cut])
            line = line[cut:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _safe_cut(line: str, limit: int) -> int:
    """Where to cut a line longer than a section: at `limit`, or before an entity (`&amp;`) or a
    link (`<https://…|…>`) that would be cut in two."""
    head = line[:limit]
    cut = limit
    opened = head.rfind("<")
    if opened > head.rfind(">"):
        cut = opened
    amp = head.rfind("&", 0, cut)
    if amp >= 0 and ";" not in head[amp:cut]:
        cut = amp
    return cut if cut > 0 else limit


def sections(lines: Iterable[str]) -> list[Block]:
    return [section_text(chunk) for chunk in split_lines(lines)]


def fit(blocks: list[Block]) -> list[Block]:
    """Keep a message within 50 blocks, cutting at a block boundary and saying so."""
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    trailing = [b for b in blocks[-3:] if b["type"] == "actions"]
    room = MAX_BLOCKS - len(trailing) - 1
    return blocks[:room] + [context("（長いため一部を省略しました）")] + trailing


def bullets(items: Iterable[str]) -> list[str]:
    return [f"• {to_mrkdwn(item)}" for item in items]


def _label(role: Role) -> str:
    return role.short_title or role.title


# ----------------------------------------------------------------------------- shared pieces


def share_button(view: str) -> dict[str, Any]:
    return button("チャンネルにシェア", action_id(Kind.SHARE), view)


def section_buttons(role: Role, current: str | None = None) -> list[dict[str, Any]]:
    buttons = []
    if current is not None:
        buttons.append(button("◀ 概要", action_id(Kind.OPEN_ROLE), role.slug))
    for s in SECTIONS:
        # The common questions have no role sections: only their questions and practice.
        if s.key == current or (role.is_common and s.key not in ("questions", "question")):
            continue
        if s.key == "question":
            buttons.append(button("🎲 練習問題", action_id(Kind.PRACTICE), role.slug, style="primary"))
        else:
            buttons.append(button(s.label, action_id(Kind.OPEN_SECTION), encode(role.slug, s.key)))
    return buttons


def related_buttons(related: Sequence[Role]) -> list[dict[str, Any]]:
    return [button(_label(r), action_id(Kind.OPEN_ROLE), r.slug) for r in related]


def without_actions(message: Message, shared_by: str) -> Message:
    """The same view, posted to the channel: buttons dropped, and who shared it."""
    blocks = [b for b in message.blocks if b["type"] != "actions"]
    blocks.append(context(f"{mention(shared_by)} さんが共有しました"))
    return Message(text=message.text, blocks=fit(blocks), ephemeral=False)


# ----------------------------------------------------------------------------- views


def help_message(examples: Sequence[Role], drills: bool = False, mock: bool = False) -> Message:
    """`/career help`: the lookups always; the mock interview and the drill's commands where they run."""
    names = "、".join(code(r.short_name) for r in examples) or "（まだありません）"
    section_words = "、".join(f"{code(s.key)}（{s.label}）" for s in SECTIONS if s.key != "question")
    lines = [
        bold("`/career` の使い方"),
        f"• {code('/career list')} — 職種の一覧",
        f"• {code('/career <職種>')} — 職種の概要とキャリアパス（例: {code('/career ciso')}）",
        f"• {code('/career <職種> <セクション>')} — セクションを表示。セクション: {section_words}",
        f"• {code('/career <職種> question [level=初級,中級]')} — 面接の練習問題を1問出題（レベルで絞り込めます）",
        f"• {code('/career common')} — どの職種でも聞かれる共通の質問（{code('/career common question')} で1問練習）",
    ]
    if mock:
        lines.append(
            f"• {code('/career mock <職種|common> [問題数] [level=…]')} — 面接官と一対一の模擬面接をボットとのDMで"
            f"（例: {code('/career mock cto 3')}。DMに「模擬面接 cto」と書いても始められます）"
        )
    lines += [
        f"職種名は略称・日本語名でも指定できます。登録されている職種: {names}",
    ]
    if drills:
        lines += [
            "",
            bold("毎日の面接ドリル"),
            f"• {code('/career schedule show')} — このチャンネルのドリル設定　• {code('/career stats')} — あなたの参加記録　• {code('/career review')} — あなたの復習（自分だけに表示）",
            f"• {code('/career feedback on|off')} — 回答がどの回答ポイントに触れたかを、公開後にあなたにだけ知らせる機能の切り替え",
            f"• {code('/career leaderboard [week|month|all]')} — このチャンネルのランキング（自分だけに表示。ボタンでチャンネルに共有）",
            f"• 管理者: {code('/career schedule set <職種|all> <HH:MM> [tz=…] [days=…] [reveal=…]')}（詳しくは {code('/career schedule help')}）",
            f"• 管理者: {code('/career export [日数]')} — このチャンネルの記録（日付・職種・問題・回答日時・自己評価。本文は含みません）を CSV で DM に送る",
            f"• 管理者: {code('/career questions export [職種]')} / {code('/career questions import')} — チームの質問を Markdown で書き出す・取り込む",
            f"• {code('/career propose [職種|common]')} — 面接の質問をグループに提案（管理者が承認するとドリルに出ます）　• 管理者: {code('/career questions list')} — チームの質問の一覧",
        ]
    summary = (
        "/career の使い方: list（職種の一覧）、<職種>（概要）、<職種> <セクション>、<職種> question（練習問題）"
        + ("、mock（模擬面接）" if mock else "")
        + ("、schedule・stats・review・feedback・leaderboard・export（毎日の面接ドリル）" if drills else "")
    )
    return Message(text=fallback_text(summary), blocks=[section_text("\n".join(lines))])


def role_list(roles: Sequence[Role]) -> Message:
    lines = [
        f"• {bold(escape_mrkdwn(_label(r)))} (`{escape_mrkdwn(r.short_name)}`) — {escape_mrkdwn(truncate(to_plain(r.description), 80))}"
        for r in roles
    ]
    if not lines:
        lines = ["職種がまだ登録されていません。"]
    blocks = [header(f"職種一覧（{len(roles)}件）"), *sections(lines)]
    blocks += actions([button(_label(r), action_id(Kind.OPEN_ROLE), r.slug) for r in roles], block_id("list"))
    return Message(text=fallback_text(f"職種一覧（{len(roles)}件）: " + "、".join(_label(r) for r in roles)), blocks=fit(blocks))


def role_card(role: Role, related: Sequence[Role], key_duties: int = 5) -> Message:
    related = tuple(related)
    key = ("card", id(role), tuple(map(id, related)), key_duties)
    return _views.get(key, (role, related), lambda: _render_role_card(role, related, key_duties))


def _render_role_card(role: Role, related: Sequence[Role], key_duties: int) -> Message:
    # The job as the header; the article title and description in small print below it.
    blocks: list[Block] = [header(role.job_title), context(f"{escape_mrkdwn(role.title)}\n{to_mrkdwn(role.description)}")]
    blocks += sections([bold("概要"), to_mrkdwn(role.summary)])
    if role.example:
        blocks += sections([to_mrkdwn(role.example)])
    if role.duties:
        lines = [bold("主な業務"), *bullets(role.duties[:key_duties])]
        if len(role.duties) > key_duties:
            lines.append(f"…ほか{len(role.duties) - key_duties}件（「{section('duties').label}」で全件）")
        blocks += sections(lines)
    if role.career_paths:
        blocks += sections([bold("キャリアパス"), *path_lines(role)])
    blocks.append(divider())
    blocks += actions(section_buttons(role), block_id("sections", role.slug))
    if related:
        blocks.append(context("関連する職種"))
        blocks += actions(related_buttons(related), block_id("related", role.slug))
    blocks += actions([share_button(encode("card", role.slug))], block_id("share"))
    return Message(text=fallback_text(f"{role.title}: {to_plain(role.description)}"), blocks=fit(blocks))


def path_lines(role: Role) -> list[str]:
    return [f"• {' → '.join(to_mrkdwn(step) for step in p.steps)}" for p in role.career_paths]


def _stories(role_stories) -> list[str]:
    lines = []
    for story in role_stories:
        lines += ["", "🔍 " + bold(f"ストーリー：{to_mrkdwn(story.title)}"), to_mrkdwn(story.text)]
    return lines


def section_lines(role: Role, key: str) -> list[str]:
    if key == "duties":
        return bullets(role.duties)
    if key == "skills":
        return _grouped(role.skills)
    if key == "learn":
        return _grouped(role.learning)
    if key == "paths":
        intro = [to_mrkdwn(role.career_intro), ""] if role.career_intro else []
        return intro + path_lines(role) + _stories(role.career_stories)
    if key == "collaboration":
        return [
            f"• {bold(to_mrkdwn(p.name))}：{to_mrkdwn(p.description)}" if p.name else f"• {to_mrkdwn(p.description)}"
            for p in role.collaboration
        ]
    if key == "outlook":
        intro = [to_mrkdwn(role.outlook_intro), ""] if role.outlook_intro else []
        return intro + bullets(role.outlook) + _stories(role.outlook_stories)
    if key == "questions":
        return question_lines(role, 1)
    raise ValueError(f"unknown section {key!r}")


# A workspace may add its own questions after a document's: the list is shown a page at a time, well
# within 50 blocks and 3,000 characters a section.
QUESTIONS_PER_PAGE = 25


def question_pages(role: Role) -> int:
    return max(1, -(-len(role.questions) // QUESTIONS_PER_PAGE))


def question_lines(role: Role, page: int) -> list[str]:
    """The questions of one page, then the counts (and which page this is, when there are more)."""
    lines = []
    start = (page - 1) * QUESTIONS_PER_PAGE
    for q in role.questions[start : start + QUESTIONS_PER_PAGE]:
        lines.append(f"{bold(f'Q{q.number}.')} {level_tag(q)}{to_mrkdwn(q.text)}")
        lines += [f"　　↳ 回答ポイント：{to_mrkdwn(p)}" for p in q.answer_points]
        if q.follow_up:
            lines.append(f"　　↳ 深掘り：{to_mrkdwn(q.follow_up)}")
    with_points = sum(q.has_answer_points for q in role.questions)
    pages = question_pages(role)
    where = f"（{page}/{pages}ページ）" if pages > 1 else ""
    lines += ["", f"全{len(role.questions)}問（うち回答ポイント付き {with_points}問）" + level_counts(role.questions) + where]
    if role.questions_note:
        lines += ["", f"💡 {to_mrkdwn(role.questions_note)}"]
    return lines


def _grouped(groups) -> list[str]:
    lines: list[str] = []
    for group in groups:
        if group.name:
            lines.append(bold(to_mrkdwn(group.name)))
        lines += bullets(group.items)
        lines.append("")
    return lines[:-1] if lines else lines


def section_view(role: Role, key: str, page: int = 1) -> Message:
    page = min(max(1, page), question_pages(role)) if key == "questions" else 1
    return _views.get(("section", id(role), key, page), (role,), lambda: _render_section_view(role, key, page))


def _render_section_view(role: Role, key: str, page: int = 1) -> Message:
    label = section(key).label
    lines = (question_lines(role, page) if key == "questions" else section_lines(role, key)) or ["（このセクションはまだ書かれていません）"]
    blocks = [header(f"{_label(role)}｜{label}"), *sections(lines), divider()]
    if key == "questions" and question_pages(role) > 1:
        turn = []
        if page > 1:
            turn.append(button("◀ 前のページ", action_id(Kind.OPEN_SECTION), encode(role.slug, key, page - 1)))
        if page < question_pages(role):
            turn.append(button("次のページ ▶", action_id(Kind.OPEN_SECTION), encode(role.slug, key, page + 1)))
        blocks += actions(turn, block_id("pages", role.slug))
    blocks += actions(section_buttons(role, current=key), block_id("sections", role.slug))
    blocks += actions([share_button(encode("section", role.slug, key))], block_id("share"))
    return Message(text=fallback_text(f"{_label(role)}｜{label}: " + mrkdwn_to_text("\n".join(lines))), blocks=fit(blocks))


def question_view(role: Role, question: Question, revealed: bool = False, levels: frozenset[Level] = frozenset()) -> Message:
    """A practice question; `levels` is the member's level filter, kept on the buttons so that
    🎲 別の質問 draws from the same levels."""
    total = len(role.questions)
    blocks: list[Block] = [
        header(f"{_label(role)}｜面接の練習問題"),
        section_text(f"{bold(f'Q{question.number} / {total}')}\n{to_mrkdwn(question.text)}"),
    ]
    if note := level_note(question):
        blocks.append(context(note))
    value = encode(role.slug, question.number, level_code(levels)) if levels else encode(role.slug, question.number)
    has_more = bool(question.answer_points or question.follow_up or has_model_answer(question))
    if revealed:
        if question.answer_points:
            blocks += sections([bold("回答ポイント"), *bullets(question.answer_points)])
        else:
            blocks.append(section_text("この質問には回答ポイントがまだありません。自分の経験に引きつけて答えを組み立ててみましょう。"))
        if question.follow_up:
            blocks += sections([f"🔎 {bold('深掘りの質問')}\n{to_mrkdwn(question.follow_up)}"])
        if answer := model_answer_lines(question):
            blocks += [*sections(answer), context(MODEL_ANSWER_NOTE)]
        buttons = [button("🎲 別の質問", action_id(Kind.PRACTICE), value)]
    elif has_more:
        blocks.append(context("まず自分で答えを考えてから、回答ポイントを確認しましょう。"))
        buttons = [
            button("回答ポイントを見る", action_id(Kind.REVEAL_POINTS), value, style="primary"),
            button("🎲 別の質問", action_id(Kind.PRACTICE), value),
        ]
    else:
        # Nothing to reveal: no button that would only say so.
        blocks.append(context("この質問には回答ポイントがまだありません。自分の経験に引きつけて答えを組み立ててみましょう。"))
        buttons = [button("🎲 別の質問", action_id(Kind.PRACTICE), value)]
    if role.questions_note:
        blocks.append(context(f"💡 {to_mrkdwn(role.questions_note)}"))
    buttons.append(share_button(encode("question", role.slug, question.number, int(revealed))))
    blocks += actions(buttons, block_id("question", role.slug))
    text = f"{_label(role)} Q{question.number}: {to_plain(question.text)}"
    if revealed and question.answer_points:
        text += "\n回答ポイント: " + "／".join(to_plain(p) for p in question.answer_points)
    return Message(text=fallback_text(text), blocks=fit(blocks))


def not_found(query: str, suggestions: Sequence[Role]) -> Message:
    shown = escape_mrkdwn(query)
    text = f"「{shown}」という職種は見つかりませんでした。"
    lines = [text]
    if suggestions:
        lines.append("もしかして: " + "、".join(f"{bold(escape_mrkdwn(_label(r)))} (`{escape_mrkdwn(r.short_name)}`)" for r in suggestions))
    lines.append(f"{code('/career list')} で職種の一覧を確認できます。")
    blocks = [section_text("\n".join(lines))]
    if suggestions:
        blocks += actions(related_buttons(suggestions), block_id("suggest"))
    return Message(text=text, blocks=blocks)


def unknown_section(role: Role, word: str) -> Message:
    valid = "、".join(f"`{s.key}`（{s.label}）" for s in SECTIONS)
    text = f"「{escape_mrkdwn(word)}」というセクションは {escape_mrkdwn(_label(role))} にはありません。"
    lines = [text, f"使えるセクション: {valid}", f"例: {code(f'/career {role.short_name} {SECTIONS[0].key}')}"]
    blocks = [section_text("\n".join(lines))]
    blocks += actions(section_buttons(role), block_id("sections", role.slug))
    return Message(text=text, blocks=fit(blocks))


def notice(text: str, replace_original: bool = False) -> Message:
    """A one-sentence answer (an error or a confirmation) whose text is already safe mrkdwn."""
    return Message(text=text, blocks=[section_text(text)], replace_original=replace_original)
