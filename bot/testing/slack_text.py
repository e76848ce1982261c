"""What every message the bot sends must satisfy for Slack to show it as the bot meant it.

- mrkdwn (section and context texts, and every message's fallback `text`) has no raw `<`, `>` or
  `&` except in the bot's own links, mentions and dates: Slack reads `<…|…>` as a link even inside
  a code span, so `/career <職種>` must go out as `&lt;職種&gt;`;
- a section's text stays within SECTION_BUDGET, below Slack's 3,000 characters;
- a message's fallback `text` (notifications, screen readers) says its substance on one or two lines.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from bot.views import blocks as ui
from bot.views.blocks import SECTION_BUDGET

# The bot's own: a labelled link, a member or channel mention, a date in the reader's zone.
OWN_TOKEN = re.compile(
    r"<(?:https?://[^\s<>|]+\|(?P<label>[^<>]*)"
    r"|@[UW][A-Z0-9]+"
    r"|#[CG][A-Z0-9]+"
    r"|!date\^\d+\^[^|<>]*\|(?P<fallback>[^<>]*))>"
)
ENTITY = re.compile(r"&(?:amp|lt|gt);")


def unescaped(mrkdwn: str) -> list[str]:
    """Each raw `<`, `>` or `&` outside the bot's own tokens, with a little context."""
    rest = OWN_TOKEN.sub(lambda m: " " + (m.group("label") or m.group("fallback") or "") + " ", mrkdwn)
    rest = ENTITY.sub(" ", rest)
    return [rest[max(0, i - 20) : i + 20] for i, ch in enumerate(rest) if ch in "<>&"]


def mrkdwn_texts(node: Any) -> Iterator[tuple[str, str]]:
    """(kind, text) of every mrkdwn text in a block, a view or a list of them: kind is "section"
    for a section's own text, "mrkdwn" for any other."""
    if isinstance(node, list):
        for item in node:
            yield from mrkdwn_texts(item)
    elif isinstance(node, dict):
        text = node.get("text")
        if isinstance(text, dict) and text.get("type") == "mrkdwn":
            yield ("section" if node.get("type") == "section" else "mrkdwn", text["text"])
        if node.get("type") == "mrkdwn" and isinstance(text, str):
            yield "mrkdwn", text
        for key, value in node.items():
            if key != "text" and isinstance(value, (list, dict)):
                yield from mrkdwn_texts(value)


def problems(payload: dict) -> list[str]:
    """What is wrong with one outgoing message or view (`text` and `blocks`, or `view`)."""
    found: list[str] = []
    blocks = payload.get("blocks")
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    view = payload.get("view")
    if isinstance(view, str):
        view = json.loads(view)
    for kind, text in mrkdwn_texts([blocks or [], (view or {}).get("blocks", [])]):
        found += [f"raw markup in {kind}: …{bad}…" for bad in unescaped(text)]
        if kind == "section" and len(text) > SECTION_BUDGET:
            found.append(f"a section of {len(text)} characters (budget {SECTION_BUDGET}): {text[:60]}…")
    fallback = payload.get("text")
    if blocks:
        if not isinstance(fallback, str) or not fallback.strip():
            found.append("a message with blocks and no fallback text")
        elif len(fallback.strip().splitlines()) > 2:
            found.append(f"a fallback text on {len(fallback.splitlines())} lines: {fallback[:60]}…")
    if isinstance(fallback, str):
        found += [f"raw markup in the fallback text: …{bad}…" for bad in unescaped(fallback)]
    return found


def assert_within_limits(message: ui.Message) -> None:
    """A message the bot sends is within Slack's Block Kit limits and passes `problems`."""
    assert 0 < len(message.blocks) <= ui.MAX_BLOCKS
    assert message.text
    assert problems(message.payload()) == []
    for block in message.blocks:
        if block["type"] == "section":
            assert 0 < len(block["text"]["text"]) <= ui.SECTION_BUDGET < ui.MAX_SECTION_TEXT
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= ui.MAX_HEADER_TEXT
        if block["type"] == "actions":
            assert len(block["elements"]) <= ui.MAX_ACTIONS_PER_BLOCK
            ids = [e["action_id"] for e in block["elements"]]
            assert len(ids) == len(set(ids))
            for e in block["elements"]:
                assert len(e["text"]["text"]) <= ui.MAX_BUTTON_TEXT and len(e["value"]) <= ui.MAX_BUTTON_VALUE
