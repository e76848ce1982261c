"""Block Kit for a drill's pre-reveal reminder and the channel's weekly digest: pure functions."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.domain.announcements import DigestDrill, Reminder, WeeklyDigest, shorten
from bot.domain.schedule import DAY_LABELS_JA
from bot.ports import Message
from bot.views.blocks import context, divider, fit, header, section_text, sections
from bot.views.mrkdwn import bold, display_name, escape_mrkdwn

_RATING_WORDS = ((1.75, "😵 忘れた人が多い"), (2.5, "😓 苦労した人が多い"), (3.25, "🙂 普通"), (5.0, "😎 簡単"))


def permalink(channel_id: str, ts: str) -> str:
    """A link to a message that needs no Web API call: Slack resolves `slack.com/archives/…` to the
    reader's workspace. Built rather than asked for (chat.getPermalink) so that the digest, sent
    inside a claim with a lease, makes one Web API call however many drills the week had."""
    return f"https://slack.com/archives/{channel_id}/p{ts.replace('.', '')}"


def reminder_message(reminder: Reminder) -> Message:
    """Names nobody and counts nobody: how long is left, and an invitation."""
    lead = f"⏰ 回答ポイントの公開まであと{reminder.left_text}です。"
    invite = "このスレッドへの回答は公開まで受け付けています。一言からでも、途中まででも大歓迎です。気軽に書いてみてください。"
    return Message(text=lead, blocks=[section_text(f"{lead}\n{invite}")], ephemeral=False)


def _day(d: date) -> str:
    return f"{d.month}月{d.day}日（{DAY_LABELS_JA[d.weekday()]}）"


def _moment(instant: datetime, zone: ZoneInfo) -> str:
    """「3月8日（日）09:00」: one end of a digest's period, in the schedule's zone."""
    local = instant.astimezone(zone)
    return f"{_day(local.date())}{local:%H:%M}"


def _title(drill: DigestDrill, channel_id: str) -> str:
    label = escape_mrkdwn(f"{drill.role_title} Q{drill.number}｜{drill.question}")
    return f"<{permalink(channel_id, drill.message_ts)}|{label}>"


def digest_message(digest: WeeklyDigest) -> Message:
    zone = _zone(digest)
    # The title names the period the list really covers: from the previous digest to this one.
    period = "今週" if digest.one_week else "この期間"
    title = f"📰 {'今週の' if digest.one_week else ''}面接ドリルまとめ（{_moment(digest.start, zone)}〜{_moment(digest.end, zone)}）"
    blocks = [header(title[:150])]

    drill_lines = [bold(f"{period}のドリル（{len(digest.drills) + digest.more_drills}問）")]
    for drill in digest.drills:
        extra = "（臨時）" if drill.extra else ""
        answered = f"{drill.answered}人が回答" if drill.answered else "回答なし"
        drill_lines.append(f"• {_day(drill.posted_at.astimezone(zone).date())}{extra} {_title(drill, digest.channel_id)} — {answered}")
    if digest.more_drills:
        drill_lines.append(f"…ほか {digest.more_drills}問")
    blocks += sections(drill_lines)

    if digest.hardest:
        lines = [bold(f"{period}の自己評価（むずかしかった順）")]
        for hard in digest.hardest:
            word = next(w for limit, w in _RATING_WORDS if hard.mean_rating <= limit)
            lines.append(f"• {_title(hard.drill, digest.channel_id)} — 平均 {hard.mean_rating:.1f}（{hard.ratings}人）{word}")
        blocks += sections(lines)
        blocks.append(context("自己評価は 1 忘れた・2 苦労した・3 普通・4 簡単。復習のチャンスです。"))

    if digest.streaks:
        lines = [bold("連続回答")]
        lines += [f"• {display_name(shorten(s.name, 40))} — 連続 {s.streak}回" for s in digest.streaks]
        blocks += sections(lines)

    blocks.append(divider())
    if digest.paused:
        blocks.append(section_text(bold("来週の予定") + "\nドリルは一時停止中です。"))
    elif digest.coming:
        clocks = [o.post_at.astimezone(zone).strftime("%H:%M") for o in digest.coming]
        if len(set(clocks)) == 1:
            days = (
                f"毎日（{_day(digest.coming[0].local_date)}〜{_day(digest.coming[-1].local_date)}）"
                if len(digest.coming) == 7
                else "・".join(_day(o.local_date) for o in digest.coming)
            )
            when = f"{days}の {clocks[0]}"
        else:
            # Not every day at the same clock time (a DST gap moves that day's post): each its own.
            when = "・".join(f"{_day(o.local_date)}{clock}" for o, clock in zip(digest.coming, clocks, strict=False))
        blocks.append(section_text(bold("来週の予定") + f"\n{when}（{escape_mrkdwn(digest.timezone)}）に出題します。"))
    else:
        blocks.append(section_text(bold("来週の予定") + "\nこの先7日間に予定されたドリルはありません。"))
    blocks.append(context("来週もスレッドでの回答をお待ちしています。"))
    return Message(
        text=f"{title}: ドリル{len(digest.drills) + digest.more_drills}問のふりかえりと来週の予定", blocks=fit(blocks), ephemeral=False
    )


def _zone(digest: WeeklyDigest) -> ZoneInfo:
    return ZoneInfo(digest.timezone)
