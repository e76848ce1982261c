"""Which workspace a Slack request belongs to.

Member data and admin checks are per workspace, so every listener asks this of its request. A
single-workspace deployment (SLACK_BOT_TOKEN) serves one team, the one `auth.test` named at start,
whatever a payload says; with OAuth installs it is the team Bolt authorized the request for."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from bot.domain.workspace import SINGLE_WORKSPACE

# `team_of(context)`: Bolt's request context (or any mapping with team_id / enterprise_id) → team id.
TeamOf = Callable[[Mapping], str]


def fixed_team(team_id: str | None) -> TeamOf:
    """Every request is the one workspace's (SINGLE_WORKSPACE when it is not known)."""
    team = team_id or SINGLE_WORKSPACE
    return lambda context: team


def authorized_team(context: Mapping) -> str:
    """The team of the installation Bolt authorized the request with."""
    return context.get("team_id") or context.get("enterprise_id") or ""
