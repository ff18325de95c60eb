"""The run's assembly as a pure function (file results in; tables, rejects and manifest out, no disk written), and
the typed records it makes: built once, totals that are sums, manifest.json read back into the same records."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import write_xlsx

from analysis.ingest.assemble import Planned, assemble
from analysis.ingest.discover import RawFile
from analysis.ingest.file_result import FileResult, clean_file
from analysis.ingest.records import LedgerRecord, Manifest

DAY = dt.date(2024, 6, 1)
GAS = ["日期", "街道", "单位名称", "单位类型", "发现隐患"]


def _results(tmp_path, ledger: str, books: dict) -> tuple[dict, dict]:
    """Each workbook cleaned alone: (the plan of one ledger, key → FileResult)."""
    plan, results = {ledger: []}, {}
    for name, sheets in books.items():
        path = write_xlsx(tmp_path / name, sheets)
        digest, data, _ = clean_file(path, name, ledger, DAY)
        raw = RawFile(rel=name, path=path, ledger=ledger, digest=digest)
        plan[ledger].append(Planned(raw, key=name))
        results[name] = FileResult.from_bytes(data)
    return plan, results


def _consistent(manifest: Manifest) -> None:
    """Every sheet read: its data rows are kept or rejected; every ledger's totals are the sums of its files."""
    for f in manifest.files:
        for s in f.read_sheets:
            assert s.data_rows == s.kept + s.rejected, (f.file, s.sheet)
    for ledger, total in manifest.ledgers.items():
        files = [f for f in manifest.files if f.ledger == ledger]
        assert total == LedgerRecord.of(total.label, files, total.output, total.years,
                                        {name: c["label"] for name, c in total.catch_all.items()})


def test_a_resent_copy_is_counted_once_and_its_own_rejects_kept(tmp_path):
    rows = [[f"2024-03-0{d}", "焦南", f"饭店{d}", "餐饮", d] for d in range(1, 4)]
    plan, results = _results(tmp_path, "gas_safety", {
        "a.xlsx": {"S": [GAS, *rows]},
        "b.xlsx": {"S": [GAS, *rows, ["不是日期", "焦南", "饭店", "餐饮", 1]], "空表": []},
    })
    run = assemble(plan, results, skipped=[], strict=False, synthetic=False)
    a, b = run.manifest.files
    assert (a.status, b.status, b.duplicate_of, b.rows_rejected) == ("ok", "duplicate", "a.xlsx", 1)
    assert "另有 1 行被剔除" in b.reason
    total = run.manifest.ledgers["gas_safety"]
    assert (total.files, total.duplicates, total.rows_kept, total.rows_rejected) == (1, 1, 3, 1)
    assert run.outputs["rejects.csv"].decode("utf-8-sig").count("b.xlsx") == 1
    _consistent(run.manifest)


def test_rows_left_out_by_one_row_per_key_are_in_the_sheet_records_made_once(tmp_path):
    """work_figures has one row per year and item: a figure filed twice with other values is counted in neither."""
    head = ["年度", "项目", "数量"]
    plan, results = _results(tmp_path, "work_figures", {
        "a.xlsx": {"S": [head, [2023, "执法记录仪", 50], [2023, "宣教活动", 3]]},
        "b.xlsx": {"S": [head, [2023, "执法记录仪", 51]]},
    })
    before = {k: r.record for k, r in results.items()}
    run = assemble(plan, results, skipped=[], strict=True, synthetic=False)
    a, b = run.manifest.files
    assert (a.sheets[0].kept, a.sheets[0].rejected, b.sheets[0].kept, b.sheets[0].rejected) == (1, 1, 0, 1)
    assert {k: r.record for k, r in results.items()} == before  # the results it was given are not changed
    assert run.manifest.exit_code == 1  # strict, and rows were rejected
    _consistent(run.manifest)


