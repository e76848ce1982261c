"""Block Kit for the daily drill and its admin commands: pure functions from data to messages."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from bot.domain.drill import DrillPost, DrillReveal
from bot.domain.markup import to_plain
from bot.domain.progress import Stats
from bot.domain.role import Level
from bot.domain.schedule import Schedule, describe_days, format_local
from bot.ports import Message
from bot.usecases.schedule_admin import Change, ScheduleView
from bot.views.blocks import bullets, context, fit, header, section_text, sections
from bot.views.feedback_blocks import check_button
from bot.views.learning_blocks import reveal_grading
from bot.views.model_answer_blocks import model_answer_button
from bot.views.mrkdwn import bold, code, escape_mrkdwn, fallback_text, mention, to_mrkdwn


def slack_time(instant: datetime, zone: str) -> str:
    """A time Slack shows in each reader's own zone, with the schedule's zone as the fallback."""
    fallback = format_local(instant, zone)
    return f"<!date^{int(instant.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


# ----------------------------------------------------------------------------- drill messages


def drill_post(post: DrillPost) -> Message:
    blocks = [
        header(f"📝 今日の面接ドリル｜{post.role_title}"),
        section_text(f"{bold(f'Q{post.number} / {post.total}')}{'｜👥 チームの質問' if post.team else ''}\n{to_mrkdwn(post.question)}"),
    ]
    if post.revealed:
        blocks.append(context("✅ 回答ポイントを公開しました。スレッドで確認しましょう。"))
    else:
        blocks.append(
            context(f"💬 このスレッドに返信して回答してください。回答ポイントは {slack_time(post.reveal_at, post.timezone)} に公開します。")
        )
    return Message(
        text=fallback_text(f"今日の面接ドリル（{post.role_title} Q{post.number}）: {to_plain(post.question)}"),
        blocks=blocks,
        ephemeral=False,
    )


def drill_reveal(reveal: DrillReveal) -> Message:
    post = reveal.post
    if reveal.answer_points:
        blocks = sections([bold(f"回答ポイント（Q{post.number}）"), *bullets(reveal.answer_points)])
    else:
        blocks = [
            section_text(
                f"{bold(f'Q{post.number}')} にはあらかじめ用意された回答ポイントがありません。スレッドでお互いの回答を読み比べて、良かった点を伝え合いましょう。"
            )
        ]
    if reveal.follow_up:
        # The interviewer's next question: a prompt for the thread's discussion after the points.
        blocks += sections([f"🔎 {bold('深掘りの質問')}\n{to_mrkdwn(reveal.follow_up)}"])
        blocks.append(context("面接官が次に聞きそうな質問です。スレッドで答えを出し合ってみましょう。"))
    if reveal.participants:
        names = " ".join(mention(u) for u in reveal.participants)
        blocks += sections([f"👏 参加者 {len(reveal.participants)}人: {names}"])
    else:
        blocks.append(context("今回は回答がありませんでした。次回のドリルもお待ちしています。"))
    if reveal.drill_id is not None:
        blocks += reveal_grading(reveal.drill_id)
        if reveal.feedback:
            blocks += check_button(reveal.drill_id)
        if reveal.model_answer:
            blocks += model_answer_button(reveal.drill_id)
    return Message(text=fallback_text(_reveal_summary(reveal)), blocks=fit(blocks), ephemeral=False)


def _reveal_summary(reveal: DrillReveal) -> str:
    """The points themselves (a notification shows what the reveal says) and who took part."""
    post = reveal.post
    if reveal.answer_points:
        text = f"回答ポイント（{post.role_title} Q{post.number}）: " + "／".join(to_plain(p) for p in reveal.answer_points)
    else:
        text = (
            f"{post.role_title} Q{post.number} の回答ポイントの公開: 用意された回答ポイントはありません。スレッドで回答を読み比べましょう。"
        )
    who = f"参加者 {len(reveal.participants)}人" if reveal.participants else "今回は回答がありませんでした"
    return f"{text}\n{who}"


# ----------------------------------------------------------------------------- schedules


# Why the bot paused a schedule by itself (see bot.ports.CHANNEL_GONE), as the admin's views say it.
_PAUSED_BY_BOT = {
    "is_archived": "チャンネルがアーカイブされたため、ボットが停止しました",
    "channel_not_found": "Slack でチャンネルが見つからないため、ボットが停止しました",
}


def paused_by_bot(schedule: Schedule) -> str | None:
    """Why the bot paused this schedule, in a few words; None when it runs or a person paused it."""
    if not schedule.paused or not schedule.paused_reason:
        return None
    return _PAUSED_BY_BOT.get(schedule.paused_reason, "ボットが停止しました")


def schedule_summary(view: ScheduleView) -> str:
    s = view.schedule
    lines = [
        f"{bold('職種:')} {escape_mrkdwn(view.role_label)}",
        f"{bold('投稿:')} {describe_days(s.days)} {s.post_time:%H:%M}（{s.timezone}）",
        f"{bold('回答ポイントの公開:')} {s.reveal.describe()}",
    ]
    if s.all_questions:
        lines.append(bold("出題範囲:") + " 回答ポイントのない質問も含む（`questions=all`）")
    lines.append(
        bold("出題順:")
        + (" 苦手な質問が復習に戻る（`order=adaptive`）" if s.order == "adaptive" else " 全問を一巡してから繰り返す（`order=rotation`）")
    )
    if s.levels:
        named = "・".join(level.value for level in Level if level in s.levels)
        lines.append(bold("レベル:") + f" {named}の質問だけ（`level={','.join(level.value for level in Level if level in s.levels)}`）")
    if s.common_every:
        how_often = "毎回" if s.common_every == 1 else f"{s.common_every}回に1回"
        lines.append(bold("共通の質問:") + f" {how_often}、どの職種でも聞かれる質問を出題（`common={s.common_every}`）")
    if not s.feedback:
        lines.append(bold("回答のチェック:") + " オフ（`feedback=off`）")
    if s.remind is not None:
        lines.append(bold("リマインダー:") + f" {s.remind.describe()}にスレッドでお知らせ（`remind={s.remind}`）")
    if s.digest is not None:
        lines.append(bold("週間まとめ:") + f" {s.digest.describe()}にチャンネルへ投稿（`digest={s.digest}`）")
    if s.skip_dates:
        lines.append(bold("お休み:") + " " + "、".join(sorted(d.isoformat() for d in s.skip_dates)))
    if s.paused:
        why = paused_by_bot(s)
        lines.append(bold("状態:") + f" ⏸ 一時停止中（{f'{why}。' if why else ''}`/career schedule resume` で再開）")
    if view.next is not None:
        lines.append(f"{bold('次回の投稿:')} {format_local(view.next.post_at, s.timezone)}")
    return "\n".join(lines)


def schedule_line(view: ScheduleView) -> str:
    """The schedule on one plain line, for fallback texts: 「CISO 毎日 09:00（UTC）、回答ポイントの公開 投稿の8時間後、次回 …」."""
    s = view.schedule
    line = f"{view.role_label} {describe_days(s.days)} {s.post_time:%H:%M}（{s.timezone}）、回答ポイントの公開 {s.reveal.describe()}"
    if s.paused:
        return line + "、一時停止中"
    return line + (f"、次回 {format_local(view.next.post_at, s.timezone)}" if view.next is not None else "")


def schedule_changed(title: str, view: ScheduleView, bot_missing: bool = False) -> Message:
    blocks = [section_text(f"✅ {title}\n{schedule_summary(view)}")]
    if bot_missing:
        blocks.append(
            section_text("⚠️ ボットがまだこのチャンネルに参加していません。`/invite @career-drill` で招待しないとドリルを投稿できません。")
        )
    return Message(text=fallback_text(f"{title}\n{schedule_line(view)}"), blocks=blocks, ephemeral=False)


NO_SCHEDULE = (
    f"このチャンネルにはドリルのスケジュールがありません。管理者は {code('/career schedule set <職種|all> <HH:MM>')} で設定できます。"
)


def schedule_show(view: ScheduleView | None) -> Message:
    if view is None:
        return Message(text=NO_SCHEDULE, blocks=[section_text(NO_SCHEDULE)])
    return Message(
        text=fallback_text(f"このチャンネルのドリル: {schedule_line(view)}"),
        blocks=[section_text(bold("このチャンネルのドリル") + "\n" + schedule_summary(view))],
    )


def schedule_list(views: Sequence[ScheduleView]) -> Message:
    if not views:
        return schedule_show(None)
    lines = []
    for v in views:
        s = v.schedule
        why = paused_by_bot(s)
        state = (
            ("⏸ 停止中" + (f"（{why}）" if why else ""))
            if s.paused
            else (f"次回 {format_local(v.next.post_at, s.timezone)}" if v.next else "予定なし")
        )
        extras = f" {_extras(s)} " if _extras(s) else ""
        lines.append(
            f"• <#{s.channel_id}> {escape_mrkdwn(v.role_label)} {describe_days(s.days)} {s.post_time:%H:%M}（{s.timezone}）{extras}— {state}"
        )
    summary = "、".join(f"{v.role_label} {v.schedule.post_time:%H:%M}（{v.schedule.timezone}）" for v in views)
    return Message(
        text=fallback_text(f"ドリルのスケジュール（{len(views)}件）: {summary}"),
        blocks=fit([header(f"ドリルのスケジュール（{len(views)}件）"), *sections(lines)]),
    )


ACTION_LABELS = {
    "set": "設定",
    "pause": "一時停止",
    "resume": "再開",
    "off": "終了",
    "skip": "お休み",
    "drill now": "今すぐ出題",
    "drill reveal": "今すぐ公開",
}


def _setting(schedule: Schedule | None, role_label: Callable[[str], str]) -> str:
    if schedule is None:
        return "（なし）"
    text = f"{escape_mrkdwn(role_label(schedule.role))} {describe_days(schedule.days)} {schedule.post_time:%H:%M}（{schedule.timezone}）公開 {schedule.reveal.describe()}"
    if schedule.skip_dates:
        text += " お休み " + "、".join(sorted(d.isoformat() for d in schedule.skip_dates))
    if _extras(schedule):
        text += " " + _extras(schedule)
    if schedule.paused:
        text += " ⏸"
    return text


def _extras(schedule: Schedule) -> str:
    """The reminder and the weekly digest, when set: 「リマインダー 公開の1時間前・まとめ 毎週金曜 18:00」."""
    parts = []
    if schedule.remind is not None:
        parts.append(f"リマインダー {schedule.remind.describe()}")
    if schedule.digest is not None:
        parts.append(f"まとめ {schedule.digest.describe()}")
    return "・".join(parts)


def schedule_history(changes: Sequence[Change], role_label: Callable[[str], str]) -> Message:
    if not changes:
        text = "このチャンネルのスケジュール変更履歴はまだありません。"
        return Message(text=text, blocks=[section_text(text)])
    lines = []
    for c in changes:
        setting = c.after or c.before
        zone = setting.timezone if setting else "UTC"
        what = ACTION_LABELS.get(c.action, escape_mrkdwn(c.action))
        detail = escape_mrkdwn(c.note) if c.note else f"{_setting(c.before, role_label)} → {_setting(c.after, role_label)}"
        source = "（フォーム）" if c.source == "modal" else ""
        lines.append(f"• {format_local(c.at, zone)} {mention(c.user_id)} {bold(what)}{source}: {detail}")
    latest = changes[0]
    setting = latest.after or latest.before
    zone = setting.timezone if setting else "UTC"
    summary = f"スケジュールの変更履歴（{len(changes)}件。最新: {format_local(latest.at, zone)} {ACTION_LABELS.get(latest.action, latest.action)}）"
    return Message(text=fallback_text(summary), blocks=[section_text(bold("スケジュールの変更履歴（新しい順）")), *sections(lines)])


SCHEDULE_HELP = "\n".join(
    [
        bold("ドリルのスケジュール") + "（設定の変更は管理者のみ）",
        "• "
        + code(
            "/career schedule set <職種|all> <HH:MM> [tz=Asia/Tokyo] [days=daily|weekdays|mon,wed,fri] [reveal=HH:MM|+30m|+2h] "
            "[questions=all] [order=adaptive|rotation] [feedback=on|off] [remind=-1h|-30m|20:00|off] [digest=fri-18:00|off]"
        ),
        "　`remind=` 公開前にスレッドで回答を呼びかける（誰の名前も出しません）　`digest=` 毎週その曜日・時刻に1週間のまとめを投稿",
        "• `/career schedule show` — このチャンネルの設定　• `/career schedule list` — 全チャンネル",
        "• `/career schedule pause` / `resume` / `off`　• `/career schedule skip YYYY-MM-DD`　• `/career schedule history`",
        "• `/career drill now` — 今すぐ1問投稿　• `/career drill reveal` — 今すぐ回答ポイントを公開",
        "• `/career stats` — あなたの参加記録と復習の進み具合　• `/career review` — あなたの復習（自分だけに表示）",
        "• `/career feedback on|off` — 回答がどの回答ポイントに触れたかを、公開後にあなたにだけ知らせる機能の切り替え",
    ]
)


def schedule_help() -> Message:
    summary = "ドリルのスケジュールのコマンド: schedule set・show・list・pause・resume・off・skip・history、drill now・reveal、stats、review、feedback"
    return Message(text=fallback_text(summary), blocks=[section_text(SCHEDULE_HELP)])


STATS_IN_CHANNEL = (
    "チャンネルごとの記録（そのチャンネルの回答数と連続回答）は、ドリルのあるチャンネルで `/career stats` を実行すると表示されます。"
)


def stats_message(stats: Stats, learning: Sequence[str] = (), in_channel: bool = True) -> Message:
    """`in_channel` False: asked outside a channel (a DM), where there is no channel's record to show."""
    if in_channel:
        lines = [
            f"• 回答したドリル: {stats.answered}回（このチャンネルでは {stats.answered_here} / {stats.drills_here}回。公開前の回答だけを数えます）",
            f"• このチャンネルの連続回答: {stats.streak}回（毎日のドリルに公開前まで続けて回答した回数。「今すぐ出題」の問題は数えません）",
        ]
        summary = f"あなたのドリル記録: 回答したドリル {stats.answered}回（このチャンネルでは {stats.answered_here} / {stats.drills_here}回）、このチャンネルの連続回答 {stats.streak}回"
    else:
        lines = [f"• 回答したドリル: {stats.answered}回（すべてのチャンネルの合計。公開前の回答だけを数えます）", f"• {STATS_IN_CHANNEL}"]
        summary = f"あなたのドリル記録: 回答したドリル {stats.answered}回（すべてのチャンネルの合計）"
    blocks = [section_text(bold("あなたのドリル記録") + "\n" + "\n".join(lines))]
    if learning:
        blocks += sections([bold("自己評価と復習"), *learning])
    return Message(text=fallback_text(summary), blocks=fit(blocks))
