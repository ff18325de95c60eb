"""One sheet's layout: where the header is, which column is which, and what kind each row is.

Rows are classified as title, header, data, total, footer or blank, so that every row of a sheet
is accounted for. The header is the row (with the row above it, for two-row headers under merged
group cells) that names the most columns of the ledger's spec.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from analysis.normalize import cell_text, is_blank, value_key, year_hint
from analysis.read import Sheet, column_letter
from analysis.spec import LedgerSpec

HEADER_SEARCH_ROWS = 15
ROW_KINDS = ("title", "header", "data", "total", "footer", "blank")


@dataclass
class Layout:
    header_row: int | None = None  # zero-based index into sheet.rows
    columns: dict = field(default_factory=dict)  # spec column name -> zero-based column index
    headers: dict = field(default_factory=dict)  # spec column name -> header text as written
    personal: list = field(default_factory=list)  # headers of personal-data columns (dropped)
    unrecognised: list = field(default_factory=list)  # headers that name no known column
    duplicates: list = field(default_factory=list)  # second columns naming the same thing (ignored)
    kinds: list = field(default_factory=list)  # one of ROW_KINDS per row of the sheet
    year: int | None = None  # the year written in the title, sheet name or file name
    title_year: int | None = None  # the year written in the title rows alone (dates must agree with it)

    def missing_required(self, spec: LedgerSpec) -> list:
        return [c for c in spec.required if c.name not in self.columns]

    def column_ref(self, name: str) -> str:
        """How a person finds the column: its header and letter, e.g. 所属街道（C列）."""
        return f"{self.headers[name]}（{column_letter(self.columns[name])}列）"


def _header_candidates(rows: list[list], r: int, width: int):
    """For each column, the header text of row r, or of the row above where row r is empty there."""
    above = rows[r - 1] if r > 0 else []
    for c in range(width):
        own = cell_text(rows[r][c]) if c < len(rows[r]) else ""
        up = cell_text(above[c]) if c < len(above) else ""
        yield c, own, up


def _match_row(spec: LedgerSpec, rows, r, width):
    """Spec columns named by row r (or the row above, under a two-row header), and whether the row above
    is part of the header (it names a column, a group, a 序号 or a personal-data column)."""
    matched = {}
    for c, own, up in _header_candidates(rows, r, width):
        for text in (own, up):
            kind = spec.match_header(text)
            if kind and kind != "group":
                if kind not in ("personal", "ignored") and kind not in matched.values():
                    matched[c] = kind
                break
    above = rows[r - 1] if r > 0 else []
    return matched, any(spec.match_header(cell_text(v)) for v in above)


def find_layout(sheet: Sheet, spec: LedgerSpec, file_label: str) -> Layout:
    rows = sheet.rows
    width = max((len(r) for r in rows), default=0)
    layout = Layout()
    best, best_r, best_above = {}, None, False
    for r in range(min(len(rows), HEADER_SEARCH_ROWS)):
        matched, used_above = _match_row(spec, rows, r, width)
        if len(matched) > len(best):
            best, best_r, best_above = matched, r, used_above
    if best_r is None or len(best) < 2:
        layout.kinds = ["blank" if all(is_blank(v) for v in row) else "title" for row in rows]
        layout.year = year_hint(*(cell_text(v) for row in rows[:HEADER_SEARCH_ROWS] for v in row[:1]), sheet.name, file_label)
        return layout

    layout.header_row = best_r
    for c, own, up in _header_candidates(rows, best_r, width):
        text = next((t for t in (own, up) if spec.match_header(t) not in (None, "group")), None)
        kind = spec.match_header(text) if text else None
        if kind is None:
            if own and spec.match_header(own) is None and not _is_title_text(rows, best_r, c):
                layout.unrecognised.append(own)
        elif kind == "personal":
            layout.personal.append(text)
        elif kind == "ignored":
            continue
        elif kind in layout.columns:
            layout.duplicates.append(text)
        else:
            layout.columns[kind] = c
            layout.headers[kind] = text

    title_rows = range(0, best_r - 1 if best_above else best_r)
    title_text = " ".join(cell_text(v) for r in title_rows for v in rows[r] if not is_blank(v))
    layout.title_year = year_hint(title_text)
    layout.year = layout.title_year or year_hint(sheet.name, file_label)
    layout.kinds = [_above_kind(rows[r]) for r in title_rows]
    if best_above:
        layout.kinds.append("header")
    layout.kinds.append("header")
    header_keys = [value_key(cell_text(v)) for v in rows[best_r]]
    common = spec.common
    for row in rows[best_r + 1:]:
        layout.kinds.append(_row_kind(row, header_keys, common))
    return layout


def _is_title_text(rows, r, c) -> bool:
    """A cell of the header row that only repeats a merged title from above is not a header."""
    return r > 0 and c < len(rows[r - 1]) and cell_text(rows[r - 1][c]) == cell_text(rows[r][c])


def _above_kind(row) -> str:
    return "blank" if all(is_blank(v) for v in row) else "title"


def _row_kind(row, header_keys, common) -> str:
    texts = [value_key(cell_text(v)) for v in row]
    filled = [t for t in texts if t]
    if not filled:
        return "blank"
    if texts == header_keys[: len(texts)] or texts[: len(header_keys)] == header_keys:
        return "header"  # the header repeated (e.g. after a page break)
    first = filled[:2]
    if any(t.startswith(w) for t in first for w in common.total_words):
        return "total"
    if any(filled[0].startswith(w) for w in common.footer_words):
        return "footer"
    return "data"
