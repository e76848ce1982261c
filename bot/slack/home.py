"""The App Home in Slack: which drill channels a member can see, publishing their Home, and the
debounced republish after anything that changes what it shows."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Sequence

from slack_sdk import WebClient

from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.slack.chat import _call
from bot.slack.client import ClientFor, per_team
from bot.usecases.home import Home
from bot.views.home_blocks import home_view

log = logging.getLogger(__name__)

MAX_MEMBER_PAGES = 10  # users.conversations: 2,000 private channels per member at most


class ChannelAccess:
    """Which schedule channels a member can see: public ones, and private ones they belong to.

    conversations.info says whether a channel is private (cached for `ttl`: that rarely changes);
    users.conversations lists a member's private channels (cached for `member_ttl`). A call that
    fails is not cached, and the channels it would have vouched for are left out of that Home:
    fewer channels rather than an error, and never a private channel to a non-member."""

    def __init__(self, client: "WebClient | ClientFor", ttl: float = 600.0, member_ttl: float = 60.0, monotonic: Callable[[], float] = time.monotonic):
        self.client: ClientFor = per_team(client)  # type: ignore[assignment]
        self.ttl = ttl
        self.member_ttl = member_ttl
        self.monotonic = monotonic
        # By workspace: each asks Slack with its own token, and sees only what it may.
        self._private: dict[tuple[str, str], tuple[bool | None, float]] = {}  # None: Slack knows no such channel
        self._members: dict[tuple[str, str], tuple[frozenset[str], float]] = {}
        self._lock = threading.Lock()

    def visible(self, user_id: str, channel_ids: Sequence[str], team_id: str = SINGLE_WORKSPACE) -> set[str]:
        seen: set[str] = set()
        private: list[str] = []
        for channel_id in channel_ids:
            is_private = self.is_private(channel_id, team_id)
            if is_private is False:
                seen.add(channel_id)
            elif is_private:
                private.append(channel_id)
        if private:
            mine = self.private_channels_of(user_id, team_id)
            seen.update(c for c in private if c in mine)
        return seen

    def is_private(self, channel_id: str, team_id: str = SINGLE_WORKSPACE) -> bool | None:
        now = self.monotonic()
        with self._lock:
            cached = self._private.get((team_id, channel_id))
        if cached and now - cached[1] < (self.ttl if cached[0] is not None else self.member_ttl):
            return cached[0]
        try:
            channel = _call(self.client(team_id).conversations_info, channel=channel_id).get("channel") or {}
        except ChatError as err:
            log.info("conversations.info failed for %s (%s); left out of the Home", channel_id, err.code)
            if err.code == "channel_not_found":
                # An answer, not a failure (a deleted channel, or a private one the bot is not in):
                # kept for a while, so that every Home publish does not ask again for each of them.
                with self._lock:
                    self._private[(team_id, channel_id)] = (None, now)
            return None
        value = bool(channel.get("is_private") or channel.get("is_group"))
        with self._lock:
            self._private[(team_id, channel_id)] = (value, now)
        return value

    def private_channels_of(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> frozenset[str]:
        now = self.monotonic()
        with self._lock:
            cached = self._members.get((team_id, user_id))
        if cached and now - cached[1] < self.member_ttl:
            return cached[0]
        found: set[str] = set()
        cursor = None
        try:
            for _ in range(MAX_MEMBER_PAGES):
                response = _call(self.client(team_id).users_conversations, user=user_id, types="private_channel", exclude_archived=True, limit=200, cursor=cursor)
                found.update(str(c.get("id")) for c in response.get("channels") or [] if c.get("id"))
                cursor = ((response.get("response_metadata") or {}).get("next_cursor")) or None
                if not cursor:
                    break
        except ChatError as err:
            log.info("users.conversations failed for %s (%s); their Home shows no private channel", user_id, err.code)
            return frozenset()
        value = frozenset(found)
        with self._lock:
            self._members[(team_id, user_id)] = (value, now)
        return value


class HomePublisher:
    """Builds a member's Home and publishes it with views.publish. A failed publish is logged (the
    error code only) and dropped: the next change or opening publishes it again. Nothing is written:
    an opening's claim already stamped the row, and a write here would queue behind the acks of
    other openings for the database's lock."""

    def __init__(self, client: "WebClient | ClientFor", home: Home, clock: Callable[[], datetime]):
        self.client: ClientFor = per_team(client)  # type: ignore[assignment]
        self.home = home
        self.clock = clock

    def publish(self, user_id: str, team_id: str = SINGLE_WORKSPACE, notice: str = "") -> bool:
        now = self.clock()
        try:
            view = home_view(self.home.data(user_id, now, notice, team_id=team_id))
            _call(self.client(team_id).views_publish, user_id=user_id, view=view)
        except ChatError as err:
            log.warning("views.publish failed for %s (%s); dropped", user_id, err.code)
            return False
        except Exception:  # noqa: BLE001 - a Home that cannot be built must not take its caller down
            log.exception("could not build the Home of %s; dropped", user_id)
            return False
        return True


