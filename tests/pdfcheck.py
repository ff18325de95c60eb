"""Where things land on printed pages: each page's text lines and images, top to bottom, read from a PDF
(Chromium's print of a page) with pypdf."""
from __future__ import annotations

import re
from pathlib import Path


def page_items(pdf: Path) -> list[list[tuple[float, str, str]]]:
    """Per page: (y from the page's bottom in points, "text" or "image", text) of every line and image, top to
    bottom; the page-number footer left out."""
    from pypdf import PdfReader

    pages = []
    for page in PdfReader(str(pdf)).pages:
        found: dict = {}

        def text(t, cm, tm, font, size, found=found):
            if t.strip():
                found.setdefault((round(tm[5] * cm[3] + cm[5], 1), "text"), []).append(t.strip())

        def operator(op, args, cm, tm, found=found):
            if op == b"Do":  # an image (XObject) drawn with the current transformation
                found.setdefault((round(cm[5], 1), "image"), []).append("")

        page.extract_text(visitor_text=text, visitor_operand_before=operator)
        rows = [(y, kind, "".join(parts)) for (y, kind), parts in sorted(found.items(), key=lambda kv: -kv[0][0])]
        pages.append([r for r in rows if not (r[1] == "text" and re.fullmatch(r"\d+", r[2]))])
    return pages


def headings(html: str) -> set[str]:
    return {re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", html, re.S)}


def print_problems(pdf: Path, html: str, page_height: float = 841.92) -> list[str]:
    """A page that ends with a heading, an empty page, or a page (but the last) less than half used."""
    heads, problems = headings(html), []
    pages = page_items(pdf)
    for number, rows in enumerate(pages, start=1):
        if not rows:
            problems.append(f"第 {number} 页是空白页")
            continue
        lowest_y, kind, text = rows[-1]
        if kind == "text" and text in heads:
            problems.append(f"第 {number} 页以标题“{text}”结束")
        if number < len(pages) and lowest_y > page_height / 2:
            problems.append(f"第 {number} 页只用了不到一半（内容止于距页底 {lowest_y:.0f} 点处）")
    return problems
