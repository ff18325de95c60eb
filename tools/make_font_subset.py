"""Build the Chinese font shipped in src/analysis/report/fonts/ (reproducible).

Source: Noto Sans CJK SC Regular (SIL Open Font License 1.1) from Debian's package
fonts-noto-cjk (``apt-get install fonts-noto-cjk``), i.e. the "Noto Sans CJK SC" face of
/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc. A stand-alone NotoSansCJKsc-Regular.otf
or NotoSansSC-Regular.otf can be given with --source instead.

What it does:
  1. picks the face whose family name is "Noto Sans CJK SC" (Regular) from the collection and
     refuses to go on unless its name table says SIL Open Font License 1.1;
  2. subsets it with fontTools to: all of GB2312 (its 6,763 hanzi and 682 symbols, found by
     decoding every GB2312 code point), ASCII, Latin-1, full-width forms, CJK punctuation and the
     symbols a briefing needs (▲ ▼ — − ％ ㎡ ² · • … “ ” 《 》 ...), horizontal layout only,
     no hinting;
  3. converts the CFF outlines to TrueType (quadratic) outlines, so the result is a plain .ttf
     that every matplotlib backend (Agg, PDF, PS, SVG) and every browser handles;
  4. renames the family to "Briefing Sans SC" (a Modified Version must not use the Reserved
     Font Name "Source", and a name of its own keeps matplotlib from ever confusing it with a
     full Noto CJK installed on the machine), keeping copyright, licence and trademark notices;
  5. writes OFL.txt (the licence text from Debian's copyright file, with the font's copyright
     line) next to the font.

Run from the project root:
    /tmp/venv/bin/python tools/make_font_subset.py            # writes src/analysis/report/fonts/
    /tmp/venv/bin/python tools/make_font_subset.py --check    # only prints what it would ship
"""
from __future__ import annotations

import argparse
import hashlib
import sys
import unicodedata
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parents[1]
OUT_DIR = ROOT / "src" / "analysis" / "report" / "fonts"
OUT_NAME = "BriefingSansSC-Regular.ttf"
DEFAULT_SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
DEBIAN_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")

SOURCE_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC")
NEW_FAMILY = "Briefing Sans SC"
NEW_PS_NAME = "BriefingSansSC-Regular"
UPSTREAM_COPYRIGHT = "Copyright 2014-2021 Adobe (http://www.adobe.com/), with Reserved Font Name 'Source'."

# Code point ranges added on top of GB2312; only those the source font has are kept.
EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement: ² ³ · × ÷ ° ± ...
    (0x2010, 0x2027),  # general punctuation: ‐ – — ‘ ’ “ ” • … ‧
    (0x2030, 0x203B),  # ‰ ′ ″ ※
    (0x2100, 0x2122),  # letterlike: ℃ ℉ № ™
    (0x2150, 0x218B),  # number forms: ½ Ⅰ-Ⅻ
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators: − ≈ ≠ ≤ ≥ ∑ ...
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ... ⑳
    (0x25A0, 0x25FF),  # geometric shapes: ■ □ ▲ △ ▼ ▽ ● ○ ◆ ...
    (0x2600, 0x2606),  # ★ ☆
    (0x2713, 0x2718),  # ✓ ✔ ✕ ✖ ✗ ✘
    (0x3000, 0x303F),  # CJK symbols and punctuation
    (0x3200, 0x32FF),  # enclosed CJK letters: ㈠ ㊀ ...
    (0x3380, 0x33FF),  # CJK compatibility: ㎡ ㎥ ㎞ ㎏ ...
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF01, 0xFF5E),  # full-width ASCII forms
    (0xFF5F, 0xFFEF),  # half-width and full-width forms: ￥ ￠ ...
]
# Characters the project needs that are in none of the sets above (add here, then re-run).
EXTRA_CHARS = "▲▼△▽—–−－％㎡²³·•…“”‘’《》〈〉「」『』【】、。，：；（）！？￥"

