"""The App Home: its opening, and the buttons on it and in the modals it opens.

`app_home_opened` keeps its short database write (who opened it, and whether this delivery should
publish) before the 200, so Slack retries it if the write fails; the publish follows from a lazy
listener. Home buttons have no response_url: a role card or the review queue opens in a modal
(views.open with the press's trigger, valid for 3 s), and a button inside that modal replaces the
modal's content (views.update)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot.commands.home_tab import REVIEW_TITLE, HomeTab
from bot.commands.router import CommandRouter
from bot.ports import ChatError
from bot.slack.chat import _call
from bot.slack.client import at_once
from bot.slack.home_publisher import HomePublisher
from bot.slack.teams import TeamOf
from bot.views import home_blocks as ui
from bot.views.blocks import notice

log = logging.getLogger(__name__)

PUBLISH = "home_publish"  # set by the ack listener in the request's context, read by the lazy one
FAILED = "⚠️ うまく処理できませんでした。もう一度お試しください。"
BUSY = "⚠️ Slack が混み合っているため、画面を開けませんでした。少し待ってから、もう一度ボタンを押してください。"
MODAL_TITLE = "キャリア面接ドリル"  # a modal's title when its payload has none
# `busy()`: what a Home button does when Slack rate-limits its views.open (say so on the Home).
Busy = Callable[[], object]


def record_opening(event: dict, context: BoltContext, tab: HomeTab, team_id: str) -> None:
    context[PUBLISH] = event.get("tab") == "home" and tab.opened(event.get("user") or "", team_id=team_id)


def publish_opening(event: dict, context: BoltContext, publisher: HomePublisher, team_id: str) -> None:
    if context.get(PUBLISH):
        publisher.publish(event.get("user") or "", team_id)


def _user(body: dict) -> str:
    return (body.get("user") or {}).get("id", "")


def open_role(body: dict, action: dict, client: WebClient, tab: HomeTab, team_id: str, busy: Busy = lambda: None) -> None:
    _open(client, body, tab.role_card(_user(body), action.get("value") or "", team_id=team_id), busy)


def open_review(body: dict, client: WebClient, tab: HomeTab, team_id: str, busy: Busy = lambda: None) -> None:
    """The modal opens first, with the press's trigger; the card (a database read) follows."""
    opened = _open(client, body, tab.review_loading(), busy)
    if opened is None:
        return
    try:
        view = tab.review(_user(body), team_id=team_id)
    except Exception:  # noqa: BLE001 - the member is looking at the modal: say it failed there
        log.exception("the review queue of %s could not be read", _user(body))
        view = ui.modal(REVIEW_TITLE, notice(FAILED))
    _update(client, opened, view)


def press_in_modal(
    body: dict, action: dict, client: WebClient, tab: HomeTab, router: CommandRouter, refresh: Callable[[str, str], None], team_id: str
) -> None:
    original = ui.original_action(action.get("action_id") or "")
    view = body.get("view") or {}
    if original is None or not view.get("id"):
        log.info("ignored a modal button without a view or an action of ours")
        return
    user_id, value = _user(body), action.get("value") or ""
    title = ((view.get("title") or {}).get("text")) or MODAL_TITLE
    try:
        answer = tab.answer_in_modal(title, original, value, user_id, team_id=team_id)
    except Exception:  # noqa: BLE001 - answer in the modal rather than leave the press unanswered
        log.exception("a modal button (%s) from %s failed", original, user_id)
        answer = ui.modal(title, notice(FAILED))
    _update(client, view["id"], answer)
    if router.press_changes_home(original, value):
        refresh(user_id, team_id)


def toggle_schedule(body: dict, action: dict, tab: HomeTab, publisher: HomePublisher, team_id: str) -> None:
    """一時停止 / 再開 on an admin's Home: the Home is republished with a line saying what happened
    (or why nothing did)."""
    user_id = _user(body)
    publisher.publish(user_id, team_id, notice=tab.toggle(user_id, action.get("value") or "", team_id=team_id))


def _open(client: WebClient, body: dict, view: dict, busy: Busy = lambda: None) -> str | None:
    try:
        # Never waits out a 429: the trigger expires 3 s after the press.
        response = _call(at_once(client).views_open, trigger_id=body.get("trigger_id") or "", view=view)
    except ChatError as err:
        log.warning("views.open failed for %s (%s)", _user(body), err.code)
        if err.retry_after is not None or err.code == "ratelimited":
            busy()
        return None
    return str((response.get("view") or {}).get("id") or "") or None


def _update(client: WebClient, view_id: str, view: dict) -> None:
    try:
        _call(client.views_update, view_id=view_id, view=view)
    except ChatError as err:
        log.warning("views.update failed for view %s (%s)", view_id, err.code)


def register(
    app: App, tab: HomeTab, publisher: HomePublisher, router: CommandRouter, refresh: Callable[[str, str], None], team_of: TeamOf
) -> None:
    def ack_opening(ack: Ack, event: dict, context: BoltContext) -> None:
        record_opening(event, context, tab, team_of(context))
        ack()

    def lazy_opening(event: dict, context: BoltContext) -> None:
        publish_opening(event, context, publisher, team_of(context))

    def ack_only(ack: Ack) -> None:
        ack()

    def busy(body: dict, context: BoltContext) -> Busy:
        return lambda: publisher.publish(_user(body), team_of(context), notice=BUSY)

    def lazy_role(body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        open_role(body, action, client, tab, team_of(context), busy(body, context))

    def lazy_review(body: dict, client: WebClient, context: BoltContext) -> None:
        open_review(body, client, tab, team_of(context), busy(body, context))

    def lazy_modal_press(body: dict, action: dict, client: WebClient, context: BoltContext) -> None:
        press_in_modal(body, action, client, tab, router, refresh, team_of(context))

    def lazy_toggle(body: dict, action: dict, context: BoltContext) -> None:
        toggle_schedule(body, action, tab, publisher, team_of(context))

    app.event("app_home_opened")(ack=ack_opening, lazy=[lazy_opening])
    app.action(ui.ROLE_ACTION)(ack=ack_only, lazy=[lazy_role])
    app.action(ui.REVIEW)(ack=ack_only, lazy=[lazy_review])
    app.action(ui.IN_MODAL_ACTION)(ack=ack_only, lazy=[lazy_modal_press])
    app.action(ui.SCHEDULE_TOGGLE)(ack=ack_only, lazy=[lazy_toggle])
