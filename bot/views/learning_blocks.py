"""Block Kit for self-grading, the private review queue and the learning part of stats."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.markup import to_plain
from bot.domain.memory import GRADE_BUTTONS, Grade, end_of_local_day
from bot.domain.role import Question, Role
from bot.ports import Block, Message
from bot.usecases.learning import Graded, Item, LearningStats, Queue
from bot.views.action_ids import Kind, action_id, block_id, encode
from bot.views.answer_text import MODEL_ANSWER_NOTE, model_answer_lines
from bot.views.blocks import actions, bullets, button, context, fit, header, section_text, sections
from bot.views.mrkdwn import bold, escape_mrkdwn, fallback_text, to_mrkdwn


def month_day(instant: datetime, zone: str, today: datetime | None = None) -> str:
    """「12月3日」, with the year when it is not this year's."""
    local = instant.astimezone(ZoneInfo(zone))
    if today is not None and today.astimezone(ZoneInfo(zone)).year != local.year:
        return f"{local.year}年{local.month}月{local.day}日"
    return f"{local.month}月{local.day}日"


def grade_buttons(kind: Kind, *parts: object) -> list[dict]:
    return [button(GRADE_BUTTONS[g], action_id(kind), encode(*parts, int(g)), style="primary" if g is Grade.GOOD else None) for g in Grade]


def reveal_grading(drill_id: int) -> list[Block]:
    """Under a drill's reveal: every member may grade themselves, privately."""
    return [
        context("📊 自己評価: 回答ポイントと比べて、どのくらい思い出せましたか？（結果はあなたにだけ届き、苦手な質問は復習に出ます）"),
        *actions(grade_buttons(Kind.GRADE, drill_id), block_id("grade", str(drill_id))),
    ]


def _label(role: Role) -> str:
    return role.short_title or role.title


def graded_line(graded: Graded) -> str:
    replaced = graded.replaced if graded.replaced != graded.grade else None  # a double click changes nothing
    verb = (
        f"「{replaced.label}」から「{graded.grade.label}」に変更しました"
        if replaced is not None
        else f"「{graded.grade.label}」で記録しました"
    )
    when = ""
    if graded.memory.due is not None and graded.memory.last_review is not None and not graded.elsewhere:
        # Never "today": on a 25-hour day (DST ends) a one-day interval can end before midnight.
        back = max(graded.memory.due, end_of_local_day(graded.memory.last_review, graded.zone))
        when = f"この質問は {month_day(back, graded.zone, graded.memory.last_review)} ごろに復習に出ます。"
    return f"✅ {escape_mrkdwn(_label(graded.role))} Q{graded.question.number} の自己評価を{verb}。{when}"


def graded_message(graded: Graded) -> Message:
    """The private answer to a grade pressed on a reveal."""
    text = graded_line(graded)
    note = ELSEWHERE if graded.elsewhere else "`/career review` で、復習の時期が来た質問をいつでも自分だけで練習できます。"
    return Message(text=text, blocks=[section_text(text), context(note)], replace_original=False)


# A Slack Connect channel's drill: the grade is kept where the drill and its replies are.
ELSEWHERE = (
    "このチャンネルのドリルは別のワークスペースのものなので、自己評価は回答と一緒にそのワークスペースの記録に残ります"
    "（あなたのワークスペースの `/career review` や `/career stats` には含まれません）。"
)


def _question_blocks(item: Item, title: str) -> list[Block]:
    return [
        header(title),
        section_text(
            f"{bold(escape_mrkdwn(f'{_label(item.role)} Q{item.question.number}'))}{'｜👥 チームの質問' if item.question.team else ''}"
            f"\n{to_mrkdwn(item.question.text)}"
        ),
    ]


