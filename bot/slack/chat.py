"""The drill's chat port, implemented with the Web API; and who counts as an admin."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackRequestError

from bot.domain.announcements import Reminder, WeeklyDigest
from bot.domain.answer_feedback import AnswerFeedback
from bot.domain.drill import DrillPost, DrillReveal
from bot.domain.mock_interview import MockMessage
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import AdminCheckFailed, ChatError, Message, ThreadMessage
from bot.slack.client import ClientFor, per_team
from bot.views import announcement_blocks, drill_blocks, feedback_blocks, mock_blocks

log = logging.getLogger(__name__)


def _call(fn: Callable, **kwargs):
    """Run a Web API call, turning every failure into a ChatError that says whether to retry."""
    try:
        return fn(**kwargs)
    except SlackApiError as err:
        status = getattr(err.response, "status_code", 0) or 0
        code = _error_code(err.response, status)
        retryable = (
            status == 429
            or status >= 500
            or code in ("ratelimited", "internal_error", "fatal_error", "service_unavailable", "request_timeout")
        )
        raise ChatError(
            code,
            retryable=retryable,
            retry_after=_retry_after(err.response) if status == 429 else None,
            needed=_needed(err.response) if code == "missing_scope" else None,
        ) from None
    except (OSError, TimeoutError) as err:  # connection refused, reset, timed out (after the SDK's own retries)
        raise ChatError(f"connection_error: {type(err).__name__}", retryable=True) from None


def _error_code(response, status: int) -> str:
    if response is None:
        return "unknown_error"
    try:
        return str(response.get("error") or f"http_{status}")
    except (AttributeError, TypeError, ValueError):  # a body that is not JSON (a proxy's HTML page)
        return f"http_{status}"


def _needed(response) -> str | None:
    """The scope(s) a `missing_scope` answer says the token lacks, as Slack names them."""
    try:
        needed = response.get("needed")
    except (AttributeError, TypeError, ValueError):
        return None
    if not isinstance(needed, str) or not needed.strip():
        return None
    return needed.strip()[:200]


def _retry_after(response) -> float | None:
    headers = getattr(response, "headers", None) or {}
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, (list, tuple)) else value
            try:
                return max(1.0, float(raw))
            except (TypeError, ValueError):
                return None
    return None


METADATA_EVENT = "career_drill"
# A busy channel or thread since the drill's post time: 5 pages of 200 messages.
MAX_LOOKUP_PAGES = 5


class SlackChat:
    """Calls made while a drill is claimed go through `poster` (bounded: no blind retries, a short
    wait after a 429 at most); other reads go through `reader`."""

    def __init__(self, poster: WebClient, reader: WebClient | None = None):
        self.poster = poster
        self.reader = reader or poster

    def _post_tagged(self, channel_id: str, message: Message, key: str, thread_ts: str | None = None, **extra) -> str:
        """Post under a claim, tagged with `key` in the message metadata so that a retry after an
        unknown outcome can find it (`find_posted`); returns the message's ts."""
        thread = {"thread_ts": thread_ts} if thread_ts else {}
        response = _call(
            self.poster.chat_postMessage,
            channel=channel_id,
            text=message.text,
            blocks=message.blocks,
            unfurl_links=False,
            metadata=_metadata(key),
            **thread,
            **extra,
        )
        return str(response["ts"])

    def post_question(self, channel_id: str, post: DrillPost, key: str) -> str:
        return self._post_tagged(channel_id, drill_blocks.drill_post(post), key)

    def post_reveal(self, channel_id: str, thread_ts: str, reveal: DrillReveal, key: str) -> str:
        return self._post_tagged(channel_id, drill_blocks.drill_reveal(reveal), key, thread_ts=thread_ts)

    def find_posted(self, channel_id: str, key: str, since: datetime, thread_ts: str | None = None) -> str | None:
        """The ts of a message this bot posted with `key`, in the channel since `since` (or in a
        thread). Runs inside a claim, so it uses the claim client, and reads a bounded number of pages."""
        oldest = f"{since.timestamp() - 60:.6f}"
        cursor = None
        for _ in range(MAX_LOOKUP_PAGES):
            if thread_ts:
                response = _call(
                    self.poster.conversations_replies,
                    channel=channel_id,
                    ts=thread_ts,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            else:
                response = _call(
                    self.poster.conversations_history,
                    channel=channel_id,
                    oldest=oldest,
                    include_all_metadata=True,
                    limit=200,
                    cursor=cursor,
                )
            for message in response.get("messages") or []:
                metadata = message.get("metadata") or {}
                if metadata.get("event_type") == METADATA_EVENT and (metadata.get("event_payload") or {}).get("key") == key:
                    return str(message["ts"])
            cursor = ((response.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                return None
        log.warning("did not find %s in %s within %d pages; treating it as not posted", key, channel_id, MAX_LOOKUP_PAGES)
        return None

    def thread_messages(self, channel_id: str, thread_ts: str) -> list[ThreadMessage]:
        """Who posted in a thread and when; the text is dropped at once and never kept."""
        found: list[ThreadMessage] = []
        cursor = None
        for _ in range(10):  # bounded: 2,000 replies
            response = _call(self.reader.conversations_replies, channel=channel_id, ts=thread_ts, limit=200, cursor=cursor)
            for message in response.get("messages") or []:
                found.append(
                    ThreadMessage(
                        ts=str(message.get("ts", "")),
                        user_id=message.get("user"),
                        subtype=message.get("subtype"),
                        bot=bool(message.get("bot_id")),
                    )
                )
            cursor = ((response.get("response_metadata") or {}).get("next_cursor")) or None
            if not cursor:
                break
        return found

    def mark_revealed(self, channel_id: str, ts: str, post: DrillPost) -> None:
        message = drill_blocks.drill_post(post)
        _call(self.poster.chat_update, channel=channel_id, ts=ts, text=message.text, blocks=message.blocks)

    def notify(self, user_id: str, text: str) -> None:
        _call(self.poster.chat_postMessage, channel=user_id, text=text)

    def post_feedback(self, channel_id: str, thread_ts: str, user_id: str, feedback: AnswerFeedback) -> None:
        message = feedback_blocks.answer_feedback(feedback)
        _call(
            self.poster.chat_postEphemeral, channel=channel_id, user=user_id, thread_ts=thread_ts, text=message.text, blocks=message.blocks
        )

    def post_reminder(self, channel_id: str, thread_ts: str, reminder: Reminder, key: str) -> str:
        return self._post_tagged(channel_id, announcement_blocks.reminder_message(reminder), key, thread_ts=thread_ts)

    def post_digest(self, channel_id: str, digest: WeeklyDigest, key: str) -> str:
        return self._post_tagged(channel_id, announcement_blocks.digest_message(digest), key, unfurl_media=False)

    def open_dm(self, user_id: str) -> str:
        opened = _call(self.reader.conversations_open, users=user_id)
        dm = (opened.get("channel") or {}).get("id")
        if not dm:
            raise ChatError("channel_not_found", retryable=False)
        return str(dm)

    def post_mock(self, channel_id: str, thread_ts: str | None, message: MockMessage, key: str) -> str:
        return self._post_tagged(channel_id, mock_blocks.mock_message(message), key, thread_ts=thread_ts)

    def say(self, channel_id: str, message: Message, thread_ts: str | None = None) -> str:
        thread = {"thread_ts": thread_ts} if thread_ts else {}
        response = _call(
            self.reader.chat_postMessage, channel=channel_id, text=message.text, blocks=message.blocks, unfurl_links=False, **thread
        )
        return str(response["ts"])

    def upload_file(self, user_id: str, filename: str, content: bytes, title: str, comment: str) -> None:
        """The member's DM with the bot (conversations.open), then slack_sdk's files_upload_v2:
        files.getUploadURLExternal, a POST of the bytes to the upload_url it returns, then
        files.completeUploadExternal, which shares the file in the DM. The upload goes through the
        posting client, which retries only a 429 (Slack did nothing): a 5xx or a timeout on
        files.completeUploadExternal may already have shared the file, and a blind retry would
        share it twice."""
        opened = _call(self.reader.conversations_open, users=user_id)
        dm = (opened.get("channel") or {}).get("id")
        if not dm:
            raise ChatError("channel_not_found", retryable=False)
        try:
            _call(self.poster.files_upload_v2, channel=dm, content=content, filename=filename, title=title, initial_comment=comment)
        except SlackRequestError:  # the upload_url did not take the bytes
            raise ChatError("upload_failed", retryable=True) from None

    def bot_in_channel(self, channel_id: str) -> bool | None:
        """False only when Slack says so; None when we cannot tell (e.g. missing scope)."""
        try:
            info = _call(self.reader.conversations_info, channel=channel_id)
        except ChatError as err:
            if err.code == "channel_not_found":
                return False
            return None
        member = (info.get("channel") or {}).get("is_member")
        return None if member is None else bool(member)


def _metadata(key: str) -> dict:
    return {"event_type": METADATA_EVENT, "event_payload": {"key": key}}


class Profiles:
    """Slack's users.info for each member, cached for `ttl` seconds: the admin check and the time
    zone read the same answer. A failed call is not cached; the last answer stays available."""

    def __init__(self, client: WebClient | ClientFor | None, ttl: float = 300.0, monotonic: Callable[[], float] = time.monotonic):
        self.client = per_team(client)  # the member's workspace's client, by team id
        self.ttl = ttl
        self.monotonic = monotonic
        # By (team, user): a member is asked about with their own workspace's token.
        self._cache: dict[tuple[str, str], tuple[dict, float]] = {}
        self._lock = threading.Lock()

    def get(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> dict:
        """The member's users.info `user`. Raises ChatError when Slack could not be asked."""
        now = self.monotonic()
        with self._lock:
            cached = self._cache.get((team_id, user_id))
        if cached and now - cached[1] < self.ttl:
            return cached[0]
        assert self.client is not None
        user = _call(self.client(team_id).users_info, user=user_id).get("user") or {}
        with self._lock:
            self._cache[(team_id, user_id)] = (user, now)
        return user

    def name_of(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> str:
        """How the member is shown without a mention (which would ping them): their display name,
        else their full name, else their user id. Raw: the view escapes it like any user text."""
        try:
            user = self.get(user_id, team_id) if self.client is not None and user_id else {}
        except ChatError as err:
            user = self.last_seen(user_id, team_id) or {}
            log.info("users.info failed for %s (%s); showing %s", user_id, err.code, "the name last seen" if user else "the user id")
        profile = user.get("profile") or {}
        for name in (profile.get("display_name"), profile.get("real_name"), user.get("real_name"), user.get("name")):
            if isinstance(name, str) and name.strip():
                return name.strip()
        return user_id

    def last_seen(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> dict | None:
        with self._lock:
            cached = self._cache.get((team_id, user_id))
        return cached[0] if cached else None

    def cached(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> dict | None:
        """The member's users.info answer if it is cached and fresh, without calling Slack."""
        with self._lock:
            cached = self._cache.get((team_id, user_id))
        return cached[0] if cached and self.monotonic() - cached[1] < self.ttl else None


class Admins:
    """ADMIN_USER_IDS, plus Slack workspace admins and owners (users.info, cached briefly).

    An entry of ADMIN_USER_IDS is a user id (`U…`, or `W…` on Enterprise Grid), an admin in any
    workspace the bot is installed in, or `T…:U…`, an admin in that workspace only. Whether Slack
    calls someone an admin or owner is asked of their own workspace."""

    def __init__(self, profiles: Profiles, admin_ids: Iterable[str]):
        self.profiles = profiles
        self.admin_ids = frozenset(admin_ids)

    def listed(self, user_id: str, team_id: str) -> bool:
        return user_id in self.admin_ids or f"{team_id}:{user_id}" in self.admin_ids

    def is_admin(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> bool:
        """Raises AdminCheckFailed when Slack could not be asked."""
        if self.listed(user_id, team_id):
            return True
        if self.profiles.client is None or not user_id:
            return False
        try:
            user = self.profiles.get(user_id, team_id)
        except ChatError as err:
            # Slack did not answer, or refused to say (a missing scope, a revoked token, a user it
            # does not know): say so rather than tell a real admin they are not one.
            log.warning("users.info failed for %s (%s); the admin check could not be made", user_id, err.code)
            raise AdminCheckFailed(user_id, err.code, err.retryable, err.needed) from None
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))

    def known(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> bool | None:
        """The admin check from memory only (ADMIN_USER_IDS and the cached profile), for when a
        call to Slack would cost time the caller does not have (a modal's trigger expires in 3 s):
        None when only users.info could tell."""
        if self.listed(user_id, team_id):
            return True
        if self.profiles.client is None or not user_id:
            return False
        user = self.profiles.cached(user_id, team_id)
        if user is None:
            return None
        return bool(user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"))


class TimeZones:
    """Each member's time zone from their Slack profile (users.info `tz`); None when Slack does not
    say or cannot be asked, and the caller falls back to DEFAULT_TIMEZONE."""

    def __init__(self, profiles: Profiles):
        self.profiles = profiles

    def of(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> str | None:
        if self.profiles.client is None or not user_id:
            return None
        try:
            user = self.profiles.get(user_id, team_id)
        except ChatError as err:
            # A zone we knew, even an old one, beats the default: a member's local day must not
            # flip between two presses because Slack did not answer once.
            user = self.profiles.last_seen(user_id, team_id) or {}
            log.warning(
                "users.info failed for %s (%s); using %s", user_id, err.code, "the zone last seen" if user else "the default time zone"
            )
        return _valid_zone(user.get("tz"))

    def known(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> str | None:
        """The zone last read from the member's profile, without calling Slack (None: never read)."""
        return _valid_zone((self.profiles.last_seen(user_id, team_id) or {}).get("tz"))


def _valid_zone(name: object) -> str | None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not isinstance(name, str) or not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name
