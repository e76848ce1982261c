"""What a member reads in a message or a view: its blocks' text, and its buttons."""

from __future__ import annotations

from typing import Any


def blocks_text(blocks) -> str:
    """The blocks' text as a reader sees it: zero-width spaces (which keep Slack's bold working
    next to Japanese punctuation) are invisible, so they are dropped."""
    out = []
    for b in blocks:
        if "text" in b:
            out.append(b["text"]["text"])
        for e in b.get("elements", []):
            t = e.get("text")
            out.append(t if isinstance(t, str) else (t or {}).get("text", ""))
    return "\n".join(out).replace("\u200b", "")


def all_text(message: Any) -> str:
    """The text of a view's message (`bot.views.blocks.Message`), as its blocks hold it."""
    parts = []
    for block in message.blocks:
        if "text" in block:
            parts.append(block["text"]["text"])
        for element in block.get("elements", []):
            parts.append(element.get("text", "") if isinstance(element.get("text"), str) else element.get("text", {}).get("text", ""))
    return "\n".join(parts)


def buttons(blocks: list[dict]) -> list[dict]:
    """The buttons of the blocks' action rows, in order."""
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"]]
