"""A raw folder → data/processed: every ledger's tidy table, rejects.csv and manifest.json (orchestration only).

Files are found by folder (data/raw/<ledger>/**), read once per distinct content, and every row of
every sheet is accounted for by kind. Outputs are written together and are byte-identical for the
same raw files. The steps live in their own modules: discover, file_result (one file), cache, workers,
outputs, commit, lock, manifest (the summary a person reads).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from analysis import __version__
from analysis.ingest import commit
from analysis.ingest.cache import CACHE_DIR, STATE, FileCache, run_key, state_json, state_matches
from analysis.ingest.discover import inputs, is_synthetic
from analysis.ingest.file_result import FileResult
from analysis.ingest.lock import CleanBusy, exclusive
from analysis.ingest.manifest import summary_lines
from analysis.ingest.outputs import ledger_table, manifest_json, parquet_bytes, rejects_csv
from analysis.ingest.spec import ledger_names, load_spec, spec_fingerprint
from analysis.ingest.workers import CleanFailed, clean_misses, default_jobs

__all__ = ["clean", "CleanResult", "CleanBusy", "CleanFailed", "default_jobs"]


@dataclass
class CleanResult:
    manifest: dict
    exit_code: int


def clean(raw_dir: Path, out_dir: Path, *, strict: bool = False, jobs: int = 1, echo=print) -> CleanResult:
    """Clean every ledger file under raw_dir into out_dir. With jobs > 1, many changed files are cleaned in
    that many worker processes (the commands pass default_jobs(); a script that does so needs the usual
    `if __name__ == "__main__":` guard where Python starts workers by spawn or forkserver)."""
    raw_dir, out_dir = Path(raw_dir), Path(out_dir)
    with exclusive(out_dir):
        found, skipped, digests = inputs(raw_dir, ledger_names())
        key = run_key(skipped, digests, strict)
        if state_matches(out_dir, key):
            manifest = json.loads((out_dir / "manifest.json").read_text(encoding="utf-8"))
            echo(f"{raw_dir} 中的台账自上次清洗后没有变化，{out_dir} 已是最新。")
            return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])
        manifest = _clean_all(raw_dir, out_dir, found, skipped, digests, strict, key, jobs, echo)
    for line in summary_lines(manifest, out_dir):
        echo(line)
    return CleanResult(manifest=manifest, exit_code=manifest["exit_code"])


def _clean_all(raw_dir, out_dir, found, skipped, digests, strict, state_key, jobs, echo) -> dict:
    # Synthetic demo ledgers are flagged so that every page built from them says 示例数据.
    manifest = {"version": __version__, "spec_fingerprint": spec_fingerprint(), "synthetic": is_synthetic(raw_dir),
                "ledgers": {}, "files": [], "skipped": skipped}
    cache = FileCache(out_dir)
    # Every file once per distinct content, in path order; the cache answers for files cleaned before.
    plan = {ledger: [] for ledger in found}  # (rel, digest, cache key or None for a byte-identical copy)
    first_of, entries, misses = {}, {}, []
    for ledger, paths in found.items():
        for path in paths:
            rel = path.relative_to(raw_dir).as_posix()
            digest = digests[rel]
            if digest in first_of:
                plan[ledger].append((rel, digest, None))
                continue
            first_of[digest] = rel
            key = cache.key(rel, digest, ledger)
            plan[ledger].append((rel, digest, key))
            entries[key] = cache.get(key)
            if entries[key] is None:
                misses.append((key, path, rel, ledger, digest))
    for key, data in clean_misses(misses, jobs, echo):
        cache.put(key, data)
        entries[key] = FileResult.from_bytes(data)

    outputs = {}  # written together at the end, so that a failure leaves the previous outputs whole
    all_rejects, seen_content = [], {}
    for ledger, files in plan.items():
        spec = load_spec(ledger)
        tables, lsum = [], {"label": spec.label, "files": 0, "sheets": 0, "rows_kept": 0, "rows_rejected": 0,
                            "files_failed": 0, "duplicates": 0}
        for rel, digest, key in files:
            if key is None:
                first = first_of[digest]
                manifest["files"].append({"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate",
                                          "duplicate_of": first, "reason": f"与“{first}”内容完全相同，只计一次"})
                lsum["duplicates"] += 1
                continue
            entry = entries[key]
            if entry.content in seen_content:
                first, original = seen_content[entry.content]
                dup = {"file": rel, "ledger": ledger, "sha256": digest, "status": "duplicate", "duplicate_of": first,
                       "reason": f"与“{first}”的记录逐行相同（文件本身不同，可能是另存或重发的同一份台账），只计一次"}
                # Its kept rows are counted once; rows rejected only in this copy are still listed, not lost.
                extra = _rejects_not_in(entry.rejects, original.rejects)
                if extra:
                    rows = len({(r["sheet"], r["row"]) for r in extra})
                    dup["rows_rejected"] = rows
                    dup["reason"] += f"；但此文件另有 {rows} 行被剔除而原文件中没有，已列入 rejects.csv"
                    all_rejects.extend(extra)
                    lsum["rows_rejected"] += rows
                manifest["files"].append(dup)
                lsum["duplicates"] += 1
                continue
            if entry.content is not None:
                seen_content[entry.content] = (rel, entry)
            record = entry.record
            manifest["files"].append(record)
            tables.append(entry.table)
            all_rejects.extend(entry.rejects)
            lsum["files"] += 1
            lsum["files_failed"] += record["status"] in ("failed", "partial")
            for s in record["sheets"]:
                lsum["sheets"] += s["status"] == "ok"
                lsum["rows_kept"] += s.get("kept", 0)
                lsum["rows_rejected"] += s.get("rejected", 0)
        table = ledger_table(spec, tables)
        lsum["output"] = f"{ledger}.parquet"
        lsum["years"] = {str(y): int(n) for y, n in table["year"].value_counts().sort_index().items()}
        manifest["ledgers"][ledger] = lsum
        outputs[out_dir / f"{ledger}.parquet"] = parquet_bytes(table)
    outputs[out_dir / "rejects.csv"] = rejects_csv(all_rejects)
    failed = any(f["status"] in ("failed", "partial") for f in manifest["files"])
    manifest["exit_code"] = 1 if failed or (strict and all_rejects) else 0
    outputs[out_dir / "manifest.json"] = manifest_json(manifest)
    names = [p.name for p in outputs]
    outputs[out_dir / CACHE_DIR / STATE] = state_json(state_key, names)
    commit.write_all(outputs)
    cache.prune()
    return manifest


def _rejects_not_in(rejects: list, original: list) -> list:
    """The rejects of a copy that its original does not have (same sheet, row, column, value and reason)."""
    fields = ("sheet", "row", "column", "value", "reason")
    known = {tuple(r[f] for f in fields) for r in original}
    return [r for r in rejects if tuple(r[f] for f in fields) not in known]