def _timer(delay: float, run: Callable[[], None]) -> None:
    timer = threading.Timer(delay, run)
    timer.daemon = True
    timer.start()


class HomeRefresh:
    """`touch(user_id, team_id)`: that member's Home should show something new. Touches within `delay`
    seconds are coalesced (a busy thread does not become a storm of views.publish calls), only
    members who have opened their Home are published, and publishing runs on a timer thread, off the
    request that touched. At most `max_pending` members wait; touches beyond that are dropped (the
    next opening shows the current Home anyway).

    `schedule(delay, run)` starts the window (a daemon timer; tests pass one they fire themselves
    and call `flush()`)."""

    def __init__(
        self,
        publish: Callable[[str, str], object],  # (user id, team id)
        openers: Callable[[Sequence[str], str], set[str]],  # (user ids, team id) -> who opened it
        delay: float = 2.0,
        max_pending: int = 1000,
        schedule: Callable[[float, Callable[[], None]], None] = _timer,
    ):
        self.publish = publish
        self.openers = openers
        self.delay = delay
        self.max_pending = max_pending
        self.schedule = schedule
        self._pending: dict[tuple[str, str], None] = {}  # (team, user), an insertion-ordered set
        self._scheduled = False
        self._lock = threading.Lock()

    def touch(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> None:
        if not user_id:
            return
        key = (team_id, user_id)
        with self._lock:
            if key not in self._pending and len(self._pending) >= self.max_pending:
                log.warning("%d Home refreshes already pending; one dropped", len(self._pending))
                return
            self._pending[key] = None
            start = not self._scheduled
            self._scheduled = True
        if start:
            try:
                self.schedule(self.delay, self.flush)
            except Exception:  # noqa: BLE001 - e.g. no thread could be started: publish now rather than never
                log.exception("could not start the Home refresh timer; refreshing now")
                self.flush()

    def touch_all(self, user_ids: Iterable[str], team_id: str = SINGLE_WORKSPACE) -> None:
        for user_id in user_ids:
            self.touch(user_id, team_id)

    def discard(self) -> int:
        """Drop the pending refreshes (the app is stopping and its database may be gone); how many."""
        with self._lock:
            dropped = len(self._pending)
            self._pending.clear()
        return dropped

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._pending)

    def flush(self) -> int:
        """Publish every pending member's Home (those who have opened it); how many were published."""
        with self._lock:
            keys = list(self._pending)
            self._pending.clear()
            self._scheduled = False
        teams: dict[str, list[str]] = {}
        for team_id, user_id in keys:
            teams.setdefault(team_id, []).append(user_id)
        published = 0
        for team_id, users in teams.items():
            try:
                opened = self.openers(users, team_id)
            except Exception:  # noqa: BLE001 - the database did not answer: these refreshes are dropped
                log.exception("could not read who opened their Home; %d refreshes dropped", len(users))
                continue
            for user_id in users:
                if user_id not in opened:
                    continue
                try:
                    if self.publish(user_id, team_id) is not False:
                        published += 1
                except Exception:  # noqa: BLE001 - one member's failure must not stop the others'
                    log.exception("the Home refresh of %s failed; dropped", user_id)
        return published


@dataclass(frozen=True)
class HomeParts:
    """What the App Home's listeners and the hooks that republish it use, built once."""

    home: Home
    publisher: HomePublisher
    refresh: HomeRefresh
    clock: Callable[[], datetime]

    def refresh_home(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> None:
        self.refresh.touch(user_id, team_id)
