"""Installing the app in a workspace as a member does it: open the bot's install page, consent on
Slack's page (the stand-in Web API holds what oauth.v2.access will answer for the code), and come
back to the redirect with Slack's code, the state from the link, and the state cookie."""

from __future__ import annotations

import re
import uuid
from html import unescape
from urllib.parse import parse_qs, urlencode, urlsplit

from bot.testing.http import request
from bot.testing.slack_api import StubSlackApi

STATE_COOKIE = "slack-app-oauth-state"


def consent_link(page: str) -> str:
    """The install page's link to Slack's consent page."""
    return next(unescape(h) for h in re.findall(r'href="([^"]*)"', page) if h.startswith("https://slack.com/"))


def install_workspace(url: str, stub: StubSlackApi, team_id: str, name: str, token: str, installer: str = "UINSTALLER") -> str:
    """Install the app served at `url` in the workspace `team_id` with the bot token `token`; the
    success page's HTML. Raises RuntimeError, with the page, if the install did not complete."""
    code = f"code-{team_id}-{uuid.uuid4().hex[:8]}"
    stub.grant(code, team_id, name, token, installer=installer)
    page = request(url + "/slack/install")
    if page.status != 200:
        raise RuntimeError(f"install page: {page.status} {page.text[:300]}")
    state = parse_qs(urlsplit(consent_link(page.text)).query)["state"][0]
    done = request(
        url + "/slack/oauth_redirect?" + urlencode({"code": code, "state": state}), headers={"Cookie": f"{STATE_COOKIE}={state}"}
    )
    if done.status != 200 or "インストールが完了しました" not in done.text:
        raise RuntimeError(f"install of {team_id} failed: {done.status} {done.text[:300]}")
    return done.text
