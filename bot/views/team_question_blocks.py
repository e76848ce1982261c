"""Block Kit for a workspace's own questions (チームの質問): the question form (propose, 編集して承認,
編集) and the reject modal, the App Home's ✍️ 質問を提案 and 承認待ちの質問, the admins' list, and
the sentences members and admins are told. Pure functions from data to views.

Everything a member wrote (the question, its points, the answers, a reason) goes out through
`literal`: escaped, so `<!channel>` or `<@U…>` stays text and never pings, and unable to turn bold.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot.domain import question_form as qf
from bot.domain.team_questions import Draft, Status, TeamQuestion
from bot.domain.text import truncate
from bot.ports import Block, Message
from bot.usecases.team_questions import Decision
from bot.views.action_ids import Kind, action_id, encode
from bot.views.blocks import MAX_BLOCKS, SECTION_BUDGET, button, context, header, modal_view, plain_text, section_text
from bot.views.mrkdwn import bold, code, fallback_text, literal, mention

View = dict[str, Any]

CALLBACK_ID = "team_question"  # the question form, in every mode
REJECT_CALLBACK = "team_question_reject"
ACTION = "value"  # every input's action id
MAX_OPTIONS = 100
MAX_OPTION_TEXT = 75
MODES = ("propose", "approve", "edit")
TITLES = {"propose": "質問の提案", "approve": "編集して承認", "edit": "チームの質問を編集", "reject": "提案の却下"}
SUBMITS = {"propose": "提案する", "approve": "承認する", "edit": "保存", "reject": "却下する"}
LIST_PAGE = 20  # two blocks each: a page stays within a message's 50 blocks

# ----------------------------------------------------------------------------- modals


def _modal(blocks: list[Block], title: str, callback_id: str, submit: str | None = None, metadata: str = "") -> View:
    return modal_view(
        blocks, title=title, callback_id=callback_id, submit=submit, close="キャンセル" if submit else "閉じる", metadata=metadata
    )


def notice_modal(mrkdwn: str, title: str = TITLES["propose"]) -> View:
    """A modal that only says something (loading, saving, the result, a refusal): no submit."""
    return _modal([section_text(mrkdwn)], title, f"{CALLBACK_ID}_notice")


def loading_modal(title: str) -> View:
    return notice_modal("⏳ 読み込み中です…", title)


def saving_modal(title: str) -> View:
    return notice_modal("⏳ 保存しています…", title)


def _option(value: str, label: str) -> dict:
    return {"text": plain_text(truncate(label, MAX_OPTION_TEXT)), "value": value}


def _select(options: Sequence[tuple[str, str]], value: str, placeholder: str) -> dict:
    choices = [_option(v, label) for v, label in options[:MAX_OPTIONS]]
    element: dict = {"type": "static_select", "options": choices, "placeholder": plain_text(placeholder)}
    chosen = [c for c in choices if c["value"] == value]
    if chosen:
        element["initial_option"] = chosen[0]
    return element


def _text(value: str, field: str, multiline: bool = False, placeholder: str = "") -> dict:
    element: dict = {"type": "plain_text_input", "multiline": multiline, "max_length": qf.MAX_LENGTHS.get(field, qf.MAX_VALUE)}
    if placeholder:
        element["placeholder"] = plain_text(placeholder)
    if value:
        element["initial_value"] = value[: element["max_length"]]
    return element


def _input(field: str, element: dict, optional: bool = False, hint: str = "") -> Block:
    block: Block = {
        "type": "input",
        "block_id": qf.BLOCKS[field],
        "label": plain_text(qf.LABELS[field]),
        "element": {**element, "action_id": ACTION},
        "optional": optional,
    }
    if hint:
        block["hint"] = plain_text(hint)
    return block


def question_modal(values: dict[str, str], targets: Sequence[tuple[str, str]], metadata: str, mode: str, proposed_by: str = "") -> View:
    """The question form, filled in with `values` (block id → value); `targets`: (value, label) of
    every role and the common questions. More than a menu holds: the role is typed instead."""
    v = values.get
    blocks: list[Block] = [context(qf.RULES)]
    if proposed_by:
        blocks.append(context(f"提案: {mention(proposed_by)}"))
    if len(targets) <= MAX_OPTIONS:
        target = _select(targets, v(qf.BLOCKS["target"], ""), "職種を選ぶ")
    else:
        target = _text(v(qf.BLOCKS["target"], ""), "target", placeholder="cto、sre、common など")
    blocks.append(_input("target", target))
    blocks.append(_input("text", _text(v(qf.BLOCKS["text"], ""), "text", True, "例: 技術的負債の返済をどう優先順位付けしてきましたか？")))
    blocks.append(
        _input(
            "points",
            _text(v(qf.BLOCKS["points"], ""), "points", True),
            hint="1行に1つ。「、」でつながず、ポイントごとに行を分けてください。",
        )
    )
    blocks.append(
        _input("follow_up", _text(v(qf.BLOCKS["follow_up"], ""), "follow_up", True), optional=True, hint="面接官が次に聞きそうな質問")
    )
    blocks.append(_input("model_answer", _text(v(qf.BLOCKS["model_answer"], ""), "model_answer", True), optional=True))
    blocks.append(
        _input(
            "weak_answer", _text(v(qf.BLOCKS["weak_answer"], ""), "weak_answer", True), optional=True, hint="よくある弱い回答と、なぜ弱いか"
        )
    )
    blocks.append(_input("level", _select([(x, x) for x in qf.LEVELS], v(qf.BLOCKS["level"], ""), "レベルを選ぶ")))
    blocks.append(_input("kind", _select([(x, x) for x in qf.KINDS], v(qf.BLOCKS["kind"], ""), "種類を選ぶ")))
    return _modal(blocks, TITLES[mode], CALLBACK_ID, submit=SUBMITS[mode], metadata=metadata)


def reject_modal(metadata: str) -> View:
    """却下: an optional reason, which the proposer is told."""
    reason = {
        "type": "plain_text_input",
        "multiline": True,
        "max_length": qf.MAX_REASON,
        "placeholder": plain_text("例: 既存の質問（Q3）とほぼ同じ内容のため"),
    }
    blocks: list[Block] = [
        section_text("この提案を却下します。提案したメンバーにはDMで知らせます。"),
        {
            "type": "input",
            "block_id": qf.REASON,
            "label": plain_text("理由（任意）"),
            "element": {**reason, "action_id": ACTION},
            "optional": True,
            "hint": plain_text(f"{qf.MAX_REASON}字まで。書いた理由は提案者に伝わります。"),
        },
    ]
    return _modal(blocks, TITLES["reject"], REJECT_CALLBACK, submit=SUBMITS["reject"], metadata=metadata)


# ----------------------------------------------------------------------------- a question, as lines


def _fit(lines: list[str], budget: int = SECTION_BUDGET) -> str:
    """Lines within a section's budget, cut between lines and saying so."""
    text = "\n".join(lines)
    if len(text) <= budget:
        return text
    kept: list[str] = []
    for line in lines:
        if len("\n".join([*kept, line])) > budget - 20:
            break
        kept.append(line)
    return "\n".join([*kept, "…（長いため省略しました）"]) if kept else truncate(lines[0], budget)


