"""Inline Markdown from role documents, rendered for Slack mrkdwn or for plain text.

Role fields keep the document's own inline Markdown (`**EDR**の導入`), so every renderer converts it
the same way: Slack gets mrkdwn with `&`, `<` and `>` escaped, the console gets plain text.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt

_md = MarkdownIt("commonmark")
_WRAPPED = re.compile(r"^(\*\*|__|\*|_)(.+)\1$", re.S)
# Slack only honours *bold* and _italic_ at word boundaries; Japanese text has no spaces, so a
# zero-width space next to the marker makes it a boundary without changing what people read.
_ZWSP = "\u200b"


def bold(mrkdwn: str) -> str:
    """Slack bold that holds next to Japanese text and punctuation (`• *名前*：…`): the one rule
    every renderer uses for emphasis it adds itself."""
    return f"{_ZWSP}*{mrkdwn}*{_ZWSP}"


def unwrap_emphasis(text: str) -> str:
    """`**質問？**` → `質問？`: the renderer, not the document, decides how a whole field looks."""
    text = text.strip()
    while True:
        match = _WRAPPED.match(text)
        if not match:
            return text
        text = match.group(2).strip()


@lru_cache(maxsize=8192)
def to_mrkdwn(source: str) -> str:
    out: list[str] = []
    open_links: list[bool] = []
    for token in _inline_children(source):
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


@lru_cache(maxsize=8192)
def to_plain(source: str) -> str:
    out: list[str] = []
    for token in _inline_children(source):
        if token.type in ("text", "code_inline", "html_inline", "image"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out).strip()


def _inline_children(source: str):
    tokens = _md.parseInline(source)
    return tokens[0].children or [] if tokens else []


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
