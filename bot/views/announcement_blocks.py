"""Block Kit for a drill's pre-reveal reminder and the channel's weekly digest: pure functions."""

from __future__ import annotations

from datetime import date
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


def _title(drill: DigestDrill, channel_id: str) -> str:
    label = escape_mrkdwn(f"{drill.role_title} Q{drill.number}｜{drill.question}")
    return f"<{permalink(channel_id, drill.message_ts)}|{label}>"


def digest_message(digest: WeeklyDigest) -> Message:
    title = f"📰 今週の面接ドリルまとめ（{_day(digest.start)}〜{_day(digest.end)}）"
    blocks = [header(title[:150])]

    drill_lines = [bold(f"今週のドリル（{len(digest.drills) + digest.more_drills}問）")]
    for drill in digest.drills:
        extra = "（臨時）" if drill.extra else ""
        answered = f"{drill.answered}人が回答" if drill.answered else "回答なし"
        drill_lines.append(f"• {_day(drill.posted_at.astimezone(_zone(digest)).date())}{extra} {_title(drill, digest.channel_id)} — {answered}")
    if digest.more_drills:
        drill_lines.append(f"…ほか {digest.more_drills}問")
    blocks += sections(drill_lines)

    if digest.hardest:
        lines = [bold("今週の自己評価（むずかしかった順）")]
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
        days = (
            f"毎日（{_day(digest.coming[0].local_date)}〜{_day(digest.coming[-1].local_date)}）" if len(digest.coming) == 7
            else "・".join(_day(o.local_date) for o in digest.coming)
        )
        clock = digest.coming[0].post_at.astimezone(_zone(digest)).strftime("%H:%M")
        blocks.append(section_text(bold("来週の予定") + f"\n{days}の {clock}（{escape_mrkdwn(digest.timezone)}）に出題します。"))
    else:
        blocks.append(section_text(bold("来週の予定") + "\nこの先7日間に予定されたドリルはありません。"))
    blocks.append(context("来週もスレッドでの回答をお待ちしています。"))
    return Message(text=f"{title}: ドリル{len(digest.drills) + digest.more_drills}問のふりかえりと来週の予定", blocks=fit(blocks), ephemeral=False)


def _zone(digest: WeeklyDigest) -> ZoneInfo:
    return ZoneInfo(digest.timezone)