def review_card(queue: Queue, done_line: str = "") -> Message:
    """The review queue's current question, or the end of today's queue."""
    blocks: list[Block] = [section_text(done_line)] if done_line else []
    item = queue.next
    if item is None or (item.due is None and done_line and queue.due_today == 0):
        return review_finished(queue, blocks)
    if item.due is not None:
        title = f"🔁 復習（今日の残り {queue.due_today}問）"
        note = "まず自分で答えを考えてから、回答ポイントを確認しましょう。"
    else:
        title = "🌱 新しい質問"
        note = (
            "今日の復習はありません。" if queue.due_today == 0 else ""
        ) + "まだ評価していない質問です。まず自分で答えを考えてから、回答ポイントを確認しましょう。"
    blocks += _question_blocks(item, title)
    blocks.append(context(note))
    blocks += actions(
        [button("回答ポイントを見る", action_id(Kind.REVIEW_POINTS), encode(item.role.slug, item.question.id), style="primary")],
        block_id("review", item.role.slug),
    )
    return Message(
        text=fallback_text(f"{title}: {_label(item.role)} Q{item.question.number} {to_plain(item.question.text)}"),
        blocks=fit(blocks),
        replace_original=True,
    )


def review_points(role: Role, question: Question, due_today: int | None) -> Message:
    """The answer points and the four grades, in place of the question. `due_today` is the count of
    the member's due questions when this is one of them, None for a question new to them."""
    item = Item(role, question, None)
    blocks = _question_blocks(item, f"🔁 復習（今日の残り {due_today}問）" if due_today else "🌱 新しい質問")
    if question.answer_points:
        blocks += sections([bold("回答ポイント"), *bullets(question.answer_points)])
    else:
        blocks.append(section_text("この質問には回答ポイントがまだありません。自分の答えの筋道を振り返って評価してください。"))
    if question.follow_up:
        blocks += sections([f"🔎 {bold('深掘りの質問')}\n{to_mrkdwn(question.follow_up)}"])
    if answer := model_answer_lines(question):
        blocks += [*sections(answer), context(MODEL_ANSWER_NOTE)]
    blocks.append(context("📊 自己評価: どのくらい思い出せましたか？"))
    blocks += actions(grade_buttons(Kind.REVIEW_GRADE, role.slug, question.id), block_id("review_grade", role.slug))
    points = "／".join(to_plain(p) for p in question.answer_points) or "まだありません"
    return Message(
        text=fallback_text(f"回答ポイント（{_label(role)} Q{question.number}）: {points}"), blocks=fit(blocks), replace_original=True
    )


def review_finished(queue: Queue, blocks: list[Block] | None = None) -> Message:
    blocks = list(blocks or [])
    lines = [f"🎉 今日の復習はこれで全部です。今日は {queue.done_today}問 自己評価しました。"]
    if queue.next_due is not None:
        lines.append(f"次の復習は {month_day(queue.next_due, queue.zone, queue.now)} です。")
    blocks.append(section_text("".join(lines)))
    if queue.next is not None:
        blocks += actions([button("🌱 新しい質問に挑戦", action_id(Kind.REVIEW_NEW), "new")], block_id("review_new"))
    else:
        blocks.append(context("まだ評価していない質問はもうありません。お疲れさまでした！"))
    return Message(text=lines[0], blocks=blocks, replace_original=True)


def learning_stats_lines(stats: LearningStats) -> list[str]:
    lines = [f"• 今日の復習: {stats.due_today}問（`/career review` で始められます）"]
    if stats.roles or stats.removed:
        lines.append(bold("職種ごとの進み具合") + "（評価した質問 / 定着した質問。定着 = 記憶の安定度が21日以上）")
        for progress in stats.roles:
            total = len(progress.role.questions) or 1
            lines.append(
                f"• {escape_mrkdwn(_label(progress.role))}: 評価 {progress.rated}問、定着 {progress.mastered}問"
                f"（全{len(progress.role.questions)}問の {round(100 * progress.mastered / total)}%）"
            )
        if stats.removed:
            # Their grades are still in the last 30 days below: say where those questions went.
            lines.append(f"• 削除された質問: 評価 {stats.removed}問（教材から外れたため、復習には出ません）")
    else:
        lines.append("• まだ自己評価した質問はありません。ドリルの回答ポイント公開後に、評価ボタンを押してみましょう。")
    total = sum(stats.grades.values())
    if total:
        parts = "、".join(f"{g.label} {n}" for g, n in stats.grades.items())
        lines.append(f"• 最近30日の自己評価（{total}回）: {parts}")
    return lines
