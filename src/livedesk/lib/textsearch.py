"""Text normalization shared by writes and search queries."""

from __future__ import annotations

import unicodedata


def fold(text: str) -> str:
    """Case-fold for case-insensitive, Unicode-aware matching (Cyrillic as well as Latin)."""
    return unicodedata.normalize("NFKC", text).casefold()