def _tags(draft: Draft) -> str:
    return "・".join(x for x in (draft.level.value if draft.level else "", draft.kind.value if draft.kind else "") if x)


def _answer_line(mark: str, label: str, text: str, limit: int = 160) -> str:
    return f"{mark} {label}：{literal(truncate(' '.join(text.split()), limit))}"


def question_lines(tq: TeamQuestion, label: str) -> list[str]:
    """What an admin reads before deciding: the question, its points, follow-up and answers."""
    d = tq.draft
    lines = [f"{bold(literal(label))}｜{_tags(d)}｜提案: {mention(tq.proposed_by)}", f"「{literal(d.text)}」"]
    lines += [f"• {literal(point)}" for point in d.points]
    if d.follow_up:
        lines.append(_answer_line("🔎", "深掘り", d.follow_up, 200))
    if d.model_answer:
        lines.append(_answer_line("📖", "模範解答", d.model_answer))
    if d.weak_answer:
        lines.append(_answer_line("⚠️", "NG例", d.weak_answer))
    return lines


# ----------------------------------------------------------------------------- App Home


def propose_block() -> Block:
    """Every member's ✍️ 質問を提案."""
    text = f"✍️ {bold('質問を提案')}：グループで練習したい面接の質問を提案できます。管理者が承認すると、このワークスペースのドリル・復習・模擬面接に出ます。"
    return {**section_text(text), "block_id": "home_propose", "accessory": button("✍️ 質問を提案", action_id(Kind.PROPOSE_OPEN), "open")}


def pending_blocks(pending: Sequence[tuple[TeamQuestion, str]], total: int) -> list[Block]:
    """An admin's 承認待ちの質問: the oldest proposals (two blocks each) and how many more wait."""
    if not total:
        return []
    blocks: list[Block] = [
        header(f"📝 承認待ちの質問（{total}件）"),
        context("承認すると、このワークスペースのドリル・復習・模擬面接に出ます。提案者には結果をDMで知らせます。"),
    ]
    for tq, label in pending:
        value = encode(tq.key, tq.version)
        blocks.append(section_text(_fit(question_lines(tq, label))))
        blocks.append(
            {
                "type": "actions",
                "block_id": f"team_pending.{tq.key}",
                "elements": [
                    button("✅ 承認", action_id(Kind.TEAM_APPROVE), value, style="primary"),
                    button("✏️ 編集して承認", action_id(Kind.TEAM_EDIT_APPROVE), value),
                    button("却下", action_id(Kind.TEAM_REJECT), value, style="danger"),
                ],
            }
        )
    more = total - len(pending)
    if more > 0:
        blocks.append(context(f"ほかに {more} 件の提案が承認を待っています。上の提案を承認または却下すると、古い順に表示されます。"))
    return blocks


# ----------------------------------------------------------------------------- the admins' list

