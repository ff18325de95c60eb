"""Text from ledgers as a person reads it (pages, the screen, rejects.csv): a cell may hold a megabyte."""
from __future__ import annotations

# Longer than any real ledger value (an address, a unit name, a remark); Excel itself stops at 32,767 characters.
MAX_TEXT = 2000


def shorten(text: str, limit: int = MAX_TEXT) -> str:
    """`text` cut to `limit` characters in all, the last of them saying how long it was: "…（共 N 字）". Text
    already cut is left as it is."""
    if len(text) <= limit:
        return text
    tail = f"…（共 {len(text)} 字）"
    return text[:limit - len(tail)] + tail


def shorten_all(value):
    """Every string in a JSON-like value (dicts, lists) shortened."""
    if isinstance(value, str):
        return shorten(value)
    if isinstance(value, dict):
        return {k: shorten_all(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shorten_all(v) for v in value]
    return value
