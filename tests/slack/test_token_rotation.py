"""Token rotation: a workspace's bot token is refreshed once, under a lock that holds across
processes, and whoever waited for the lock uses the token the first one saved. On SQLite (a file)
and PostgreSQL."""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import pytest
from slack_bolt import App, BoltRequest
from slack_bolt.context.context import BoltContext
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore

from bot.slack.installations import Installations, TokenRefreshFailed
from bot.store.db import make_engine, upgrade
from bot.testing.rotation_race import (
    CLIENT_ID,
    CLIENT_SECRET,
    EXPIRES_IN,
    OAuthStandIn,
    install_expiring,
    run_race,
)
from bot.testing.signing import SIGNING_SECRET, signed_headers

TEAM = "T0ROTATE1"


@pytest.fixture
def stand_in():
    server = OAuthStandIn().start()
    yield server
    server.stop()


@pytest.fixture
def held_stand_in():
    """For races: alone, a refresh is answered after 1.5 s, so an unlocked second process always
    overlaps it; a second refresh call arriving meanwhile releases both."""
    server = OAuthStandIn(hold_until_calls=2, hold_seconds=1.5).start()
    yield server
    server.stop()


@pytest.fixture
def database(db_url):
    engine = make_engine(db_url)
    upgrade(engine, db_url)
    yield db_url, engine, SQLAlchemyInstallationStore(client_id=CLIENT_ID, engine=engine)
    engine.dispose()


def now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def installations_for(engine, store, stand_in: OAuthStandIn, clock) -> Installations:
    return Installations(engine, store, CLIENT_ID, CLIENT_SECRET, stand_in.url, refresh_before=timedelta(minutes=120), clock=clock)


def test_a_fresh_token_is_used_without_calling_slack(database, stand_in):
    _url, engine, store = database
    start = now()
    token, _refresh = install_expiring(store, stand_in, TEAM, expires_at=start + timedelta(hours=5))
    installations = installations_for(engine, store, stand_in, clock=lambda: start)

    assert installations.bot_token(TEAM) == token
    assert stand_in.refresh_calls() == []


def test_an_expiring_token_is_refreshed_once_saved_and_used(database, stand_in):
    _url, engine, store = database
    start = now()
    old_token, old_refresh = install_expiring(store, stand_in, TEAM, expires_at=start + timedelta(minutes=30))
    installations = installations_for(engine, store, stand_in, clock=lambda: start)

    token = installations.bot_token(TEAM)

    assert token != old_token
    assert [(call.refresh_token, call.outcome) for call in stand_in.refresh_calls()] == [(old_refresh, "ok")]
    saved = store.find_bot(enterprise_id=None, team_id=TEAM)
    assert saved.bot_token == token
    assert saved.bot_refresh_token in stand_in.live  # the one refresh token Slack still honours
    assert saved.bot_token_expires_at >= (start + timedelta(seconds=EXPIRES_IN - 60)).timestamp()
    # Bolt's own readers (find_installation) see the new token too.
    assert store.find_installation(enterprise_id=None, team_id=TEAM).bot_token == token
    # The next lookup uses the saved token.
    assert installations.bot_token(TEAM) == token
    assert len(stand_in.refresh_calls()) == 1


def test_two_processes_racing_refresh_once_and_share_the_new_token(database, held_stand_in):
    url, _engine, store = database
    install_expiring(store, held_stand_in, TEAM, expires_at=now() + timedelta(minutes=10))

    outcomes = run_race(url, held_stand_in.url, TEAM, locked=True)

    calls = held_stand_in.refresh_calls()
    assert [call.outcome for call in calls] == ["ok"]  # one refresh reached Slack, and it worked
    saved = store.find_bot(enterprise_id=None, team_id=TEAM)
    assert outcomes == [("token", saved.bot_token), ("token", saved.bot_token)]
    assert saved.bot_token.startswith(f"xoxb-{TEAM}-rotated-")
    assert saved.bot_refresh_token in held_stand_in.live


def test_a_request_and_the_scheduler_in_one_process_refresh_once(database, held_stand_in):
    _url, engine, store = database
    install_expiring(store, held_stand_in, TEAM, expires_at=now() + timedelta(minutes=10))
    installations = installations_for(engine, store, held_stand_in, clock=now)
    start = threading.Barrier(2, timeout=5)
    tokens: list[str | None] = []

    def look_up() -> None:
        start.wait()
        tokens.append(installations.bot_token(TEAM))

    threads = [threading.Thread(target=look_up) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=8)

    assert [call.outcome for call in held_stand_in.refresh_calls()] == ["ok"]
    saved = store.find_bot(enterprise_id=None, team_id=TEAM)
    assert tokens == [saved.bot_token, saved.bot_token]


def test_without_the_lock_bolts_own_authorize_spends_the_refresh_token_twice(database, held_stand_in):
    """The bug this module exists for, on the SDK's unlocked path: both processes refresh with the
    same refresh token; Slack honours the first, and the other request goes unauthorised."""
    url, _engine, store = database
    install_expiring(store, held_stand_in, TEAM, expires_at=now() + timedelta(minutes=10))

    outcomes = run_race(url, held_stand_in.url, TEAM, locked=False)

    assert sorted(call.outcome for call in held_stand_in.refresh_calls()) == ["invalid_refresh_token", "ok"]
    saved = store.find_bot(enterprise_id=None, team_id=TEAM)
    assert sorted(outcomes, key=lambda o: o[1] or "") == [("token", None), ("token", saved.bot_token)]


