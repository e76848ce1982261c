"""Block Kit for the model answer that 📖 on a drill's reveal shows privately."""

from __future__ import annotations

from bot.domain.markup import to_plain
from bot.domain.role import Question, Role
from bot.ports import Block, Message
from bot.views.action_ids import Kind, action_id, block_id, encode
from bot.views.answer_text import MODEL_ANSWER_NOTE, model_answer_lines
from bot.views.blocks import actions, button, context, fit, sections
from bot.views.mrkdwn import bold, escape_mrkdwn, fallback_text, to_mrkdwn


def model_answer_blocks(question: Question) -> list[Block]:
    lines = model_answer_lines(question)
    return [*sections(lines), context(MODEL_ANSWER_NOTE)] if lines else []


def model_answer_message(role: Role, question: Question) -> Message:
    """What 📖 模範解答 on a drill's reveal shows privately to whoever pressed it."""
    label = role.short_title or role.title
    title = f"📖 模範解答（{label} Q{question.number}）"
    lines = [f"{bold(escape_mrkdwn(title))}\n{to_mrkdwn(question.text)}", *model_answer_lines(question)]
    blocks = [*sections(lines), context(MODEL_ANSWER_NOTE)]
    text = f"{title}: {to_plain(question.model_answer)}" if question.model_answer else title
    return Message(text=fallback_text(text), blocks=fit(blocks), ephemeral=True, replace_original=False)


def model_answer_button(drill_id: int) -> list[Block]:
    """On a drill's reveal: the model answer, shown only to whoever presses it."""
    return actions([button("📖 模範解答", action_id(Kind.MODEL_ANSWER), encode(drill_id))], block_id("model_answer", str(drill_id)))
