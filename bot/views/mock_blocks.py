"""Block Kit for a one-to-one mock interview (模擬面接): every message of a session, in Japanese.

Each is a normal message in the member's DM (or their AI-app conversation), never an ephemeral,
so the session stays readable after a reload. Everything from the content goes through
`to_mrkdwn`; names and anything else echoed through `escape_mrkdwn`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from bot.domain.answer_feedback import Verdict
from bot.domain.markup import to_plain
from bot.domain.memory import Grade
from bot.domain.mock_interview import IDLE_LIMIT, MAX_COUNT, MIN_COUNT, MockMessage, Phase, SendKind, Summary, TurnSummary
from bot.domain.role import Question, Role
from bot.domain.text import truncate
from bot.ports import Block, Message
from bot.views.action_ids import Kind, action_id, block_id, encode
from bot.views.answer_text import MODEL_ANSWER_NOTE, level_note
from bot.views.blocks import actions, bullets, button, context, fit, header, section_text, sections
from bot.views.feedback_blocks import SHORTENED
from bot.views.learning_blocks import grade_buttons, month_day
from bot.views.mrkdwn import bold, code, escape_mrkdwn, fallback_text, to_mrkdwn

TIME_GUIDE = "目安：1〜2分で"
HOW_TO_ANSWER = "✍️ このDMにそのまま回答を書いてください（複数のメッセージに分けても大丈夫です）。書き終えたら「以上です」。「スキップ」で模範解答へ、「終了」で結果のまとめへ進みます。"
HOW_TO_FOLLOW_UP = "✍️ 深掘りの質問に答えてください。書き終えたら「以上です」。「スキップ」で模範解答へ進みます。"
LEGEND = "✓ 触れている　△ 一部触れている　– まだ触れていない"
# Honest about what it is, as the drill's feedback is.
JUDGE_NOTE = "※ 回答の言葉と意味を回答ポイントと大まかに照らし合わせた目安です。あなたの回答の文章は保存していません。"
GRADE_PROMPT = "📊 自己評価: 模範解答と比べて、どのくらい答えられましたか？（復習の予定に反映されます）"
IDLE_NOTE = f"⏰ {IDLE_LIMIT.seconds // 60}分間やりとりがなかったため、模擬面接を終了しました。ここまでの結果をまとめます。"
KEPT_NOTE = "この結果はこのDMに記録として残ります。あなたの回答の文章は保存していません。"


def _label(role: Role) -> str:
    return role.short_title or role.title


def _title(role: Role, number: int, total: int) -> str:
    return f"🎤 模擬面接 Q{number}/{total}（{_label(role)}）"


def _message(text: str, blocks: list[Block], replace_original: bool = False) -> Message:
    return Message(
        text=fallback_text(text), blocks=fit(blocks), ephemeral=False, replace_original=replace_original, edits_original=replace_original
    )


# ----------------------------------------------------------------------------- the steps


def question_message(role: Role, question: Question, number: int, total: int) -> Message:
    """A question, with its number in the session, its level and kind, and the time guide."""
    title = _title(role, number, total)
    guide = "｜".join(part for part in (level_note(question), TIME_GUIDE) if part)
    blocks: list[Block] = [
        header(title),
        *sections([f"{bold('質問')}\n{to_mrkdwn(question.text)}"]),
        context(escape_mrkdwn(guide)),
        context(HOW_TO_ANSWER),
    ]
    return _message(f"{title}: {to_plain(question.text)}", blocks)


def _marks(question: Question, verdicts: Sequence[Verdict]) -> list[Verdict]:
    return [verdicts[i] if i < len(verdicts) else Verdict.MISSING for i in range(len(question.points))]


def feedback_lines(question: Question, verdicts: Sequence[Verdict]) -> list[str]:
    """✓/△/– and each answer point, as at a drill's reveal."""
    return [f"{verdict.mark} {to_mrkdwn(point)}" for verdict, point in zip(_marks(question, verdicts), question.points, strict=False)]


def feedback_message(role: Role, question: Question, number: int, verdicts: Sequence[Verdict], shortened: bool = False) -> Message:
    """The feedback on an answer, then (when the question has one) its 深掘り as the interviewer."""
    title = f"🔍 Q{number} の回答と回答ポイント"
    blocks: list[Block] = [*sections([bold(escape_mrkdwn(title)), *feedback_lines(question, verdicts)])]
    if shortened:
        blocks.append(context(SHORTENED))
    blocks.append(context(f"{LEGEND}　{JUDGE_NOTE}"))
    marks = _marks(question, verdicts)
    counts = "・".join(f"{v.mark} {marks.count(v)}" for v in (Verdict.COVERED, Verdict.PARTLY, Verdict.MISSING))
    text = f"{title}: {counts}"
    if question.follow_up:
        blocks += sections([f"🎤 {bold('面接官')}：{to_mrkdwn(question.follow_up)}"])
        blocks.append(context(HOW_TO_FOLLOW_UP))
        text += f"\n面接官：{to_plain(question.follow_up)}"
    return _message(text, blocks)


