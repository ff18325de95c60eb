"""CSV ledgers: UTF-8 (with or without BOM) or GBK/GB18030; UTF-16 refused with advice."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from analysis.ingest.read.sheet import HEAD_BYTES, ReadError, Sheet


def read_csv(path: Path, data: bytes) -> Sheet:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\0" in data[:HEAD_BYTES]:
        raise ReadError("CSV 文件是 UTF-16 编码（Excel 的“Unicode 文本”），程序只支持 UTF-8 和 GBK；"
                        "请用 Excel 或 WPS 打开后另存为“CSV UTF-8”")
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ReadError("CSV 文件编码无法识别（只支持 UTF-8 和 GBK），请用 Excel 或 WPS 另存为 UTF-8 CSV")
    try:
        rows = [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise ReadError(f"CSV 文件格式有误，无法读取（{exc}）；请用 Excel 或 WPS 打开后另存为 .xlsx") from None
    return Sheet(name=path.stem, hidden=False, rows=rows)
