"""The demo build as a reader sees it (tables, rejects, manifest, every page's text and charts) equals the
recorded snapshot in tests/golden/: a change of code changes none of it unless it was meant to.

A deliberate change is recorded with `UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and reviewed in
the diff of tests/golden/ (see tests/golden.py).
"""
from __future__ import annotations

import os

import golden


def test_the_demo_build_shows_what_the_golden_snapshot_records(demo_build):
    _, _, snapshot = demo_build
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write(snapshot)
    problems = golden.differences(golden.read(), snapshot)
    assert not problems, "\n".join(problems)
