"""What lets a rerun skip work, and never lie: per-file results kept in <out>/.cache/files, and the state of the last
run's outputs in <out>/.cache/state.json.

A per-file entry is keyed by everything that decides its content: the file's bytes (hashed as they were cleaned),
its path and ledger, the ledger specs and the code that cleans (code_fingerprint: the ingest package's source and
the reader libraries' versions). The day decides it too (dates after today are rejects), but only through the dates
in the file: an entry says on which days it holds (FileResult.valid_on: from the day it was cleaned until the first
date it rejected as future), so that a folder cleaned yesterday is not cleaned again today. Each entry starts with
the SHA-256 of what follows, checked when it is loaded: an entry that is missing, cut short, damaged or unreadable
is cleaned again, and the run says so.

Each ledger's Parquet output is kept the same way, keyed by the contents of the per-file entries it is made of (in
order) and the same context, so that a run in which one file changed builds only that file's ledger again. It is kept only when
every one of those entries was checked or written in that run; one that is missing or damaged is built again from
the entries (no note: nothing a person has to check).
"""
from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from pathlib import Path

from analysis import __version__
from analysis.ingest.spec import spec_fingerprint
from analysis.ingest.tables import OutputsIncomplete, sha256, verified_outputs
from analysis.shared import commit

CACHE_DIR = ".cache"
STATE = "state.json"
_MAGIC = b"JFR1"  # an entry: _MAGIC, the SHA-256 of the payload (32 bytes), the payload (FileResult.to_bytes)


def key_of(*parts) -> str:
    """A cache key: the SHA-256 of the parts, each as text."""
    return hashlib.sha256("\0".join(map(str, parts)).encode()).hexdigest()


INGEST_DIR = Path(__file__).resolve().parent


@functools.cache
def code_fingerprint(package: Path = INGEST_DIR) -> str:
    """The code of a package, by default ingest's, the code that turns a file into its result: every source file of
    it, and the versions of the libraries that read workbooks and write the results. An upgrade of any of them
    cleans every file again."""
    import importlib.metadata

    h = hashlib.sha256(__version__.encode())
    for dist in ("python-calamine", "olefile", "pyarrow", "pandas"):
        h.update(f"\0{dist} {importlib.metadata.version(dist)}".encode())
    for p in sorted(package.rglob("*.py")):
        h.update(b"\0" + p.relative_to(package).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:16]


def run_key(inputs, strict: bool) -> str:
    """What a run's outputs depend on besides the day: the inputs (every file's hash or problem, what was skipped),
    the specs and the code. The days on which they hold are kept beside the key (state_json)."""
    return key_of(spec_fingerprint(), code_fingerprint(), strict, json.dumps(inputs, ensure_ascii=False))


def unchanged_manifest(out_dir: Path, key: str, today: dt.date) -> dict | None:
    """The manifest of out_dir when it holds, whole and untouched, every output of the run that `key` describes,
    and they hold on `today`."""
    try:
        state = json.loads((out_dir / CACHE_DIR / STATE).read_text(encoding="utf-8"))
        if state.get("key") != key or not holds_on(today, state["valid_from"], state["valid_until"]):
            return None
        data, manifest, _ = verified_outputs(out_dir)
    except (OSError, ValueError, AttributeError, OutputsIncomplete):
        return None
    return manifest if sha256(data) == state.get("manifest") else None


def holds_on(today: dt.date, valid_from: str, valid_until: str | None) -> bool:
    """Whether a result cleaned on `valid_from` whose first future date is `valid_until` (ISO dates; None: it has
    none) is still the result of cleaning on `today`."""
    day = today.isoformat()
    return valid_from <= day and (valid_until is None or day < valid_until)


def state_json(key: str | None, manifest: bytes, cache: FileCache, today: dt.date, valid_until: str | None) -> str:
    """The run's key and the days its outputs hold on, its manifest's checksum, the cache entries it used and the
    files that killed a worker."""
    return json.dumps({"key": key, "valid_from": today.isoformat(), "valid_until": valid_until,
                       "manifest": sha256(manifest), "entries": sorted(cache.used),
                       "crashed": sorted(cache.crashed)}, ensure_ascii=False) + "\n"


def seal(payload: bytes) -> bytes:
    """An entry as kept on disk: _MAGIC, the SHA-256 of the payload, the payload."""
    return _MAGIC + hashlib.sha256(payload).digest() + payload


def _digest(sealed: bytes) -> str:
    """The SHA-256 a sealed entry carries, as hex (what a ledger output's key is made of)."""
    return sealed[len(_MAGIC):len(_MAGIC) + 32].hex()


