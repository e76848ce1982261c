"""The test kit: what the tests (tests/) and the benchmarks (bench/) drive the bot with.

- `slack_api`: the stand-in Web API (and response_url webhooks) on 127.0.0.1, port 0; `slack_files`:
  the files members give the bot, as it serves them (files.info and the download);
- `signing`: signed Slack requests and the payloads of commands, buttons, modals and events;
- `http`: a small HTTP client; `oauth`: installing the app as a member does; `rotation_race`: the
  refresh stand-in and worker of the token-rotation race;
- `botserver`: the real HTTP app served on 127.0.0.1, ticked with an injected clock;
- `world`: the one builder of a bot core on a database (`World`), with time injected and a chat
  port that records what it would have posted;
- `fakes`: a hand-moved clock, a recording chat port, and an in-memory store for use-case tests;
- `db`: databases for tests, each schema built once per session and copied for each test;
- `reading`: what a member reads in blocks; `slack_text`: what every sent message must satisfy.

It is the top layer: it may import any part of the bot, and nothing in `bot/` imports it. It does
not import pytest at module level, so the benchmarks run without it.
"""

from __future__ import annotations

from pathlib import Path

# The checkout this kit runs from: the tests and the benchmarks read its content/ and Procfile.
ROOT = Path(__file__).resolve().parents[2]
CONTENT_DIR = ROOT / "content"
SEED = CONTENT_DIR / "ciso.md"

# The study group most tests follow: its admin, its channel, the workspace a single-workspace bot serves.
ADMIN = "UADMIN001"
CH = "C0STUDY01"
TEAM_ID = "T0001"