STATUS_LABELS = {Status.APPROVED: "✅ 出題中", Status.RETIRED: "🗄 廃止"}


def _retire_button(tq: TeamQuestion) -> dict:
    element = button("🗄 廃止", action_id(Kind.TEAM_RETIRE), encode(tq.key, tq.version), style="danger")
    element["confirm"] = {
        "title": plain_text("この質問を廃止しますか？"),
        "text": {
            "type": "mrkdwn",
            "text": f"{code(tq.question_id)} はこれから出題されなくなります。これまでの記録と復習の履歴は残ります。",
        },
        "confirm": plain_text("廃止する"),
        "deny": plain_text("やめる"),
        "style": "danger",
    }
    return element


def team_list(questions: Sequence[tuple[TeamQuestion, str]], page: int, notice: str = "") -> Message:
    """`/career questions list [page]`: the approved and retired questions, LIST_PAGE to a page."""
    total = len(questions)
    approved = sum(tq.status is Status.APPROVED for tq, _ in questions)
    pages = max(1, -(-total // LIST_PAGE))
    page = min(max(page, 1), pages)
    shown = questions[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    blocks: list[Block] = [header(f"👥 チームの質問（{total}件）")]
    if notice:
        blocks.append(section_text(notice))
    if not questions:
        blocks.append(context("まだチームの質問はありません。メンバーは `/career propose` やホームの「✍️ 質問を提案」から提案できます。"))
    else:
        blocks.append(
            context(
                f"出題中 {approved}件・廃止 {total - approved}件（{page}/{pages}ページ）。"
                "編集しても質問IDは変わらず、メンバーの自己評価と復習の記録はそのまま残ります。"
            )
        )
    for tq, label in shown:
        d = tq.draft
        head = f"{code(tq.question_id)}｜{bold(literal(label))}｜{STATUS_LABELS.get(tq.status, tq.status.value)}｜{_tags(d)}"
        blocks.append(section_text(_fit([head, f"「{literal(d.text)}」", *(f"• {literal(p)}" for p in d.points)])))
        if tq.status is Status.APPROVED:
            blocks.append(
                {
                    "type": "actions",
                    "block_id": f"team_listed.{tq.key}",
                    "elements": [button("✏️ 編集", action_id(Kind.TEAM_EDIT), encode(tq.key, tq.version)), _retire_button(tq)],
                }
            )
    if page < pages:
        rest = total - page * LIST_PAGE
        blocks.append(context(f"ほかに {rest} 件あります。{code(f'/career questions list {page + 1}')} で次の{LIST_PAGE}件を表示します。"))
    text = f"チームの質問（{total}件・{page}/{pages}ページ）"
    return Message(text=fallback_text(text), blocks=blocks[:MAX_BLOCKS])


# ----------------------------------------------------------------------------- what people are told


def _quote(text: str, limit: int = 80) -> str:
    return f"「{literal(truncate(' '.join(text.split()), limit))}」"


def proposal_received(draft: Draft, label: str) -> str:
    """The proposer's DM once the proposal is stored."""
    return (
        f"✍️ 質問の提案を受け付けました（{literal(label)}）。管理者が確認して承認すると、"
        f"このワークスペースのドリル・復習・模擬面接に出ます。結果はこのDMで知らせます：{_quote(draft.text)}"
    )


def proposal_for_admins(proposer: str, pending: int) -> str:
    """An admin's DM when a member proposes a question: who, how many wait, and where to decide.
    The question's text stays on the Home, where it is decided."""
    return (
        f"📝 {mention(proposer)} さんからチームの質問の提案が届きました（承認待ち {pending}件）。"
        "App Home の「承認待ちの質問」から承認・却下できます。"
    )


def decision_notice(decision: Decision) -> str:
    """The proposer's DM after an admin's decision: the use-case's sentence, as literal text."""
    return literal(decision.notice)


NOT_TOLD = "（提案者へのDMは送れませんでした）"


def approved(tq: TeamQuestion, told: bool) -> str:
    return f"✅ 質問を承認しました（{code(tq.question_id)}）{'' if told else NOT_TOLD}：{_quote(tq.draft.text)}"


def rejected(tq: TeamQuestion, told: bool) -> str:
    return f"🗑 提案を却下しました{'' if told else NOT_TOLD}：{_quote(tq.draft.text)}"


def edited(tq: TeamQuestion) -> str:
    return f"✅ チームの質問 {code(tq.question_id)} を保存しました（IDはそのままです）：{_quote(tq.draft.text)}"


def retired(tq: TeamQuestion) -> str:
    return f"🗄 チームの質問 {code(tq.question_id)} を廃止しました。これからは出題されません（これまでの記録は残ります）。"


def invalid(errors: dict[str, str]) -> str:
    """An edit the rules refused after the form was checked (the roles changed meanwhile)."""
    lines = "\n".join(f"• {literal(qf.LABELS.get(field, field))}: {literal(sentence)}" for field, sentence in errors.items())
    return f"⚠️ 入力に誤りがあるため、何も変更していません。フォームを開き直してください。\n{lines}"