def test_manifest_json_is_read_back_into_the_same_records(tmp_path):
    plan, results = _results(tmp_path, "gas_safety", {
        "a.xlsx": {"S": [GAS, ["2024-03-01", "焦南", "饭店", "餐饮", 1], ["2099-01-01", "焦南", "饭店", "餐饮", 1]],
                   "隐藏": [GAS], "汇总": [["街道", "发现隐患"], ["焦南", 3]]},
    })
    plan["gas_safety"].append(Planned(RawFile(rel="c.xlsx", path=tmp_path / "c.xlsx", ledger="gas_safety",
                                              problem="文件无法打开（没有读取权限）")))
    run = assemble(plan, results, skipped=[{"file": "x.txt", "reason": "不是台账文件"}], strict=False, synthetic=True)
    data = run.outputs["manifest.json"]
    again = Manifest.from_json(json.loads(data))
    assert again == run.manifest
    assert again.json_bytes() == data
    _consistent(again)


def test_a_result_holds_from_its_day_until_its_first_future_date(tmp_path):
    plan, results = _results(tmp_path, "gas_safety", {
        "a.xlsx": {"S": [GAS, ["2024-06-05", "焦南", "饭店", "餐饮", 1], ["2024-06-09", "焦南", "饭店", "餐饮", 1]]},
        "b.xlsx": {"S": [GAS, ["2024-05-05", "焦南", "饭店", "餐饮", 1]]},
    })
    a, b = results["a.xlsx"], results["b.xlsx"]
    assert (a.cleaned_on, a.valid_until, b.valid_until) == ("2024-06-01", "2024-06-05", None)
    assert [a.valid_on(DAY + dt.timedelta(days=n)) for n in (-1, 0, 3, 4)] == [False, True, True, False]
    assert b.valid_on(dt.date(2100, 1, 1))


def test_a_cached_result_reads_its_rows_only_when_asked_and_gives_back_the_same_entry(tmp_path):
    """A run holds every file's result: the rows stay the entry's (compressed) bytes until a ledger is built from
    them, and read back they are the rows the file was cleaned into, in every column and type."""
    rows = [[f"2024-03-{d:02d}", "焦南", f"饭店{d % 7}", "餐饮", d % 4] for d in range(1, 29)]
    path = write_xlsx(tmp_path / "a.xlsx", {"S": [GAS, *rows]})
    _, data, _ = clean_file(path, "a.xlsx", "gas_safety", DAY)
    result = FileResult.from_bytes(data)
    assert isinstance(result.rows, bytes) and result.to_bytes() == data
    table = result.table
    assert table.schema.metadata is None
    assert table.column("hazards_found").to_pylist() == [d % 4 for d in range(1, 29)]
    assert table.column("unit_name").to_pylist() == [f"饭店{d % 7}" for d in range(1, 29)]
    assert table.column("date").to_pylist() == [dt.date(2024, 3, d) for d in range(1, 29)]
    assert table.column("source_row").to_pylist() == list(range(2, 30))
    assert set(table.column("source_file").to_pylist()) == {"a.xlsx"}
    again = FileResult(result.record, table, result.rejects, result.content, result.cleaned_on, result.valid_until)
    assert FileResult.from_bytes(again.to_bytes()).table.equals(table)
    assert again.to_bytes() == data  # the same result, the same entry


def test_a_large_result_is_cached_compressed_and_a_small_one_plain(tmp_path):
    import pyarrow as pa

    from analysis.ingest.file_result import COMPRESS_FROM

    if not pa.Codec.is_available("zstd"):
        pytest.skip("this pyarrow was built without zstd: every entry is plain")
    rows = [[f"2024-03-{d:02d}", "焦南", f"饭店{d}", "餐饮", d % 4] for d in range(1, 29)]
    path = write_xlsx(tmp_path / "a.xlsx", {"S": [GAS, *rows]})
    small = FileResult.from_bytes(clean_file(path, "a.xlsx", "gas_safety", DAY)[1])
    big_rows = pa.concat_tables([small.table] * (COMPRESS_FROM // small.table.nbytes + 50)).combine_chunks()
    big = FileResult(small.record, big_rows, small.rejects, small.content, small.cleaned_on)
    entry = big.to_bytes()
    assert big_rows.nbytes >= COMPRESS_FROM and len(entry) < big_rows.nbytes / 3
    assert FileResult.from_bytes(entry).table.equals(big_rows)
    assert len(small.to_bytes()) > small.table.nbytes  # plain: the rows, their schema and the record
    assert FileResult.from_bytes(small.to_bytes()).table.equals(small.table)
