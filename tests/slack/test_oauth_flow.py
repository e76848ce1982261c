"""Installing the app in a workspace (OAuth mode), through the real web process (bot.web.WebApp over
a Bolt App with our flow), the stand-in Web API and a migrated database, on SQLite and PostgreSQL:
the install page, a completed install, every way one fails (each with a Japanese page and nothing
stored), and no token in any log record, page or /healthz at any log level."""

from __future__ import annotations

import http.client
import logging
import re
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from html import unescape
from socketserver import ThreadingMixIn
from urllib.parse import parse_qs, urlencode, urlsplit
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation
from sqlalchemy import func, select, text

from bot.config import load_settings
from bot.slack.oauth import STATES_PER_MINUTE, OAuthParts, build_oauth_flow
from bot.store.db import make_engine, upgrade
from bot.testing.fakes import Clock
from bot.testing.slack_api import StubSlackApi
from bot.views.oauth_pages import (
    BUSY,
    CANCELLED,
    INVALID_LINK,
    NOT_SAVED,
    OTHER_BROWSER,
    SERVER_ERROR,
)
from bot.web import WebApp

CLIENT_ID = "111.222"
CLIENT_SECRET = "client-secret-not-real"
SIGNING_SECRET = "signing-secret-not-real"
TOKEN_A = "xoxe.xoxb-1-TOKEN-FOR-TEAM-A"
REFRESH_A = "xoxe-1-REFRESH-FOR-TEAM-A"
TOKEN_B = "xoxb-TOKEN-FOR-TEAM-B"
COOKIE = "slack-app-oauth-state"
MANIFEST_SCOPES = "commands,chat:write,channels:history,groups:history,channels:read,groups:read,users:read,im:write,files:write,files:read,im:history,assistant:write"


class _Server(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


@dataclass
class Page:
    status: int
    headers: dict[str, str]
    text: str


@dataclass
class Installer:
    """The web process in OAuth mode, and a browser that keeps the state cookie."""

    parts: OAuthParts
    engine: object
    url: str
    installed: list[Installation] = field(default_factory=list)
    cookie: str | None = None

    def get(self, path: str, query: dict | None = None, cookie: str | None = None, method: str = "GET") -> Page:
        target = path + ("?" + urlencode(query) if query else "")
        host, port = urlsplit(self.url).netloc.split(":")
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {"Cookie": f"{COOKIE}={cookie}"} if cookie else {}
        connection.request(method, target, headers=headers)
        response = connection.getresponse()
        page = Page(response.status, {k.lower(): v for k, v in response.getheaders()}, response.read().decode("utf-8"))
        connection.close()
        return page

    def open_install_page(self) -> tuple[Page, str]:
        """GET /slack/install; the state in its link, kept as the browser keeps its cookie."""
        page = self.get("/slack/install")
        state = parse_qs(urlsplit(authorize_url(page)).query)["state"][0]
        self.cookie = state
        return page, state

    def redirect(self, **query: str) -> Page:
        """Slack sending the member back to /slack/oauth_redirect, with the browser's cookie."""
        return self.get("/slack/oauth_redirect", query, cookie=self.cookie)

    def bots(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(self.parts.installation_store.bots)).scalar_one()

    def installations(self) -> int:
        with self.engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(self.parts.installation_store.installations)).scalar_one()

    def states(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(self.parts.state_store.oauth_states.c.state)).scalars())


def authorize_url(page: Page) -> str:
    links = [unescape(href) for href in re.findall(r'href="([^"]*)"', page.text)]
    return next(link for link in links if link.startswith("https://slack.com/"))


def oauth_settings(stub: StubSlackApi, db_url: str, **extra: str):
    env = {
        "SLACK_CLIENT_ID": CLIENT_ID,
        "SLACK_CLIENT_SECRET": CLIENT_SECRET,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": stub.api_url,
        "DATABASE_URL": db_url,
    }
    env.update(extra)
    return load_settings(env)


def bolt_app(settings, parts: OAuthParts) -> App:
    """As the bot builds it in OAuth mode: the flow, and its settings so that Bolt does not build
    default ones (with file stores) from SLACK_CLIENT_ID/SECRET in the environment."""
    return App(
        client=WebClient(base_url=settings.slack_api_url),
        signing_secret=settings.signing_secret,
        oauth_flow=parts.flow,
        oauth_settings=parts.flow.settings,
        process_before_response=True,
        token_verification_enabled=False,
    )