def model_answer_message(
    role: Role,
    question: Question,
    number: int,
    session_id: int,
    index: int,
    graded: Grade | None = None,
    next_due: datetime | None = None,
    zone: str = "Asia/Tokyo",
) -> Message:
    """📖 the model answer and the weak answer, and the four self-grade buttons. Once graded, the
    same message without the buttons and with the grade (it replaces the one pressed)."""
    title = f"📖 Q{number} の模範解答"
    head = f"{bold(escape_mrkdwn(title))}（{escape_mrkdwn(_label(role))}）"
    if question.model_answer:
        lines = [f"{head}\n{to_mrkdwn(question.model_answer)}"]
    else:  # no model answer in the document: the points are what a good answer covers
        lines = [head, bold("回答ポイント"), *bullets(question.points)]
    if question.weak_answer:
        lines.append(f"⚠️ {bold('よくある弱い回答（NG例）')}\n{to_mrkdwn(question.weak_answer)}")
    blocks: list[Block] = [*sections(lines), context(MODEL_ANSWER_NOTE)]
    if graded is None:
        blocks.append(context(GRADE_PROMPT))
        blocks += actions(grade_buttons(Kind.MOCK_GRADE, session_id, index), block_id("mock_grade", str(session_id), str(index)))
    else:
        blocks.append(context(graded_line(graded, next_due, zone)))
    text = f"{title}: {to_plain(question.model_answer)}" if question.model_answer else title
    return _message(text, blocks, replace_original=graded is not None)


def graded_line(grade: Grade, next_due: datetime | None, zone: str) -> str:
    when = f"（次の復習：{month_day(next_due, zone)}ごろ）" if next_due is not None else ""
    return f"✅ 自己評価：{grade.label}{when}"


GRADE_NUDGE = "📊 模範解答の下のボタンで自己評価すると、次の質問に進みます（「スキップ」で評価せずに進みます）。"


def grade_nudge() -> Message:
    """A message typed while a grade is awaited (sent once per question)."""
    return _message(GRADE_NUDGE, [section_text(GRADE_NUDGE)])


# ----------------------------------------------------------------------------- the summary


def duration(span: timedelta) -> str:
    """「1分20秒」「45秒」「12分」."""
    seconds = max(0, round(span.total_seconds()))
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest}秒"
    return f"{minutes}分{rest}秒" if rest else f"{minutes}分"


def _turn_line(turn: TurnSummary, zone: str, now: datetime) -> str:
    head = f"{bold(f'Q{turn.number}')} {to_mrkdwn(truncate(to_plain(turn.question.text), 60))}"
    parts = []
    if turn.answered:
        parts.append(f"✓ {turn.covered}・△ {turn.partly}・– {turn.missing}")
        if turn.answer_time is not None:
            parts.append(f"回答 {duration(turn.answer_time)}")
    else:
        parts.append("スキップ" if turn.skipped else "未回答")
    parts.append(f"自己評価：{turn.grade.label}" if turn.grade is not None else "自己評価：なし")
    if turn.next_due is not None:
        parts.append(f"次の復習 {month_day(turn.next_due, zone, now)}")
    return f"{head}\n　{'｜'.join(parts)}"


def summary_message(role: Role, summary: Summary, session_id: int, zone: str, now: datetime) -> Message:
    """The end of a session: per question the verdict counts, the self-grade, how long the answer
    took and when it comes back; the points most often missed; もう一度 and 復習をはじめる."""
    done = len(summary.turns)
    title = f"🎤 模擬面接の結果（{_label(role)}・{done}問）"
    blocks: list[Block] = [header(title)]
    if summary.phase is Phase.EXPIRED:
        blocks.append(section_text(IDLE_NOTE))
    elif summary.phase is Phase.STOPPED:
        blocks.append(section_text(f"⏹ 模擬面接を途中で終了しました（{summary.planned}問中{done}問目まで）。"))
    if summary.turns:
        blocks += sections([bold("質問ごとの結果"), *(_turn_line(t, zone, now) for t in summary.turns)])
    else:
        blocks.append(section_text("まだ回答した質問はありません。"))
    if summary.missed:
        blocks += sections(
            [
                bold("抜けやすかったポイント"),
                *(f"• {to_mrkdwn(m.point)}（{'・'.join(f'Q{n}' for n in m.numbers)}）" for m in summary.missed),
            ]
        )
    if summary.next_review is not None:
        blocks.append(
            section_text(
                f"📅 次の復習は {month_day(summary.next_review, zone, now)} からです。{code('/career review')} でいつでも始められます。"
            )
        )
    blocks += actions(
        [
            button("🔁 もう一度（別の質問で）", action_id(Kind.MOCK_AGAIN), encode(session_id), style="primary"),
            button("📚 復習をはじめる", action_id(Kind.MOCK_REVIEW), encode(session_id)),
        ],
        block_id("mock_summary", str(session_id)),
    )
    blocks.append(context(KEPT_NOTE))
    answered = sum(1 for t in summary.turns if t.answered)
    text = f"{title}: {done}問中{answered}問に回答" + ("\n" + IDLE_NOTE if summary.phase is Phase.EXPIRED else "")
    return _message(text, blocks)