def test_a_refused_refresh_keeps_a_token_that_has_not_expired_yet(database, stand_in):
    _url, engine, store = database
    start = now()
    token, _refresh = install_expiring(
        store, stand_in, TEAM, expires_at=start + timedelta(minutes=30), refresh_token="xoxe-1-already-spent"
    )
    stand_in.live.clear()  # Slack no longer honours it
    installations = installations_for(engine, store, stand_in, clock=lambda: start)

    assert installations.bot_token(TEAM) == token
    assert [call.outcome for call in stand_in.refresh_calls()] == ["invalid_refresh_token"]


def test_an_expired_token_that_cannot_be_refreshed_is_an_error_naming_the_team(database, stand_in):
    _url, engine, store = database
    start = now()
    install_expiring(store, stand_in, TEAM, expires_at=start - timedelta(minutes=1), refresh_token="xoxe-1-already-spent")
    stand_in.live.clear()
    installations = installations_for(engine, store, stand_in, clock=lambda: start)

    with pytest.raises(TokenRefreshFailed, match=TEAM):
        installations.bot_token(TEAM)
    context = BoltContext(client=WebClient(base_url=stand_in.url))
    assert installations.authorize(context=context, enterprise_id=None, team_id=TEAM, user_id="U0MEMBER1") is None


def test_a_workspace_that_is_not_installed_has_no_token(database, stand_in):
    _url, engine, store = database
    installations = installations_for(engine, store, stand_in, clock=now)

    assert installations.bot_token("T0NOTHERE") is None


def test_a_grid_workspace_is_found_by_its_team_alone_as_the_scheduler_asks(database, stand_in):
    from slack_sdk.oauth.installation_store import Installation

    _url, engine, store = database
    store.save(
        Installation(
            app_id="A0001",
            enterprise_id="E0GRID001",
            team_id="T0INGRID1",
            user_id="U0INSTALL",
            bot_token="xoxb-grid-workspace",
            bot_id="B0GRID001",
            bot_user_id="UBOTGRID1",
            bot_scopes=["chat:write"],
        )
    )
    installations = installations_for(engine, store, stand_in, clock=now)

    # A drill records its team only; a request knows the enterprise too. Both find the workspace.
    assert installations.bot_token("T0INGRID1") == "xoxb-grid-workspace"
    assert installations.bot_token("T0INGRID1", "E0GRID001") == "xoxb-grid-workspace"
    assert installations.bot_token("T0INGRID1", "E0OTHER01") is None
    installations.delete("T0INGRID1", "E0GRID001")
    assert installations.bot_token("T0INGRID1") is None


def test_delete_forgets_the_workspace_and_keeps_the_others(database, stand_in):
    _url, engine, store = database
    start = now()
    install_expiring(store, stand_in, TEAM, expires_at=start + timedelta(hours=5))
    other_token, _ = install_expiring(store, stand_in, "T0OTHER01", expires_at=start + timedelta(hours=5))
    installations = installations_for(engine, store, stand_in, clock=lambda: start)

    installations.delete(TEAM)

    assert installations.bot_token(TEAM) is None
    assert store.find_bot(enterprise_id=None, team_id=TEAM) is None
    assert store.find_installation(enterprise_id=None, team_id=TEAM) is None
    assert installations.bot_token("T0OTHER01") == other_token


def test_a_request_through_bolt_with_an_oauth_flow_carries_the_refreshed_token(database, stand_in):
    """How the app is wired in OAuth mode: Bolt keeps its install pages (oauth_settings) and takes
    our authorize, which must be an Authorize instance for Bolt to accept it beside them."""
    _url, engine, store = database
    start = now()
    old_token, _ = install_expiring(store, stand_in, TEAM, expires_at=start + timedelta(minutes=30))
    installations = installations_for(engine, store, stand_in, clock=lambda: start)
    app = App(
        signing_secret=SIGNING_SECRET,
        client=WebClient(base_url=stand_in.url),
        installation_store=store,
        oauth_settings=OAuthSettings(
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            scopes=["chat:write", "commands"],
            installation_store=store,
            state_store=SQLAlchemyOAuthStateStore(expiration_seconds=600, engine=engine),
        ),
        authorize=installations.authorize,
    )
    seen: list[tuple] = []

    @app.command("/career")
    def record(ack, context, client):
        seen.append((client.token, context.bot_user_id, context.bot_id, context.team_id))
        ack()

    body = urlencode(
        {
            "team_id": TEAM,
            "user_id": "U0MEMBER1",
            "channel_id": "C0STUDY01",
            "command": "/career",
            "text": "help",
            "response_url": "",
            "trigger_id": "1.2.3",
        }
    )
    response = app.dispatch(BoltRequest(body=body, headers=signed_headers(body, "application/x-www-form-urlencoded")))

    assert response.status == 200
    new_token = store.find_bot(enterprise_id=None, team_id=TEAM).bot_token
    assert new_token != old_token
    assert seen == [(new_token, f"UBOT{TEAM}", f"B{TEAM}", TEAM)]
    assert app.oauth_flow is not None and app.oauth_flow.install_path == "/slack/install"


def test_no_token_or_secret_is_logged_at_any_level(database, stand_in, caplog):
    _url, engine, store = database
    start = now()
    old_token, old_refresh = install_expiring(store, stand_in, TEAM, expires_at=start + timedelta(minutes=30))
    logging.getLogger("slack_sdk").setLevel(logging.NOTSET)  # as a fresh process has it
    caplog.set_level(logging.DEBUG)
    installations = installations_for(engine, store, stand_in, clock=lambda: start)

    token = installations.bot_token(TEAM)
    installations.delete(TEAM)

    assert [call.outcome for call in stand_in.refresh_calls()] == ["ok"]
    assert TEAM in caplog.text  # the outcome is logged, with the team …
    for secret in (old_token, old_refresh, token, CLIENT_SECRET, *stand_in.live):
        assert secret not in caplog.text  # … and never a token
