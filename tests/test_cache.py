"""The cache cannot lie: an entry is keyed by the bytes that were cleaned, the specs and the code, and checked
against its checksum when it is loaded; whatever happens to it, the outputs are those of a fresh clean."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import write_xlsx

from analysis.commands.cli import main
from analysis.ingest import cache as cache_module
from analysis.ingest import file_result
from analysis.ingest.pipeline import clean
from analysis.ingest.tables import OutputsIncomplete, load_manifest, load_rejects, load_table

HEADER = ["日期", "街道", "单位名称", "单位类型", "发现隐患"]


def _gas(path: Path, rows: list) -> Path:
    return write_xlsx(path, {"S": [HEADER, *rows]})


def _outputs(folder: Path) -> dict:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")}


class Said(list):
    def __call__(self, *args, **kwargs):
        self.append(" ".join(map(str, args)))

    @property
    def text(self) -> str:
        return "\n".join(self)


@pytest.fixture
def two_files(tmp_path):
    """raw/gas_safety/a.xlsx (餐饮 rows) and b.xlsx, which the tests switch between two versions to force a run."""
    raw = tmp_path / "raw"
    _gas(raw / "gas_safety" / "a.xlsx", [[f"2023-03-0{d}", "焦南", f"饭店{d}", "餐饮", d] for d in range(1, 8)])
    versions = {}
    for v in (1, 2):
        versions[v] = _gas(tmp_path / f"b{v}.xlsx", [["2023-04-01", "王褚", "超市", "大型商超", v]]).read_bytes()
    references = {}
    for v in (1, 2):
        (raw / "gas_safety" / "b.xlsx").write_bytes(versions[v])
        clean(raw, tmp_path / f"reference{v}", echo=Said())
        references[v] = _outputs(tmp_path / f"reference{v}")
    return raw, versions, references


def _entry_of(out: Path, rel: str) -> Path:
    """The cache entry of one file (the key is the same as the pipeline's)."""
    manifest = load_manifest(out)
    digest = next(f["sha256"] for f in manifest["files"] if f["file"] == rel)
    return out / ".cache" / "files" / f"{cache_module.FileCache(out).key(rel, digest, 'gas_safety')}.arrow"


def _damage_and_rerun(raw, versions, references, out, damage, version) -> Said:
    entry = _entry_of(out, "gas_safety/a.xlsx")
    good = entry.read_bytes()
    damage(entry, good)
    (raw / "gas_safety" / "b.xlsx").write_bytes(versions[version])  # another file changed: the run reads the cache
    said = Said()
    assert clean(raw, out, echo=said).exit_code == 0
    assert _outputs(out) == references[version], "the outputs are not those of a fresh clean"
    assert entry.read_bytes() == good  # cleaned again and stored right
    return said


@pytest.mark.slow  # ~60 cleans
def test_every_flipped_bit_of_an_entry_is_caught_and_the_file_cleaned_again(tmp_path, two_files):
    raw, versions, references = two_files
    out = tmp_path / "out"
    clean(raw, out, echo=Said())
    size = len(_entry_of(out, "gas_safety/a.xlsx").read_bytes())
    positions = sorted({0, 4, 35, 36, size - 1} | set(range(0, size, max(1, size // 60))))
    for n, pos in enumerate(positions):
        def flip(entry, good, pos=pos, n=n):
            data = bytearray(good)
            data[pos] ^= 1 << (n % 8)
            entry.write_bytes(bytes(data))
        said = _damage_and_rerun(raw, versions, references, out, flip, 1 + n % 2)
        assert "gas_safety/a.xlsx 上次的清洗结果已丢失或损坏" in said.text, pos
    assert len(positions) >= 60


def test_an_entry_cut_short_anywhere_is_cleaned_again(tmp_path, two_files):
    raw, versions, references = two_files
    out = tmp_path / "out"
    clean(raw, out, echo=Said())
    size = len(_entry_of(out, "gas_safety/a.xlsx").read_bytes())
    for n, length in enumerate([0, 1, 4, 36, 100, 400, size // 2, size - 8, size - 1]):  # 400: after the schema
        said = _damage_and_rerun(raw, versions, references, out,
                                 lambda entry, good, length=length: entry.write_bytes(good[:length]), 1 + n % 2)
        assert "上次的清洗结果已丢失或损坏" in said.text and "Traceback" not in said.text


def test_a_missing_or_unreadable_entry_is_cleaned_again_and_said(tmp_path, two_files, monkeypatch):
    raw, versions, references = two_files
    out = tmp_path / "out"
    clean(raw, out, echo=Said())
    said = _damage_and_rerun(raw, versions, references, out, lambda entry, good: entry.unlink(), 1)
    assert "gas_safety/a.xlsx 上次的清洗结果已丢失或损坏" in said.text
    entry = _entry_of(out, "gas_safety/a.xlsx")
    real = Path.read_bytes

    def unreadable(path):
        if path == entry:
            raise PermissionError(13, "Permission denied", str(path))
        return real(path)

    (raw / "gas_safety" / "b.xlsx").write_bytes(versions[2])
    said = Said()
    with monkeypatch.context() as mp:
        mp.setattr(Path, "read_bytes", unreadable)
        assert clean(raw, out, echo=said).exit_code == 0
    assert _outputs(out) == references[2]
    assert "gas_safety/a.xlsx 上次的清洗结果已丢失或损坏" in said.text


def test_a_file_replaced_while_it_is_read_is_never_cached_under_the_other_content(tmp_path, monkeypatch):
    """a.xlsx is hashed, then replaced by a copy of b.xlsx before it is read; put back byte for byte, it is a's rows
    again (it used to stay "duplicate" with 0 rows: its entry had been stored under a's old hash)."""
    raw = tmp_path / "raw"
    a = _gas(raw / "gas_safety" / "a.xlsx", [["2023-03-01", "焦南", "饭店", "餐饮", 2], ["2023-03-02", "焦南", "饭馆", "餐饮", 1]])
    b = _gas(raw / "gas_safety" / "b.xlsx", [["2023-04-01", "王褚", "超市", "大型商超", 3]])
    original = a.read_bytes()
    clean(raw, tmp_path / "reference", echo=Said())
    real, replaced = file_result.read_bytes, []

    def replaced_while_read(path):
        if path == a and not replaced:
            replaced.append(path)
            shutil.copyfile(b, a)
        return real(path)

    monkeypatch.setattr(file_result, "read_bytes", replaced_while_read)
    out = tmp_path / "out"
    clean(raw, out, echo=Said())
    assert replaced
    records = {f["file"]: f for f in load_manifest(out)["files"]}
    assert records["gas_safety/a.xlsx"]["status"] == "ok"  # what a.xlsx is now, read in full
    assert records["gas_safety/b.xlsx"]["status"] == "duplicate"
    a.write_bytes(original)  # put back byte for byte
    said = Said()
    clean(raw, out, echo=said)
    assert "没有变化" not in said.text
    assert _outputs(out) == _outputs(tmp_path / "reference")
    assert load_table(out, "gas_safety")["unit_name"].tolist() == ["饭店", "饭馆", "超市"]


def test_the_key_covers_the_code_that_cleans(tmp_path, monkeypatch):
    copy = tmp_path / "ingest"
    shutil.copytree(cache_module.INGEST_DIR, copy, ignore=shutil.ignore_patterns("__pycache__"))
    fingerprint = cache_module.code_fingerprint.__wrapped__  # not the once-per-run value
    assert fingerprint(copy) == cache_module.code_fingerprint()
    with open(copy / "normalize.py", "a", encoding="utf-8") as f:
        f.write("\n# a fix of how dates are read\n")
    assert fingerprint(copy) != cache_module.code_fingerprint()

    raw = tmp_path / "raw"
    _gas(raw / "gas_safety" / "a.xlsx", [["2023-03-01", "焦南", "饭店", "餐饮", 2]])
    out = tmp_path / "out"
    clean(raw, out, echo=Said())
    reads = []
    real = file_result.read_sheets
    monkeypatch.setattr(file_result, "read_sheets", lambda path, *a: reads.append(path.name) or real(path, *a))
    said = Said()
    clean(raw, out, echo=said)
    assert reads == [] and "没有变化" in said.text
    monkeypatch.setattr(cache_module, "code_fingerprint", lambda: "an upgrade")  # the code that cleans changed
    said = Said()
    clean(raw, out, echo=said)
    assert reads == ["a.xlsx"] and "没有变化" not in said.text


def test_outputs_edited_by_a_person_are_refused_by_readers_and_replaced_by_the_next_clean(tmp_path, capsys):
    raw = tmp_path / "raw"
    _gas(raw / "gas_safety" / "a.xlsx", [["2023-03-01", "火星街道", "饭店", "餐饮", 2], ["2023-03-02", "焦南", "饭店", "餐饮", 1]])
    out = tmp_path / "out"
    clean(raw, out, echo=Said())
    expected = _outputs(out)
    rejects = out / "rejects.csv"
    rejects.write_bytes(rejects.read_bytes().replace(b",", b";"))  # opened in Excel and saved again
    with pytest.raises(OutputsIncomplete, match="不完整.*rejects.csv.*请重新运行 analysis clean"):
        load_rejects(out)
    load_table(out, "gas_safety")  # the rest still belongs to the manifest
    assert main(["clean", "--raw", str(raw), "--out", str(out)]) == 0
    assert "没有变化" not in capsys.readouterr().out
    assert _outputs(out) == expected


def test_outputs_of_an_older_version_without_checksums_are_refused_and_cleaned_again(tmp_path):
    raw = tmp_path / "raw"
    _gas(raw / "gas_safety" / "a.xlsx", [["2023-03-01", "焦南", "饭店", "餐饮", 2]])
    out = tmp_path / "out"
    clean(raw, out, echo=Said())
    expected = _outputs(out)
    manifest = out / "manifest.json"
    import json

    old = json.loads(manifest.read_text(encoding="utf-8"))
    del old["outputs"]
    manifest.write_text(json.dumps(old, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(OutputsIncomplete, match="旧版"):
        load_table(out, "gas_safety")
    said = Said()
    clean(raw, out, echo=said)
    assert "没有变化" not in said.text and _outputs(out) == expected
