"""Memory given back between a run's stages (analysis.shared.memory): Arrow on the system allocator unless the
user chose another, and the heap's free memory returned where the C library can."""
from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

from analysis.shared import memory

BACKEND = ("from analysis.shared.memory import prefer_system_allocator; prefer_system_allocator(); "
           "import pyarrow as pa; print(pa.default_memory_pool().backend_name)")


def _backend(env: dict) -> str:
    env = {k: v for k, v in {**os.environ, **env}.items() if v is not None}
    return subprocess.run([sys.executable, "-c", BACKEND], env=env, capture_output=True, text=True,
                          check=True).stdout.strip()


def test_arrow_allocates_through_the_system_allocator_unless_the_user_chose_one():
    assert _backend({"ARROW_DEFAULT_MEMORY_POOL": None}) == "system"
    import pyarrow as pa

    chosen = next((b for b in pa.supported_memory_backends() if b != "system"), None)
    if chosen is None:
        pytest.skip("this pyarrow has only the system allocator")
    assert _backend({"ARROW_DEFAULT_MEMORY_POOL": chosen}) == chosen


def test_free_memory_is_given_back_where_the_c_library_can():
    if sys.platform.startswith("linux") and platform.libc_ver()[0] == "glibc":
        assert memory._malloc_trim() is not None
    memory.give_back_freed()  # never fails: a no-op where there is no such call