def unseal(data: bytes) -> bytes:
    """The payload of an entry; ValueError when it is not one or its checksum does not match."""
    payload = data[len(_MAGIC) + 32:]
    if not data.startswith(_MAGIC) or hashlib.sha256(payload).digest() != data[len(_MAGIC):len(_MAGIC) + 32]:
        raise ValueError("checksum")
    return payload


class FileCache:
    """Per-file results in out_dir/.cache/files, reused while everything that decides them is the same."""

    def __init__(self, out_dir: Path):
        self.folder = out_dir / CACHE_DIR / "files"
        self.used: set[str] = set()
        self.damaged: list[str] = []  # files whose entry had to be cleaned again, for the run's summary
        self.context = (spec_fingerprint(), code_fingerprint())  # once per run, not once per file
        self.contents: dict[str, str] = {}  # key → SHA-256 of the entry's payload, for the ledger outputs' keys
        self.crashed: set[str] = set()  # files whose worker died this run
        try:
            state = json.loads((out_dir / CACHE_DIR / STATE).read_text(encoding="utf-8"))
            self.expected, self.crashed_before = set(state["entries"]), frozenset(state["crashed"])
        except (OSError, ValueError, KeyError, TypeError):
            self.expected, self.crashed_before = set(), frozenset()

    def key(self, rel: str, digest: str, ledger: str) -> str:
        return key_of(rel, digest, ledger, *self.context)

    def _path(self, key: str) -> Path:
        return self.folder / f"{key}.arrow"

    def _ledger_key(self, ledger: str, entries: list[str]) -> str:
        """The key of a ledger's output made of these entries (by their contents, in the order their rows are in)."""
        return key_of("ledger", ledger, *(self.contents[k] for k in entries), *self.context)

    def get(self, key: str, rel: str, today: dt.date):
        """The entry (a FileResult), checked against its checksum; None when it must be cleaned again: it does not
        hold on `today`, or it is missing or damaged (the file noted when the entry was expected to be there or was
        there but damaged)."""
        # Imported here, not at the top: `analysis clean` with nothing changed never reads an entry, and pyarrow and
        # pandas (which file_result brings) take 0.4 s to import.
        import pyarrow as pa

        from analysis.ingest.file_result import FileResult

        path = self._path(key)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            if path.name in self.expected:
                self.damaged.append(rel)
            return None
        except OSError:
            self.damaged.append(rel)
            return None
        try:
            payload = unseal(data)
            entry = FileResult.from_bytes(payload)
        except (ValueError, KeyError, TypeError, pa.ArrowException):
            self.damaged.append(rel)
            return None
        if not entry.valid_on(today):  # a date it rejected as future is no longer so (not a fault: no note)
            return None
        self.used.add(path.name)
        self.contents[key] = _digest(data)
        return entry

    def put(self, key: str, data: bytes) -> None:
        self.used.add(self._path(key).name)
        sealed = seal(data)
        self.contents[key] = _digest(sealed)
        commit.write_bytes(self._path(key), sealed)

    def ledger_output(self, ledger: str, entries: list[str]) -> tuple[bytes, dict] | None:
        """(Parquet bytes, rows per year) of a ledger's output made of these entries before, checked; None when it
        must be built."""
        path = self.folder / f"{self._ledger_key(ledger, entries)}.parquet"
        try:
            head, _, parquet = unseal(path.read_bytes()).partition(b"\n")
            years = json.loads(head)
        except (OSError, ValueError):
            return None
        self.used.add(path.name)
        return parquet, years

    def put_ledger_output(self, ledger: str, entries: list[str], parquet: bytes, years: dict) -> None:
        path = self.folder / f"{self._ledger_key(ledger, entries)}.parquet"
        self.used.add(path.name)
        data = json.dumps(years).encode() + b"\n" + parquet  # no newline inside: json.dumps escapes them
        commit.write_bytes(path, seal(data))

    def prune(self) -> None:
        """Forget files that are no longer in the raw folder (the cache does not grow without end)."""
        for p in self.folder.glob("*"):
            if p.name not in self.used:
                try:
                    p.unlink(missing_ok=True)
                except OSError:
                    pass  # tried again next run

    def note(self) -> str | None:
        """The summary's line about entries that were cleaned again, if any."""
        if not self.damaged:
            return None
        names = "、".join(self.damaged[:5]) + (f" 等 {len(self.damaged)} 个文件" if len(self.damaged) > 5 else "")
        return (f"[提示] 缓存：{names} 上次的清洗结果已丢失或损坏（{self.folder}），已重新清洗；"
                "结果不受影响，如经常出现请检查磁盘")
