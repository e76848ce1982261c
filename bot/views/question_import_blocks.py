"""Block Kit for the import of a workspace's own questions: the form (a Markdown file, or a pasted
block), 「確認しています…」, the preview with its 取り込む button, and the outcome.

Everything read from the import (question texts, headings, ids) is shown as literal text: escaped,
so `<!channel>` or `<@U…>` is never a mention or a link, and with mrkdwn's formatting characters
made inert, so it cannot turn bold or into a link-looking code span either."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bot.content.question_exchange import Problem
from bot.usecases.question_exchange import LIST_LIMIT, MAX_IMPORT_BYTES, PASTE_CHARACTERS, Imported, Preview
from bot.views.action_ids import Kind, action_id
from bot.views.blocks import SECTION_BUDGET, context, modal_view, plain_text, section_text, split_lines
from bot.views.mrkdwn import bold, display_name

View = dict[str, Any]

CALLBACK_ID = "question_import"
FILE = "file"  # the file_input's block id
TEXT = "text"  # the pasted block's
ACTION = "value"  # every input's action id
TITLE = "チームの質問の取り込み"  # a modal's title holds 24 characters
FILETYPES = ("md", "markdown", "txt")
PROBLEMS_SHOWN = 30
CONFIRM = action_id(Kind.IMPORT_CONFIRM)


def literal(text: str, limit: int = 80) -> str:
    """Text from an import, shown as it is: escaped, capped, unable to format or mention."""
    return display_name(" ".join((text or "").split()), limit=limit)


def _modal(blocks: list[dict], callback_id: str, submit: str | None = None, close: str = "閉じる") -> View:
    return modal_view(blocks, title=TITLE, callback_id=callback_id, submit=submit, close=close)


def notice_modal(mrkdwn: str, callback_id: str = f"{CALLBACK_ID}_notice") -> View:
    """A modal that only says something: no submit, nothing to press."""
    return _modal([section_text(mrkdwn)], callback_id)


def loading_modal() -> View:
    return notice_modal("⏳ 読み込み中です…", callback_id=f"{CALLBACK_ID}_loading")


def checking_modal() -> View:
    return notice_modal("⏳ 確認しています…", callback_id=f"{CALLBACK_ID}_checking")


def import_form() -> View:
    """The form: a Markdown file (as `/career questions export` writes it), or a pasted block."""
    blocks = [
        section_text(
            "`/career questions export` で書き出した Markdown ファイルを選ぶか、質問を貼り付けてください。"
            "取り込む前に、追加・更新される質問と問題のある質問をお見せします。"
        ),
        {
            "type": "input",
            "block_id": FILE,
            "optional": True,
            "label": plain_text("Markdown ファイル"),
            "element": {"type": "file_input", "action_id": ACTION, "filetypes": list(FILETYPES), "max_files": 1},
            "hint": plain_text(f".md / .markdown / .txt、{MAX_IMPORT_BYTES // 1000}KBまで"),
        },
        {
            "type": "input",
            "block_id": TEXT,
            "optional": True,
            "label": plain_text("または、貼り付け"),
            "element": {
                "type": "plain_text_input",
                "action_id": ACTION,
                "multiline": True,
                "max_length": PASTE_CHARACTERS,
                "placeholder": plain_text("## CTO：チームの質問（面接でよく聞かれる質問）"),
            },
            "hint": plain_text(
                f"{PASTE_CHARACTERS:,}文字まで。見出しの下に番号付きで質問を書き、回答ポイントなどは「* *回答ポイント：…*」の行で書きます。"
            ),
        },
    ]
    return _modal(blocks, CALLBACK_ID, submit="確認する", close="キャンセル")


def problem_line(problem: Problem, label_of: Callable[[str], str]) -> str:
    where = f"{label_of(problem.target)} " if problem.target else ""
    number = f"Q{problem.number}" if problem.number else ""
    head = f"{where}{number}（{problem.line}行目）" if (where or number) else f"{problem.line}行目"
    return f"• ⚠️ {literal(head, 60)}：{literal(problem.sentence, 400)}"


def preview_modal(preview: Preview, label_of: Callable[[str], str]) -> View:
    """What the import would do, per role, and each problem; a 取り込む button when it would change anything."""
    plan = preview.plan
    lines: list[str] = []
    for target in plan.targets():
        counts = [(kind, plan.count(kind, target)) for kind in ("add", "update", "same")]
        shown = "・".join(f"{word} {n}問" for (kind, n), word in zip(counts, ("追加", "更新", "変更なし"), strict=True) if n)
        lines.append(f"{bold(literal(label_of(target), 40))}：{shown or '取り込める質問なし'}")
        changed = [c for c in plan.changes if c.found.target == target and c.kind != "same"]
        for change in changed[:LIST_LIMIT]:
            mark = "➕" if change.kind == "add" else "✏️"
            lines.append(f"　{mark} {literal(change.found.draft.text, 60)}")
        if len(changed) > LIST_LIMIT:
            lines.append(f"　ほか {len(changed) - LIST_LIMIT}問")
    head = bold("取り込む内容" if plan.changes_anything else "取り込む質問はありません")
    blocks = [section_text(head)]
    blocks += [section_text(chunk) for chunk in split_lines(lines or ["（質問が読めませんでした）"], SECTION_BUDGET)]
    if plan.problems:
        shown_problems = [problem_line(p, label_of) for p in plan.problems[:PROBLEMS_SHOWN]]
        if len(plan.problems) > PROBLEMS_SHOWN:
            shown_problems.append(f"ほか {len(plan.problems) - PROBLEMS_SHOWN}件")
        blocks.append(section_text(bold(f"取り込まない質問（{len(plan.problems)}件）")))
        blocks += [section_text(chunk) for chunk in split_lines(shown_problems, SECTION_BUDGET)]
    if preview.key is not None:
        note = "問題のある質問は取り込みません。直してから取り込み直すこともできます。" if plan.problems else "まだ何も変更していません。"
        blocks.append(context(note))
        blocks.append(
            {
                "type": "actions",
                "block_id": "import_confirm",
                "elements": [
                    {
                        "type": "button",
                        "text": plain_text("取り込む"),
                        "style": "primary",
                        "action_id": CONFIRM,
                        "value": str(preview.key),
                    }
                ],
            }
        )
    else:
        blocks.append(context("何も変更していません。" if plan.changes or plan.problems else "ファイルの中身を確かめてください。"))
    return _modal(blocks, f"{CALLBACK_ID}_preview")


def imported_modal(imported: Imported, label_of: Callable[[str], str]) -> View:
    parts = [f"追加 {imported.added}問", f"更新 {imported.updated}問"]
    if imported.unchanged:
        parts.append(f"変更なし {imported.unchanged}問")
    roles = "・".join(literal(label_of(t), 40) for t in imported.targets)
    lines = [f"✅ チームの質問を取り込みました（{'、'.join(parts)}）。" + (f"対象：{roles}" if roles else "")]
    if imported.stale:
        lines.append(f"⚠️ {imported.stale}問は確認の後にほかの管理者が変更していたため、そのままにしました。")
    if imported.problems:
        lines.append(f"問題のあった{imported.problems}件は取り込んでいません。")
    if imported.added or imported.updated:
        lines.append("これからドリル・復習・模擬面接に出ます。")
    return notice_modal("\n".join(lines), callback_id=f"{CALLBACK_ID}_done")
