"""Block Kit for private answer feedback: which answer points a member's reply covered."""

from __future__ import annotations

from bot.domain.answer_feedback import JUDGED_CHARACTERS, AnswerFeedback, Verdict
from bot.domain.markup import to_plain
from bot.ports import Block, Message
from bot.views.action_ids import Kind, action_id, block_id, encode
from bot.views.blocks import actions, button, context, fit, section_text, sections
from bot.views.mrkdwn import bold, escape_mrkdwn, fallback_text, to_mrkdwn

# Honest about what it is: words matched in the reply, not a grader.
DISCLAIMER = "※ 回答の言葉と意味を回答ポイントと大まかに照らし合わせた目安で、言い換えを見落とすことがあります。お手本は「📖 模範解答」で確認できます。あなたの回答の文章は保存していません。"
SHORTENED = f"※ 回答が長いため、最初の{JUDGED_CHARACTERS:,}文字だけを判定しました。それより後に書いた内容は、この判定に含まれていません。"


def encouragement(verdicts: tuple[Verdict, ...]) -> str:
    covered = sum(1 for v in verdicts if v is Verdict.COVERED)
    touched = sum(1 for v in verdicts if v is not Verdict.MISSING)
    if verdicts and covered == len(verdicts):
        return "すべてのポイントに触れられています。深掘りの質問にも挑戦してみましょう。"
    if touched:
        return "触れられたポイントがあります。「–」のポイントを次の回答に足すと、さらに伝わる答えになります。"
    return "今回は回答ポイントとは別の切り口でした。ポイントを一つ取り入れて、もう一度組み立ててみましょう。"


def answer_feedback(feedback: AnswerFeedback) -> Message:
    title = f"🔍 あなたの回答と回答ポイント（{feedback.role.short_title or feedback.role.title} Q{feedback.question.number}）"
    lines = [bold(escape_mrkdwn(title)), *(f"{verdict.mark} {to_mrkdwn(point)}" for verdict, point in feedback.lines)]
    shortened = [context(SHORTENED)] if feedback.shortened else []
    blocks: list[Block] = [
        *sections(lines),
        *shortened,
        section_text(encouragement(feedback.verdicts)),
        context("✓ 触れている　△ 一部触れている　– まだ触れていない　" + DISCLAIMER),
    ]
    return Message(text=fallback_text(_summary(title, feedback)), blocks=fit(blocks), replace_original=False)


def _summary(title: str, feedback: AnswerFeedback) -> str:
    """The verdicts themselves: how many points were touched, then each point with its mark (and
    that only the reply's start was judged, when it was)."""
    marks = [verdict for verdict, _ in feedback.lines]
    counts = "・".join(f"{v.mark} {marks.count(v)}" for v in (Verdict.COVERED, Verdict.PARTLY, Verdict.MISSING))
    points = "／".join(f"{verdict.mark} {to_plain(point)}" for verdict, point in feedback.lines)
    return f"{title}: {counts}（{len(marks)}ポイント中）\n{points}" + (f"\n{SHORTENED}" if feedback.shortened else "")


def check_button(drill_id: int) -> list[Block]:
    """On the reveal: the durable way to see one's own feedback (ephemerals reach only members
    active in the channel at that moment)."""
    return actions([button("🔍 自分の回答をチェック", action_id(Kind.CHECK_ANSWER), encode(drill_id))], block_id("check", str(drill_id)))
