"""Block Kit → readable terminal text, so the console shows exactly what Slack would."""

from __future__ import annotations

import re
from typing import Any

_LINK = re.compile(r"<(https?://[^|>]+)\|([^>]+)>")
_DATE = re.compile(r"<!date\^[^|>]*\|([^>]*)>")
_MENTION = re.compile(r"<([@#!])([^>|]+)(?:\|([^>]+))?>")


def mrkdwn_to_text(text: str) -> str:
    text = _DATE.sub(r"\1", text)
    text = _LINK.sub(r"\2 (\1)", text)
    text = _MENTION.sub(lambda m: m.group(1) + (m.group(3) or m.group(2)), text)
    text = text.replace("\u200b*", "").replace("*\u200b", "").replace("\u200b_", "").replace("_\u200b", "")
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    text = re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def render(blocks: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Return the text of a message and its buttons, numbered in the order they are shown."""
    lines: list[str] = []
    buttons: list[dict[str, Any]] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            title = block["text"]["text"]
            lines += ["", f"■ {title}", "=" * min(60, len(title) * 2)]
        elif kind == "section":
            lines.append(mrkdwn_to_text(block["text"]["text"]))
        elif kind == "context":
            lines.append("  " + " ".join(mrkdwn_to_text(e.get("text", "")) for e in block["elements"]))
        elif kind == "divider":
            lines.append("-" * 40)
        elif kind == "actions":
            labels = []
            for element in block["elements"]:
                buttons.append(element)
                labels.append(f"[{len(buttons)}] {element['text']['text']}")
            lines.append("  ".join(labels))
    return "\n".join(lines).strip("\n"), buttons
