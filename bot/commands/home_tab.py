"""The App Home's interactions: an opening, the view a member's Home shows, the admin's
一時停止 / 再開, and the role cards and review queue its buttons open (and the buttons inside those).
Slack's listeners and the console both talk to this; how a view is published or a modal opened is
the adapter's business."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from bot.commands.router import CommandRouter
from bot.usecases.member_home import Home
from bot.views import home_blocks as ui
from bot.views.action_ids import Kind, action_id

REVIEW_TITLE = "復習"


class HomeTab:
    def __init__(self, home: Home, router: CommandRouter, clock: Callable[[], datetime]):
        self.home = home
        self.router = router
        self.clock = clock

    # ------------------------------------------------------------------ the Home itself

    def opened(self, user_id: str, *, team_id: str) -> bool:
        """Record that the member opened their Home; True if this opening should publish it."""
        return bool(user_id) and self.home.opened(user_id, self.clock(), team_id=team_id)

    def openers(self, user_ids: Sequence[str], *, team_id: str) -> set[str]:
        """Which of these members have opened their Home (only they get it republished)."""
        return self.home.openers(user_ids, team_id=team_id)

    def view(self, user_id: str, *, team_id: str, notice: str = "") -> dict[str, Any]:
        """The member's Home; `notice`, one line at its top (e.g. why a press changed nothing)."""
        return ui.home_view(self.home.data(user_id, self.clock(), notice, team_id=team_id))

    def toggle(self, user_id: str, value: str, *, team_id: str) -> str:
        """一時停止 / 再開 pressed on an admin's Home (`value`: the button's): the admin check is made
        again. Returns the line the republished Home shows: what happened, or why nothing did."""
        channel_id, want = ui.read_toggle(value)
        outcome = self.home.toggle(channel_id, user_id, self.clock(), want, team_id=team_id)
        return ui.toggle_notice(outcome, channel_id)

    # ------------------------------------------------------------------ modals its buttons open

    def role_card(self, user_id: str, slug: str, *, team_id: str) -> dict[str, Any]:
        """A role button: the role's card, as `/career <role>` answers it, in a modal."""
        role = self.router.catalog.by_slug(slug)
        message = self.router.handle_action(action_id(Kind.OPEN_ROLE), slug, user_id=user_id, team_id=team_id)
        title = (role.short_title or role.title) if role else "職種"
        return ui.modal(title, message)

    @staticmethod
    def review_loading() -> dict[str, Any]:
        return ui.loading_modal(REVIEW_TITLE)

    def review(self, user_id: str, *, team_id: str) -> dict[str, Any]:
        """The review queue, as `/career review` answers it, in a modal."""
        return ui.modal(REVIEW_TITLE, self.router.handle_command("review", user_id=user_id, team_id=team_id))

    def answer_in_modal(self, title: str, action: str, value: str, user_id: str, *, team_id: str) -> dict[str, Any]:
        """A /career button (`action`, its own action id) pressed inside a modal titled `title`: its
        answer, as the modal's next content."""
        return ui.modal(title, self.router.handle_action(action, value, user_id=user_id, team_id=team_id))
