"""A channel's leaderboard: who answered most drills on time in a period, their current streaks,
and the group's weekly participation. Members are named by display name, never mentioned, so a
shared board pings no one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.domain.progress import channel_streaks
from bot.domain.standings import TOP, Answer, Board, Entry, period_start, rank, trend_start, weekly_trend
from bot.store import answers, channel_records, schedules


class Leaderboard:
    def __init__(self, sessions: sessionmaker[Session], name_of: Callable[[str, str], str], default_timezone: str, limit: int = TOP):
        self.sessions = sessions
        self.name_of = name_of  # (user id, team id) -> display name
        self.default_timezone = default_timezone
        self.limit = limit

    def board(self, channel_id: str, period: str, now: datetime, *, team_id: str) -> Board:
        """The channel's standings for `period` ("week", "month" or "all") as of `now`, over the
        drills of the asker's workspace `team_id` (in a shared channel another workspace's drills
        are its own), whose names are looked up there too."""
        since = period_start(period, now)
        with self.sessions() as session:
            zone = schedules.channel_zone(session, channel_id, team_id=team_id) or self.default_timezone
            trend_since = trend_start(now, zone)
            earliest = None if since is None else min(since, trend_since)
            posted = channel_records.shown_drill_times(session, channel_id, earliest, team_id=team_id)
            answer_times = [Answer(*row) for row in channel_records.channel_answer_times(session, channel_id, earliest, team_id=team_id)]
            history = answers.shown_history(session, channel_id, team_id=team_id)
            streaks = channel_streaks(history, answers.channel_answers(session, channel_id, team_id=team_id))
        in_period = [a for a in answer_times if a.drill_id in posted and (since is None or posted[a.drill_id] >= since)]
        top = rank(in_period, streaks, self.limit)
        # Names are asked for after the session is closed: users.info may take a moment.
        entries = [Entry(s.user_id, self.name_of(s.user_id, team_id), s.answered, s.streak) for s in top]
        return Board(
            period=period,
            since=since,
            zone=zone,
            entries=entries,
            members=len({a.user_id for a in in_period}),
            drills=sum(1 for at in posted.values() if since is None or at >= since),
            trend=weekly_trend(posted, answer_times, zone, now),
            ever=bool(history),
        )
