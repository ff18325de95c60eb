"""What lets a rerun skip work: per-file results kept in <out>/.cache/files, and the key of the last run's outputs."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import pyarrow as pa

from analysis.ingest import commit
from analysis.ingest.file_result import FileResult
from analysis.ingest.spec import spec_fingerprint

CACHE_DIR = ".cache"
STATE = "state.json"


def _key(*parts) -> str:
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


def run_key(skipped, digests, strict: bool) -> str:
    """What a run's outputs depend on. The day is part of it: dates after today are rejects."""
    return _key(spec_fingerprint(), dt.date.today(), strict, json.dumps([skipped, sorted(digests.items())], ensure_ascii=False))


def state_matches(out_dir: Path, key: str) -> bool:
    """True when out_dir holds every output of the run that `key` describes."""
    try:
        state = json.loads((out_dir / CACHE_DIR / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return state.get("key") == key and all((out_dir / name).exists() for name in state.get("outputs", []))


def state_json(key: str, outputs: list[str]) -> str:
    return json.dumps({"key": key, "outputs": outputs}) + "\n"


class FileCache:
    """Per-file results in out_dir/.cache, reused while the file's content, its path, the specs and the day are the same."""

    def __init__(self, out_dir: Path):
        self.folder = out_dir / CACHE_DIR / "files"
        self.used: set[str] = set()
        self.context = (spec_fingerprint(), dt.date.today())  # once per run, not once per file

    def key(self, rel: str, digest: str, ledger: str) -> str:
        return _key(rel, digest, ledger, *self.context)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.arrow"

    def get(self, key: str) -> FileResult | None:
        try:
            entry = FileResult.from_bytes(self._path(key).read_bytes())
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException):  # absent, or not an entry: clean it again
            return None
        self.used.add(self._path(key).name)
        return entry

    def put(self, key: str, data: bytes) -> None:
        self.used.add(self._path(key).name)
        commit.write_bytes(self._path(key), data)

    def prune(self) -> None:
        """Forget files that are no longer in the raw folder (the cache does not grow without end)."""
        for p in self.folder.glob("*"):
            if p.name not in self.used:
                p.unlink(missing_ok=True)