# ----------------------------------------------------------------------------- starting


def abandon_prompt(current: Role, number: int, total: int, session_id: int, wanted: Role, count: int, levels_code: str = "") -> Message:
    """Starting a session while one is running: end it and start the new one, or keep going."""
    text = (
        f"進行中の模擬面接があります（{_label(current)}・{total}問中{number}問目）。"
        f"終了して、新しい模擬面接（{_label(wanted)}・{count}問）を始めますか？"
    )
    blocks: list[Block] = [section_text(escape_mrkdwn(text))]
    blocks += actions(
        [
            button(
                "⏹ 終了して新しく始める", action_id(Kind.MOCK_ABANDON), encode(session_id, wanted.slug, count, levels_code), style="danger"
            ),
            button("▶️ 今の模擬面接を続ける", action_id(Kind.MOCK_CONTINUE), encode(session_id)),
        ],
        block_id("mock_abandon", str(session_id)),
    )
    blocks.append(context("終了すると、ここまでの結果をまとめてから新しい模擬面接を始めます。"))
    # Private when it answers `/career mock` in a channel; in the DM it is posted as it is.
    return Message(text=fallback_text(text), blocks=blocks, ephemeral=True)


def continue_notice(number: int, total: int) -> Message:
    """「続ける」 pressed: the prompt is replaced by where the session stands."""
    text = f"▶️ 今の模擬面接を続けます（{total}問中{number}問目）。このDMに回答を書いてください。"
    return _message(text, [section_text(text)], replace_original=True)


def started_notice(role: Role, count: int) -> Message:
    """The private answer to `/career mock …` typed in a channel: the session is in the DM."""
    text = f"🎤 {_label(role)}の模擬面接（{count}問）をボットとのDMで始めました。アプリの「メッセージ」タブを開いてください。"
    return Message(text=fallback_text(text), blocks=[section_text(escape_mrkdwn(text))], ephemeral=True)


def mock_help(bad_count: str = "") -> Message:
    """How to start one (and why a count was refused)."""
    lines = []
    if bad_count:
        lines.append(
            f"⚠️ 質問の数「{escape_mrkdwn(truncate(bad_count, 20))}」は使えません。{MIN_COUNT}〜{MAX_COUNT}の数で指定してください。"
        )
    lines += [
        f"🎤 {bold('模擬面接')}：面接官と一対一の練習を、ボットとのDMで行います。質問に答えると、回答ポイントのフィードバック、深掘りの質問、模範解答の順に進みます。",
        f"• {code('/career mock cto')}　CTOの質問で5問",
        f"• {code('/career mock common 3')}　どの職種でも聞かれる質問で3問",
        f"• {code('/career mock ciso 5 level=中級')}　レベルを指定",
        f"• {code('/career mock stop')}　進行中の模擬面接を終了",
        "DMでは「模擬面接 cto」や「mock cto 3」と書いても始められます。",
    ]
    text = "\n".join(lines)
    return Message(text=fallback_text(text), blocks=sections(lines), ephemeral=True)


def mock_message(message: MockMessage) -> Message:
    """A session's step as the member reads it (what the outbox sends)."""
    role, question, number = message.role, message.question, message.number
    if message.kind is SendKind.SUMMARY:
        assert message.summary is not None and message.now is not None
        return summary_message(role, message.summary, message.session_id, message.zone, message.now)
    if message.kind is SendKind.GRADE_NUDGE:
        return grade_nudge()
    assert question is not None
    if message.kind is SendKind.QUESTION:
        return question_message(role, question, number, message.total)
    if message.kind is SendKind.FEEDBACK:
        return feedback_message(role, question, number, message.verdicts, message.shortened)
    return model_answer_message(role, question, number, message.session_id, number - 1, zone=message.zone)
