"""Workbooks as reproducible bytes: the same workbook always gives the same .xlsx, whatever the clock says.

openpyxl's own save stamps the current time into docProps/core.xml and into every zip entry (the worksheets are
added from temporary files, so they carry those files' modification times). Used by the demo's ledgers and by the
报表, which both promise byte-identical output for the same input.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile

from openpyxl import Workbook
from openpyxl.writer.excel import ExcelWriter


def reproducible_xlsx(book: Workbook, when: dt.datetime) -> bytes:
    """`book` as .xlsx bytes, its document times and every zip entry's time set to `when`."""
    book.properties.created = book.properties.modified = when
    buffer = io.BytesIO()
    archive = _FixedTimeZip(buffer, "w", zipfile.ZIP_DEFLATED, allowZip64=True, when=when)
    ExcelWriter(book, archive).save()
    return buffer.getvalue()


class _FixedTimeZip(zipfile.ZipFile):
    """A ZipFile whose entries all carry one fixed time and fixed permissions."""

    def __init__(self, *args, when: dt.datetime, **kwargs):
        super().__init__(*args, **kwargs)
        self.when = when.timetuple()[:6]

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self.when)
        info.compress_type = self.compression
        info.external_attr = 0o600 << 16
        return info

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):
        if not isinstance(zinfo_or_arcname, zipfile.ZipInfo):
            zinfo_or_arcname = self._info(zinfo_or_arcname)
        super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):
        with open(filename, "rb") as f:
            data = f.read()
        self.writestr(self._info(str(arcname or filename)), data, compress_type, compresslevel)
