"""The App Home in Slack: publishing a member's Home, and the debounced republish after anything
that changes what it shows. What the Home shows is the HomeTab's (bot.commands.home_tab)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from slack_sdk import WebClient

from bot.commands.home_tab import HomeTab
from bot.domain.workspace import SINGLE_WORKSPACE
from bot.ports import ChatError
from bot.slack.chat import _call
from bot.slack.client import ClientFor, per_team

log = logging.getLogger(__name__)


class HomePublisher:
    """Builds a member's Home and publishes it with views.publish. A failed publish is logged (the
    error code only) and dropped: the next change or opening publishes it again. Nothing is written:
    an opening's claim already stamped the row, and a write here would queue behind the acks of
    other openings for the database's lock."""

    def __init__(self, client: WebClient | ClientFor, tab: HomeTab):
        self.client: ClientFor = per_team(client)  # type: ignore[assignment]
        self.tab = tab

    def publish(self, user_id: str, team_id: str = SINGLE_WORKSPACE, notice: str = "") -> bool:
        try:
            view = self.tab.view(user_id, team_id=team_id, notice=notice)
            _call(self.client(team_id).views_publish, user_id=user_id, view=view)
        except ChatError as err:
            log.warning("views.publish failed for %s (%s); dropped", user_id, err.code)
            return False
        except Exception:  # noqa: BLE001 - a Home that cannot be built must not take its caller down
            log.exception("could not build the Home of %s; dropped", user_id)
            return False
        return True


def _timer(delay: float, run: Callable[[], object]) -> None:
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
        schedule: Callable[[float, Callable[[], object]], None] = _timer,
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

    tab: HomeTab
    publisher: HomePublisher
    refresh: HomeRefresh

    def refresh_home(self, user_id: str, team_id: str = SINGLE_WORKSPACE) -> None:
        self.refresh.touch(user_id, team_id)