# Horizontal layout only. "locl" is left out on purpose: in the SC face it only maps to the
# Japanese/Korean/Traditional glyph variants, which would double the glyph count.
KEEP_FEATURES = ["ccmp", "calt", "liga", "kern", "mark", "mkmk"]


def gb2312_chars() -> set[str]:
    """Every character of GB2312 (rows 0xA1-0xF7, cells 0xA1-0xFE) decoded with Python's codec."""
    chars = set()
    for hi in range(0xA1, 0xF8):
        for lo in range(0xA1, 0xFF):
            try:
                chars.add(bytes((hi, lo)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    return chars


def is_hanzi(ch: str) -> bool:
    return unicodedata.name(ch, "").startswith("CJK UNIFIED IDEOGRAPH")


def wanted_codepoints(source_cmap: dict[int, str]) -> tuple[set[int], int]:
    gb = gb2312_chars()
    n_hanzi = sum(is_hanzi(c) for c in gb)
    if n_hanzi != 6763:
        raise SystemExit(f"GB2312 decoding gave {n_hanzi} hanzi, expected 6763")
    missing_hanzi = sorted(c for c in gb if is_hanzi(c) and ord(c) not in source_cmap)
    if missing_hanzi:
        raise SystemExit(f"source font lacks GB2312 hanzi: {''.join(missing_hanzi)}")
    cps = {ord(c) for c in gb}
    for lo, hi in EXTRA_RANGES:
        cps.update(range(lo, hi + 1))
    cps.update(ord(c) for c in EXTRA_CHARS)
    for c in EXTRA_CHARS:
        if ord(c) not in source_cmap:
            raise SystemExit(f"source font lacks required symbol {c!r} U+{ord(c):04X}")
    return {cp for cp in cps if cp in source_cmap}, n_hanzi


def open_source_face(path: Path) -> TTFont:
    fonts = TTCollection(str(path)).fonts if path.suffix.lower() in (".ttc", ".otc") else [TTFont(str(path))]
    for font in fonts:
        name = font["name"]
        if name.getDebugName(1) in SOURCE_FAMILIES and name.getDebugName(2) == "Regular":
            return font
    found = [f["name"].getDebugName(4) for f in fonts]
    raise SystemExit(f"no Noto Sans (CJK) SC Regular face in {path}; faces: {found}")


def check_licence(font: TTFont) -> str:
    licence = font["name"].getDebugName(13) or ""
    if "SIL Open Font License" not in licence or "1.1" not in licence:
        raise SystemExit(f"font licence is not SIL OFL 1.1: {licence!r}")
    return licence


def cff_to_glyf(font: TTFont, max_err: float = 1.0) -> None:
    """Replace the CFF table by TrueType outlines (cubic -> quadratic, max error in font units)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = {}
    for gname in glyph_order:
        pen = TTGlyphPen(None)
        glyph_set[gname].draw(Cu2QuPen(pen, max_err, reverse_direction=True))
        glyf.glyphs[gname] = pen.glyph()
    font["glyf"] = glyf
    font["loca"] = newTable("loca")
    del font["CFF "]
    if "VORG" in font:
        del font["VORG"]
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxZones", "maxTwilightPoints", "maxStorage", "maxFunctionDefs",
                 "maxInstructionDefs", "maxStackElements", "maxSizeOfInstructions"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    head = font["head"]
    head.glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"
    for gname in glyph_order:  # left side bearings must match the new bounding boxes
        g = glyf[gname]
        g.recalcBounds(glyf)
        adv, _ = font["hmtx"][gname]
        font["hmtx"][gname] = (adv, getattr(g, "xMin", 0))


def rename(font: TTFont, source_version: str, n_hanzi: int, n_chars: int) -> None:
    name = font["name"]
    name.names = [r for r in name.names if r.nameID not in (1, 2, 3, 4, 6, 16, 17, 10, 5)]
    version = source_version.split(";")[0]  # "Version 2.004"
    records = {
        1: NEW_FAMILY,
        2: "Regular",
        3: f"{version.split()[-1]};{NEW_PS_NAME};subset",
        4: NEW_FAMILY,
        5: f"{version}; subset of Noto Sans CJK SC",
        6: NEW_PS_NAME,
        10: (f"Subset of Noto Sans CJK SC Regular ({source_version}) made with fontTools for the "
             f"analysis package: GB2312 ({n_hanzi} hanzi) plus ASCII, Latin-1, CJK punctuation, "
             f"full-width forms and briefing symbols, {n_chars} characters. Renamed because the "
             f"licence reserves the name 'Source' and to keep it apart from installed Noto fonts."),
    }
    for nid, text in records.items():
        name.setName(text, nid, 3, 1, 0x409)
    font["OS/2"].achVendID = "NONE"


def build(source: Path) -> tuple[TTFont, dict]:
    font = open_source_face(source)
    licence = check_licence(font)
    source_version = font["name"].getDebugName(5)
    cmap = {cp: g for cp, g in font.getBestCmap().items()}
    cps, n_hanzi = wanted_codepoints(cmap)

    options = subset.Options()
    options.layout_features = KEEP_FEATURES
    options.hinting = False
    options.desubroutinize = True  # the outlines are converted to glyf afterwards anyway
    options.name_IDs = ["*"]
    options.name_languages = [0x409]
    options.notdef_outline = True
    options.recalc_bounds = True
    options.drop_tables += ["vhea", "vmtx", "VORG", "BASE"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(cps))
    subsetter.subset(font)

    cff_to_glyf(font)
    font.recalcTimestamp = False  # keep the source's head.modified: same input, same bytes
    rename(font, source_version, n_hanzi, len(cps))
    info = {
        "source": str(source),
        "source_version": source_version,
        "licence": licence,
        "characters": len(cps),
        "hanzi": n_hanzi,
        "glyphs": len(font.getGlyphOrder()),
    }
    return font, info


def ofl_text() -> str:
    """The OFL 1.1 text from Debian's machine-readable copyright file, with the font's copyright."""
    text = DEBIAN_COPYRIGHT.read_text(encoding="utf-8")
    start = text.index("\nLicense: SIL-1.1\n ")  # the stand-alone licence paragraph
    block = text[start + 1:].split("\n", 1)[1]
    lines = []
    for line in block.splitlines():
        if not line.startswith(" "):
            break
        body = line[1:]
        lines.append("" if body == "." else body)
    licence = "\n".join(lines).strip("\n")
    if "SIL OPEN FONT LICENSE Version 1.1" not in licence or "DISCLAIMER" not in licence:
        raise SystemExit("could not read the OFL 1.1 text from " + str(DEBIAN_COPYRIGHT))
    header = (
        f"{UPSTREAM_COPYRIGHT}\n"
        "Noto is a trademark of Google Inc.\n"
        "\n"
        f"{OUT_NAME} (\"{NEW_FAMILY}\") is a Modified Version (a subset) of Noto Sans CJK SC\n"
        "Regular 2.004, renamed so that it uses no Reserved Font Name.\n"
        "\n"
        "This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        "This license is copied below, and is also available with a FAQ at:\n"
        "https://openfontlicense.org\n"
        "\n"
        "\n"
    )
    return header + licence + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--check", action="store_true", help="build in memory, write nothing")
    args = parser.parse_args(argv)
    if not args.source.exists():
        print(f"{args.source} not found: apt-get install fonts-noto-cjk (or pass --source)", file=sys.stderr)
        return 1
    font, info = build(args.source)
    if args.check:
        for k, v in info.items():
            print(f"{k}: {v}")
        return 0
    args.out_dir.mkdir(parents=True, exist_ok=True)
    out = args.out_dir / OUT_NAME
    font.save(str(out))
    (args.out_dir / "OFL.txt").write_text(ofl_text(), encoding="utf-8")
    data = out.read_bytes()
    TTFont(str(out))  # reopen: must be a valid font
    info["bytes"] = len(data)
    info["sha256"] = hashlib.sha256(data).hexdigest()
    for k, v in info.items():
        print(f"{k}: {v}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
