"""Which Slack workspace a row or a request belongs to.

Every stored row carries the `team_id` of its workspace. Rows written before the bot knew about
workspaces carry `SINGLE_WORKSPACE` instead: the one workspace a single-token deployment serves,
resolved to its real id (from `auth.test`) when such a deployment starts. A real team id starts
with "T" (or "E" for an Enterprise Grid organisation), so the marker never collides with one.
"""

from __future__ import annotations

SINGLE_WORKSPACE = "single"