@pytest.fixture
def home(tmp_path, monkeypatch):
    """$HOME where Bolt would put its file stores, and the OAuth variables in the environment, as
    a deployment has them (Bolt reads them there by itself)."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SLACK_CLIENT_ID", CLIENT_ID)
    monkeypatch.setenv("SLACK_CLIENT_SECRET", CLIENT_SECRET)
    return home


@pytest.fixture
def serve(stub_api, db_url, home):
    servers, engines = [], []

    def start(on_installed=None, clock=None, **env: str) -> Installer:
        settings = oauth_settings(stub_api, db_url, **env)
        engine = make_engine(db_url)
        upgrade(engine, db_url)
        engines.append(engine)
        installed: list[Installation] = []
        parts = build_oauth_flow(
            settings, engine, on_installed=on_installed or installed.append, clock=clock or (lambda: datetime.now(timezone.utc))
        )
        web = WebApp(
            bolt_app(settings, parts), health=lambda: {"ok": True, "installations": "stored"}, signing_secret=settings.signing_secret
        )
        httpd = make_server("127.0.0.1", 0, web, server_class=_Server, handler_class=_Quiet)
        threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        servers.append(httpd)
        return Installer(parts, engine, f"http://127.0.0.1:{httpd.server_address[1]}", installed)

    yield start
    for httpd in servers:
        httpd.shutdown()
        httpd.server_close()
    for engine in engines:
        engine.dispose()


def assert_japanese_page(page: Page) -> None:
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<html lang="ja">' in page.text
    # Nothing loaded from elsewhere, no scripts; the browser is told so too.
    assert "<script" not in page.text and " src=" not in page.text and "stylesheet" not in page.text
    assert page.headers["content-security-policy"].startswith("default-src 'none'")
    assert page.headers["cache-control"] == "no-store"


def test_the_install_page_links_to_slacks_consent_page_with_a_stored_state(serve, home):
    installer = serve()
    page, state = installer.open_install_page()

    assert page.status == 200
    assert_japanese_page(page)
    assert "Career Drill を Slack に追加" in page.text and ">Slack に追加</a>" in page.text
    link = urlsplit(authorize_url(page))
    assert f"{link.scheme}://{link.netloc}{link.path}" == "https://slack.com/oauth/v2/authorize"
    query = parse_qs(link.query, keep_blank_values=True)
    assert query["client_id"] == [CLIENT_ID]
    assert query["scope"] == [MANIFEST_SCOPES]
    assert query["user_scope"] == [""]
    assert installer.states() == [state]
    assert page.headers["set-cookie"].startswith(f"{COOKIE}={state}; Secure; HttpOnly")
    # The only links are Slack's consent page and the blank favicon.
    assert [unescape(h) for h in re.findall(r'(?:href|src)="([^"]*)"', page.text)] == ["data:,", authorize_url(page)]
    assert not list(home.iterdir())  # no file store in $HOME


def test_a_team_in_the_install_link_preselects_it_and_nothing_else_rides_along(serve):
    installer = serve()
    chosen = parse_qs(urlsplit(authorize_url(installer.get("/slack/install", {"team": "T0CHOSEN1"}))).query)
    assert chosen["team"] == ["T0CHOSEN1"]
    smuggled = installer.get("/slack/install", {"team": "T1&user_scope=search:read&scope=admin"})
    query = parse_qs(urlsplit(authorize_url(smuggled)).query, keep_blank_values=True)
    assert "team" not in query and query["user_scope"] == [""] and query["scope"] == [MANIFEST_SCOPES]


def test_a_completed_install_stores_the_workspaces_token_and_shows_what_to_do_next(serve, stub_api, home):
    installer = serve(SLACK_REDIRECT_URI="https://bot.example.org/slack/oauth_redirect")
    stub_api.oauth_client = (CLIENT_ID, CLIENT_SECRET)
    stub_api.grant("code-A", "TA0000001", "チームA <&>", TOKEN_A, refresh_token=REFRESH_A, expires_in=43200)
    page, state = installer.open_install_page()
    assert parse_qs(urlsplit(authorize_url(page)).query)["redirect_uri"] == ["https://bot.example.org/slack/oauth_redirect"]

    done = installer.redirect(code="code-A", state=state)

    assert done.status == 200
    assert_japanese_page(done)
    assert "インストールが完了しました" in done.text
    assert "「チームA &lt;&amp;&gt;」" in done.text  # the workspace's name, escaped
    assert "/invite @career-drill" in done.text and "/career help" in done.text
    assert 'href="slack://open?team=TA0000001"' in done.text
    assert done.headers["set-cookie"].startswith(f"{COOKIE}=deleted;")
    bot = installer.parts.installation_store.find_bot(enterprise_id=None, team_id="TA0000001")
    assert bot.bot_token == TOKEN_A and bot.bot_refresh_token == REFRESH_A and bot.bot_user_id == "UBOTTA0000001"
    assert bot.bot_id == "BBOTTA0000001"  # from auth.test, asked with the new token
    # oauth.v2.access went through SLACK_API_URL (the stand-in), with the code and the redirect URI.
    [access] = stub_api.calls_to("oauth.v2.access")
    assert access.params["code"] == "code-A" and access.params["redirect_uri"] == "https://bot.example.org/slack/oauth_redirect"
    assert [call.token for call in stub_api.calls_to("auth.test")] == [TOKEN_A]
    assert [i.team_id for i in installer.installed] == ["TA0000001"]
    assert installer.states() == []  # the state was used up
    assert not list(home.iterdir())


def test_a_forged_state_gets_a_japanese_page_and_stores_nothing(serve, stub_api):
    installer = serve()
    stub_api.grant("code-A", "TA0000001", "チームA", TOKEN_A)
    installer.open_install_page()

    # A state this server never issued, with a cookie to match (the forger controls both) …
    forged = installer.get("/slack/oauth_redirect", {"code": "code-A", "state": "forged-state"}, cookie="forged-state")
    # … and one without the cookie that the install page set in this browser.
    other_browser = installer.get("/slack/oauth_redirect", {"code": "code-A", "state": "forged-state"})

    assert forged.status == 401 and INVALID_LINK in forged.text
    assert other_browser.status == 400 and OTHER_BROWSER in other_browser.text
    for page in (forged, other_browser):
        assert_japanese_page(page)
        assert "インストールできませんでした" in page.text
    assert stub_api.calls_to("oauth.v2.access") == []
    assert installer.bots() == 0 and installer.installations() == 0 and installer.installed == []


def test_a_reused_state_gets_a_japanese_page_and_stores_nothing_more(serve, stub_api):
    installer = serve()
    stub_api.grant("code-A", "TA0000001", "チームA", TOKEN_A)
    stub_api.grant("code-B", "TB0000001", "チームB", TOKEN_B)
    _, state = installer.open_install_page()
    assert installer.redirect(code="code-A", state=state).status == 200

    again = installer.redirect(code="code-B", state=state)

    assert again.status == 401
    assert_japanese_page(again)
    assert INVALID_LINK in again.text
    assert len(stub_api.calls_to("oauth.v2.access")) == 1
    assert installer.parts.installation_store.find_bot(enterprise_id=None, team_id="TB0000001") is None
    assert installer.bots() == 1 and [i.team_id for i in installer.installed] == ["TA0000001"]


def test_an_expired_state_gets_a_japanese_page_and_stores_nothing(serve, stub_api):
    installer = serve()
    stub_api.grant("code-A", "TA0000001", "チームA", TOKEN_A)
    _, state = installer.open_install_page()
    table = installer.parts.state_store.oauth_states
    with installer.engine.begin() as connection:
        # As the store writes it: naive UTC. A second past its expiry.
        connection.execute(table.update().values(expire_at=datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=1)))

    expired = installer.redirect(code="code-A", state=state)

    assert expired.status == 401
    assert_japanese_page(expired)
    assert INVALID_LINK in expired.text
    assert stub_api.calls_to("oauth.v2.access") == []
    assert installer.bots() == 0 and installer.installations() == 0 and installer.installed == []


def test_install_pages_opened_and_left_do_not_pile_up(serve):
    installer = serve()
    _, left = installer.open_install_page()
    _, fresh = installer.open_install_page()
    table = installer.parts.state_store.oauth_states
    with installer.engine.begin() as connection:
        connection.execute(
            table.update()
            .where(table.c.state == left)
            .values(expire_at=datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(seconds=1))
        )

    _, newest = installer.open_install_page()

    assert sorted(installer.states()) == sorted([fresh, newest])


def test_anonymous_install_page_openings_cannot_grow_the_state_table_and_a_member_installs_a_minute_later(serve, stub_api, caplog):
    caplog.set_level(logging.INFO)
    clock = Clock(datetime(2026, 12, 6, 3, 0, 0, tzinfo=timezone.utc))
    installer = serve(clock=clock)
    pages = [installer.get("/slack/install") for _ in range(300)]

    # 300 openings in one minute store STATES_PER_MINUTE states; the rest get a Japanese page
    # saying to try again shortly, with no link, no cookie and no row.
    assert len(installer.states()) == STATES_PER_MINUTE
    assert [p.status for p in pages] == [200] * STATES_PER_MINUTE + [429] * (300 - STATES_PER_MINUTE)
    busy = pages[-1]
    assert_japanese_page(busy)
    assert BUSY in busy.text and "slack.com" not in busy.text and "set-cookie" not in busy.headers
    assert busy.headers["retry-after"] == "60"
    assert len([r for r in caplog.records if "come back shortly" in r.getMessage()]) == 1  # not one line per request

    # Half a minute on, still busy (and a shorter wait); a minute after the first, a member's
    # opening gets a working link and the install completes.
    clock.now += timedelta(seconds=30)
    assert installer.get("/slack/install").headers["retry-after"] == "30"
    clock.now += timedelta(seconds=30)
    stub_api.grant("code-A", "TA0000001", "チームA", TOKEN_A)
    page, state = installer.open_install_page()
    assert page.status == 200
    done = installer.redirect(code="code-A", state=state)
    assert done.status == 200 and "インストールが完了しました" in done.text
    assert [i.team_id for i in installer.installed] == ["TA0000001"]


def test_an_oauth_access_error_gets_a_japanese_page_naming_it_and_stores_nothing(serve, stub_api):
    installer = serve()
    _, state = installer.open_install_page()

    refused = installer.redirect(code="code-nobody-granted", state=state)

    assert refused.status == 401
    assert_japanese_page(refused)
    assert "Slack がインストールを受け付けませんでした（エラー: oauth.v2.access: invalid_code）。" in refused.text
    assert [c.response for c in stub_api.calls_to("oauth.v2.access")] == [{"ok": False, "error": "invalid_code"}]
    assert installer.bots() == 0 and installer.installations() == 0 and installer.installed == []


def test_cancelling_on_slacks_page_gets_a_japanese_page_and_stores_nothing(serve, stub_api):
    installer = serve()
    _, state = installer.open_install_page()

    cancelled = installer.redirect(error="access_denied", state=state)

    assert cancelled.status == 200
    assert_japanese_page(cancelled)
    assert CANCELLED in cancelled.text
    assert stub_api.calls_to("oauth.v2.access") == []
    assert installer.bots() == 0 and installer.installed == []


def test_an_error_from_the_query_string_is_named_only_when_it_looks_like_slacks(serve):
    installer = serve()
    _, state = installer.open_install_page()
    assert (
        "（エラー: invalid_team_for_non_distributed_app）"
        in installer.redirect(error="invalid_team_for_non_distributed_app", state=state).text
    )

    _, state = installer.open_install_page()
    page = installer.redirect(error='<img src=x onerror="alert(1)">', state=state)
    assert "<img" not in page.text and "onerror" not in page.text
    _, state = installer.open_install_page()
    planted = installer.redirect(error="example.com から再インストールしてください", state=state)
    assert "example.com" not in planted.text and "Slack がインストールを完了しませんでした。" in planted.text


def test_a_failure_after_the_install_is_saved_says_so_and_can_be_started_again(serve, stub_api):
    def refuse(installation: Installation) -> None:
        raise RuntimeError("the pending deletion could not be cancelled")

    installer = serve(on_installed=refuse)
    stub_api.grant("code-A", "TA0000001", "チームA", TOKEN_A)
    _, state = installer.open_install_page()

    page = installer.redirect(code="code-A", state=state)

    assert page.status == 500
    assert_japanese_page(page)
    assert SERVER_ERROR in page.text and TOKEN_A not in page.text


def test_an_install_the_database_cannot_save_says_so_without_the_token(serve, stub_api, caplog):
    installer = serve()
    stub_api.grant("code-A", "TA0000001", "チームA", TOKEN_A)
    _, state = installer.open_install_page()
    with installer.engine.begin() as connection:
        connection.execute(text("DROP TABLE slack_bots"))

    page = installer.redirect(code="code-A", state=state)

    assert page.status == 500
    assert_japanese_page(page)
    assert NOT_SAVED in page.text
    assert installer.installed == []
    assert "storage_error" in caplog.text and TOKEN_A not in caplog.text  # the database error's text holds it


def test_install_pages_are_get_only(serve):
    installer = serve()
    assert installer.get("/slack/install", method="POST").status == 405
    assert installer.get("/slack/oauth_redirect", method="POST").status == 405


def test_install_pages_are_not_found_in_single_workspace_mode(stub_api, monkeypatch):
    monkeypatch.delenv("SLACK_CLIENT_ID", raising=False)
    monkeypatch.delenv("SLACK_CLIENT_SECRET", raising=False)
    single = App(
        client=WebClient(base_url=stub_api.api_url, token="xoxb-single"), signing_secret=SIGNING_SECRET, token_verification_enabled=False
    )
    web = WebApp(single, health=lambda: {"ok": True}, signing_secret=SIGNING_SECRET)
    statuses = []
    for path in ("/slack/install", "/slack/oauth_redirect"):
        body = web({"PATH_INFO": path, "REQUEST_METHOD": "GET", "QUERY_STRING": ""}, lambda status, headers: statuses.append(status))
        assert b"".join(body) == b"Not found."
    assert statuses == ["404 Not Found", "404 Not Found"]


@pytest.fixture
def every_logger_at_debug(caplog):
    """The root logger and every logger there is at DEBUG (slack_sdk and slack_bolt too), put back
    afterwards. SQLAlchemy's are left alone: it logs statements only when asked (echo), and sets
    its own loggers to WARNING for that reason."""
    caplog.set_level(logging.DEBUG)
    saved = {}
    for name, logger in list(logging.root.manager.loggerDict.items()):
        if isinstance(logger, logging.Logger) and not name.startswith("sqlalchemy"):
            saved[name] = logger.level
            logger.setLevel(logging.DEBUG)
    yield caplog
    for name, level in saved.items():
        logging.getLogger(name).setLevel(level)


def test_no_token_reaches_a_log_record_a_page_or_healthz_at_debug_level(serve, stub_api, every_logger_at_debug):
    caplog = every_logger_at_debug
    installer = serve()
    for name in ("bot.slack.oauth", "bot.slack.oauth.web_api", "bot.slack.oauth.installation_store", "bot.slack.oauth.state_store"):
        logging.getLogger(name).setLevel(logging.DEBUG)  # as low as anyone could set them
    stub_api.grant("code-A", "TA0000001", "チームA", TOKEN_A, refresh_token=REFRESH_A, expires_in=43200)
    install_page, state = installer.open_install_page()
    done = installer.redirect(code="code-A", state=state)
    refused = installer.redirect(code="code-nobody-granted", state=installer.open_install_page()[1])
    health = installer.get("/healthz")

    assert done.status == 200 and refused.status == 401 and health.status == 200
    assert stub_api.calls_to("oauth.v2.access")[0].response["access_token"] == TOKEN_A  # the token did come back …
    secrets = (TOKEN_A, REFRESH_A, CLIENT_SECRET)
    messages = [record.getMessage() for record in caplog.records]
    assert any("installed in workspace TA0000001" in m for m in messages)  # … the install was logged …
    for secret in secrets:  # … and no record, page or health report holds a token or the secret
        assert not [m for m in messages if secret in m]
        assert secret not in caplog.text
        for page in (install_page, done, refused, health):
            assert secret not in page.text and secret not in str(page.headers)


def test_the_install_page_answers_without_reading_a_body_sent_with_it(serve):
    """A GET that declares a 20 MiB body and sends none is answered at once: the pages read their
    query string only, never a body."""
    from bot.testing.http import raw_request

    installer = serve()
    page = raw_request(installer.url, "/slack/install", {"Content-Length": str(20 * 1024 * 1024)}, method="GET", timeout=5)
    assert page.status == 200 and "slack.com/oauth/v2/authorize" in page.text
