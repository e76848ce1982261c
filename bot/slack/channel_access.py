"""Which drill channels a member can see in Slack: public ones, and private ones they belong to.
The App Home and `schedule list` ask the same cache."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence

from slack_sdk import WebClient

from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.slack.chat import _call
from bot.slack.client import ClientFor, per_team

log = logging.getLogger(__name__)

MAX_MEMBER_PAGES = 10  # users.conversations: 2,000 private channels per member at most


class ChannelAccess:
    """Which schedule channels a member can see: public ones, and private ones they belong to.

    conversations.info says whether a channel is private (cached for `ttl`: that rarely changes);
    users.conversations lists a member's private channels (cached for `member_ttl`). A call that
    fails is not cached, and the channels it would have vouched for are left out of that Home:
    fewer channels rather than an error, and never a private channel to a non-member."""

    def __init__(
        self, client: WebClient | ClientFor, ttl: float = 600.0, member_ttl: float = 60.0, monotonic: Callable[[], float] = time.monotonic
    ):
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
                response = _call(
                    self.client(team_id).users_conversations,
                    user=user_id,
                    types="private_channel",
                    exclude_archived=True,
                    limit=200,
                    cursor=cursor,
                )
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
