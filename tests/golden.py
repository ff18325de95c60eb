"""The demo build's observable result, in a form that can be compared across code changes.

`snapshot(root)` describes what a reader sees after `analysis briefing` on the demo data in the project
folder `root`: every processed output (bytes, and the table's content, so that a pyarrow upgrade that only
changes Parquet's writer stamp is told apart from a change of figures) and every exported page (its visible
text, with the generation date blanked, and the SHA-256 of each embedded chart image).

manifest.json is compared without its fingerprints of the code and specs (MANIFEST_FINGERPRINTS), which
change with the code by design; everything it says about what was read is compared.

tests/golden/ holds the snapshot of the code as it was last deliberately changed. A change of figures,
pages or charts that a change of code was meant to make is recorded with
`UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py` and reviewed in the diff of tests/golden/.
"""
from __future__ import annotations

import base64
import hashlib
import html
import importlib.metadata
import re
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"

_DATA_URI = re.compile(r"data:image/png;base64,([A-Za-z0-9+/=\s]+)")
_DATE = re.compile(r"生成日期：\d{4}年\d{1,2}月\d{1,2}日")


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def table_digest(path: Path) -> str:
    """The content of a Parquet table (schema and every value), independent of the writer's version stamp."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    frame = table.to_pandas()
    return _sha(str(table.schema).encode() + b"\0" + frame.to_csv(index=False, lineterminator="\n").encode())


# Keys of manifest.json that are fingerprints of the code and specs, not of what was read: they change with
# any change of the package by design, so the snapshot leaves them out.
MANIFEST_FINGERPRINTS = ("version", "spec_fingerprint", "code_fingerprint")


def manifest_digest(path: Path) -> str:
    """The manifest without its fingerprints, and its outputs named without their SHA-256: those are digests of the
    outputs' bytes, which carry the Parquet writer's and pandas' versions (compared below, file by file, on content
    and, with the same versions, on bytes)."""
    import json

    manifest = json.loads(path.read_text(encoding="utf-8"))
    for key in MANIFEST_FINGERPRINTS:
        manifest.pop(key, None)
    manifest["outputs"] = sorted(manifest.get("outputs", {}))
    return _sha(json.dumps(manifest, ensure_ascii=False, sort_keys=True).encode())


def page_text(text: str) -> str:
    """What a reader of a page sees as text: styles and tags removed, entities decoded, white space collapsed
    to one line per block, the generation date blanked."""
    text = re.sub(r"<style\b.*?</style>", "", text, flags=re.S | re.I)
    text = re.sub(r"<script\b.*?</script>", "", text, flags=re.S | re.I)
    text = re.sub(r"<(?:br|/p|/h\d|/tr|/li|/div|/caption|/header|/footer)\b[^>]*>", "\n", text, flags=re.I)
    text = re.sub(r"</t[dh]>", "\t", text, flags=re.I)
    text = html.unescape(re.sub(r"<[^>]+>", "", text))
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return _DATE.sub("生成日期：（日期）", "\n".join(line for line in lines if line)) + "\n"


def page_images(text: str) -> list[str]:
    return [_sha(base64.b64decode(re.sub(r"\s", "", m))) for m in _DATA_URI.findall(text)]


def snapshot(processed: Path, pages: Path) -> dict:
    """{"versions", "processed": {name: {"bytes", "content"?}}, "pages": {name: {"text", "images"}}}."""
    versions = {name: importlib.metadata.version(name) for name in ("pyarrow", "matplotlib", "pandas")}
    out = {"versions": versions, "processed": {}, "pages": {}}
    for path in sorted(p for p in Path(processed).iterdir() if p.is_file() and not p.name.startswith(".")):
        entry = {"bytes": _sha(path.read_bytes())}
        if path.suffix == ".parquet":
            entry["content"] = table_digest(path)
        elif path.name == "manifest.json":
            entry["content"] = manifest_digest(path)
        out["processed"][path.name] = entry
    for path in sorted(Path(pages).glob("*.html")):
        text = path.read_text(encoding="utf-8")
        out["pages"][path.stem] = {"text": page_text(text), "images": page_images(text)}
    return out


def write(snap: dict, folder: Path = GOLDEN) -> None:
    """Pages' texts as files of their own (readable diffs), everything else in golden.json."""
    import json

    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pages").mkdir(exist_ok=True)
    for old in (folder / "pages").glob("*.txt"):
        old.unlink()
    for name, page in snap["pages"].items():
        (folder / "pages" / f"{name}.txt").write_text(page["text"], encoding="utf-8")
    rest = {"versions": snap["versions"], "processed": snap["processed"],
            "images": {name: page["images"] for name, page in snap["pages"].items()}}
    (folder / "golden.json").write_text(json.dumps(rest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                        encoding="utf-8")


def read(folder: Path = GOLDEN) -> dict:
    import json

    rest = json.loads((folder / "golden.json").read_text(encoding="utf-8"))
    pages = {p.stem: {"text": p.read_text(encoding="utf-8"), "images": rest["images"].get(p.stem, [])}
             for p in sorted((folder / "pages").glob("*.txt"))}
    return {"versions": rest["versions"], "processed": rest["processed"], "pages": pages}


def differences(expected: dict, actual: dict) -> list[str]:
    """What differs, one line each (empty when the reader sees the same thing)."""
    import difflib

    problems = []
    # A Parquet file's bytes name the pyarrow and pandas that wrote it (its pandas metadata): compared only when both
    # are the versions the snapshot was recorded with; the content always is.
    same_arrow = all(expected["versions"].get(k) == actual["versions"].get(k) for k in ("pyarrow", "pandas"))
    same_mpl = expected["versions"].get("matplotlib") == actual["versions"].get("matplotlib")
    for name in sorted(set(expected["processed"]) | set(actual["processed"])):
        e, a = expected["processed"].get(name), actual["processed"].get(name)
        if e is None or a is None:
            problems.append(f"processed/{name}: {'new' if e is None else 'missing'}")
        elif "content" in e:
            if e["content"] != a.get("content"):
                problems.append(f"processed/{name}: content differs")
            elif name.endswith(".parquet") and same_arrow and e["bytes"] != a["bytes"]:
                problems.append(f"processed/{name}: same content, but the Parquet bytes differ")
        elif e["bytes"] != a["bytes"]:
            problems.append(f"processed/{name}: bytes differ")
    for name in sorted(set(expected["pages"]) | set(actual["pages"])):
        e, a = expected["pages"].get(name), actual["pages"].get(name)
        if e is None or a is None:
            problems.append(f"page {name}: {'new' if e is None else 'missing'}")
            continue
        if e["text"] != a["text"]:
            diff = difflib.unified_diff(e["text"].splitlines(), a["text"].splitlines(), "golden", "now", n=0, lineterm="")
            problems.append(f"page {name}: text differs\n" + "\n".join(list(diff)[:40]))
        if len(e["images"]) != len(a["images"]):
            problems.append(f"page {name}: {len(e['images'])} images before, {len(a['images'])} now")
        elif same_mpl and e["images"] != a["images"]:
            changed = [i for i, (x, y) in enumerate(zip(e["images"], a["images"])) if x != y]
            problems.append(f"page {name}: chart images {changed} differ")
    return problems


__all__ = ["GOLDEN", "snapshot", "write", "read", "differences", "page_text", "table_digest"]
