"""Inline Markdown from role documents, read as the content format (Slack's mrkdwn is the views'
business: `bot.views.mrkdwn`).

Role fields keep the document's own inline Markdown (`**EDR**の導入`), so every renderer converts it
the same way.
"""

from __future__ import annotations

import re
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.token import Token

_md = MarkdownIt("commonmark")
_WRAPPED = re.compile(r"^(\*\*|__|\*|_)(.+)\1$", re.S)


def unwrap_emphasis(text: str) -> str:
    """`**質問？**` → `質問？`: the renderer, not the document, decides how a whole field looks."""
    text = text.strip()
    while True:
        match = _WRAPPED.match(text)
        if not match:
            return text
        text = match.group(2).strip()


@lru_cache(maxsize=8192)
def to_plain(source: str) -> str:
    out: list[str] = []
    for token in inline_children(source):
        if token.type in ("text", "code_inline", "html_inline", "image"):
            out.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            out.append("\n")
    return "".join(out).strip()


def inline_children(source: str) -> list[Token]:
    tokens = _md.parseInline(source)
    return tokens[0].children or [] if tokens else []
