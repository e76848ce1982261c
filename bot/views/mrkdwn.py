"""Slack's mrkdwn: escaping, emphasis that holds next to Japanese text, and role documents' inline
Markdown rendered for Slack. Only views produce mrkdwn; the domain never does.

Every value a view puts into mrkdwn or into a message's fallback `text` goes through
`escape_mrkdwn` (directly, or through `to_mrkdwn`, `code`, `display_name` or `fallback_text`), code
spans included: Slack reads `<…|…>` as a link even inside backticks. The only `<…>` a view writes
itself are its own links, mentions and dates. bot/testing/slack_text.py checks every message
the bot sends for it."""

from __future__ import annotations

import re
from functools import lru_cache

from bot.domain.markup import inline_children
from bot.domain.text import clean_user_text, truncate

# Slack only honours *bold* and _italic_ at word boundaries; Japanese text has no spaces, so a
# zero-width space next to the marker makes it a boundary without changing what people read.
_ZWSP = "\u200b"
_MRKDWN_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape_mrkdwn(text: str) -> str:
    """Escape user or content text for Slack mrkdwn, so `<!channel>` can never become a ping."""
    return text.translate(_MRKDWN_ESCAPES)


_escape = escape_mrkdwn


_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,30}$")


def mention(user_id: str) -> str:
    """`<@U…>` for a real user id; anything else (a forged value) as escaped text."""
    return f"<@{user_id}>" if _USER_ID.match(user_id or "") else escape_mrkdwn(user_id or "?")


def code(text: str) -> str:
    """An inline code span of literal text: `/career <職種>` reaches the reader as typed."""
    return f"`{escape_mrkdwn(text)}`"


# mrkdwn has no escape for its formatting characters, and an invisible character next to one
# counts as a word boundary or not depending on the client: a name's own `*`, `_`, `~` and
# backticks are shown as their full-width forms, which no Slack client formats.
_FORMATTING = str.maketrans({"*": "＊", "_": "＿", "~": "～", "`": "｀"})


def display_name(name: str, limit: int = 80) -> str:
    """A member's display name as literal mrkdwn: cleaned, capped, escaped, and unable to turn
    bold, italic, struck-through or into code (`*太郎*` stays 「＊太郎＊」, never bold)."""
    return escape_mrkdwn(clean_user_text(name, limit=limit).translate(_FORMATTING))


def literal(text: str) -> str:
    """Text a member wrote for others to read (a proposed question, its points, a reason), as
    literal mrkdwn: escaped like `display_name`, so it can neither ping (`<!channel>`) nor turn
    bold, italic, struck-through or into code; its own line breaks are kept."""
    return escape_mrkdwn(clean_user_text(text or "", limit=len(text or "") + 1).translate(_FORMATTING))


FALLBACK_LIMIT = 300


def fallback_text(plain: str, limit: int = FALLBACK_LIMIT) -> str:
    """A message's `text` from plain text: what a notification or a screen reader gives instead
    of the blocks. The first line, then the rest run together on a second; capped; escaped."""
    lines = [" ".join(line.split()) for line in plain.splitlines()]
    lines = [line for line in lines if line]
    joined = "\n".join(lines[:1] + ([" ".join(lines[1:])] if len(lines) > 1 else []))
    return escape_mrkdwn(truncate(joined, limit))


def bold(mrkdwn: str) -> str:
    """Slack bold that holds next to Japanese text and punctuation (`• *名前*：…`): the one rule
    every renderer uses for emphasis it adds itself."""
    return f"{_ZWSP}*{mrkdwn}*{_ZWSP}"


@lru_cache(maxsize=8192)
def to_mrkdwn(source: str) -> str:
    out: list[str] = []
    open_links: list[bool] = []
    for token in inline_children(source):
        kind = token.type
        if kind == "text":
            out.append(_escape(token.content))
        elif kind == "code_inline":
            out.append("`" + _escape(token.content) + "`")
        elif kind in ("strong_open", "strong_close"):
            out.append(_ZWSP + "*" if kind == "strong_open" else "*" + _ZWSP)
        elif kind in ("em_open", "em_close"):
            out.append(_ZWSP + "_" if kind == "em_open" else "_" + _ZWSP)
        elif kind == "link_open":
            href = str(token.attrs.get("href", ""))
            linked = href.startswith(("http://", "https://"))
            open_links.append(linked)
            if linked:
                out.append("<" + _escape(href).replace("|", "%7C") + "|")
        elif kind == "link_close":
            if open_links and open_links.pop():
                out.append(">")
        elif kind in ("softbreak", "hardbreak"):
            out.append("\n")
        elif kind == "image":
            out.append(_escape(token.content))
        elif kind in ("html_inline",):
            out.append(_escape(token.content))
    return "".join(out).strip(_ZWSP).strip()
