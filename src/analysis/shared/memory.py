"""Memory a run has finished with, given back to the system before the next stage grows.

A clean of a million rows builds the ledger tables and then, in the same process, loads them again for the source
checks. Two allocators kept what the first stage freed out of the second's reach: Arrow's default (mimalloc)
keeps freed pages for Arrow alone, and glibc's malloc keeps a fragmented heap. Measured at ~1M rows in two
processes, the process tree peaked at 698 MB; with Arrow on the system allocator and the heap trimmed between the
stages, at 557 MB, with no measurable change in time.
"""
from __future__ import annotations

import ctypes
import functools
import os
import sys


def prefer_system_allocator() -> None:
    """Arrow allocates through malloc, like the rest of the process (its documented ARROW_DEFAULT_MEMORY_POOL; the
    user's own setting wins). Read when pyarrow first allocates, and inherited by worker processes and kernels."""
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")


def give_back_freed() -> None:
    """Return the heap's free memory to the system (glibc's malloc_trim). Elsewhere nothing to do: Windows' and
    macOS' allocators return free pages themselves, and other C libraries (musl) have no such call."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


@functools.cache
def _malloc_trim():
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None
