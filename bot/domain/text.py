"""Text helpers shared by every renderer."""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def clean_user_text(text: str, limit: int = 200) -> str:
    """Strip control and bidi-override characters and cap the length of text we echo back."""
    cleaned = _CONTROL.sub("", text).strip()
    if len(cleaned) > limit:
        cleaned = cleaned[: limit - 1] + "…"
    return cleaned


def normalize_key(text: str) -> str:
    """Fold case and width (ＣＩＳＯ → ciso) and drop separators so names compare loosely."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s\-_・/()（）]+", "", folded)


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
