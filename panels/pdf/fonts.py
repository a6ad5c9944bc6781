"""The fonts the documents embed, and which one prints each run of characters.

Every name must print as written: DejaVu Sans (Latin with its extensions, Vietnamese,
Greek, Cyrillic) is the documents' font; Noto Sans Arabic, Hebrew, Bengali and Devanagari
take the runs of their scripts. All ship in `fonts/` (README there) and ReportLab subsets
each into the PDFs that use it.

Runs of the complex scripts are shaped here with HarfBuzz (uharfbuzz), not by ReportLab:
Arabic letters join, Bengali conjuncts form, and right-to-left runs come out in visual
order. Each shaped glyph is printed through a code of its own (`_ShapedFont`) whose
ToUnicode entry is the text it stands for, so copying, searching and screen readers get
the name back in its logical order ("يوسف", not its glyphs reversed or their presentation
forms). ReportLab's own shaping maps a glyph to the first character the font gives it,
which reads back wrong for joined Arabic and reordered Bengali.

A character no shipped font has prints as a visible placeholder, "[U+1F44D]", never a
box; `unprintable_characters` lists them for the coordinator before approval.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, fields, is_dataclass
from functools import cache, lru_cache
from pathlib import Path

import uharfbuzz
from reportlab.lib.fonts import addMapping
from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.ttfonts import TTFont

from .normalise import INVISIBLE_CHARACTERS

FONT_DIR = Path(__file__).parent / "fonts"

FONT = "Doc"
FONT_BOLD = "Doc-Bold"
FONT_ITALIC = "Doc-Italic"

_FILES = {
    FONT: "DejaVuSans.ttf",
    FONT_BOLD: "DejaVuSans-Bold.ttf",
    FONT_ITALIC: "DejaVuSans-Oblique.ttf",
    "DocArabic": "NotoSansArabic-Regular.ttf",
    "DocArabic-Bold": "NotoSansArabic-Bold.ttf",
    "DocHebrew": "NotoSansHebrew-Regular.ttf",
    "DocHebrew-Bold": "NotoSansHebrew-Bold.ttf",
    "DocBengali": "NotoSansBengali-Regular.ttf",
    "DocBengali-Bold": "NotoSansBengali-Bold.ttf",
    "DocDevanagari": "NotoSansDevanagari-Regular.ttf",
    "DocDevanagari-Bold": "NotoSansDevanagari-Bold.ttf",
}
_SHAPED = frozenset(name for name in _FILES if not name.startswith(FONT + "-") and name != FONT)

# The script fonts, by the blocks whose characters they take first.
_SCRIPT_RANGES = (
    ((0x0600, 0x06FF), "DocArabic"),
    ((0x0750, 0x077F), "DocArabic"),
    ((0x08A0, 0x08FF), "DocArabic"),
    ((0xFB50, 0xFDFF), "DocArabic"),
    ((0xFE70, 0xFEFF), "DocArabic"),
    ((0x0590, 0x05FF), "DocHebrew"),
    ((0xFB1D, 0xFB4F), "DocHebrew"),
    ((0x0980, 0x09FF), "DocBengali"),
    ((0x0900, 0x097F), "DocDevanagari"),
    ((0xA8E0, 0xA8FF), "DocDevanagari"),
)
_FALLBACKS = ("DocArabic", "DocHebrew", "DocBengali", "DocDevanagari")
# Joiners a shaped script needs (Persian and Bengali spellings use them); elsewhere they,
# and everything else that prints nothing, are left out rather than shown as a code.
_SHAPING_JOINERS = frozenset("\u200c\u200d")

_lock = threading.RLock()


# --- Loading ----------------------------------------------------------------------------


class _ShapedFont(TTFont):
    """A TrueType font whose glyphs HarfBuzz chose are printed through codes of their own:
    each code is one glyph, and its ToUnicode entry the text that glyph stands for."""

    def __init__(self, name: str, path: str) -> None:
        super().__init__(name, path, asciiReadable=False, shapable=False)
        self._hb_face = uharfbuzz.Face(uharfbuzz.Blob(self.face._ttf_data))
        self._units = self._hb_face.upem
        self._codes: dict[tuple[int, str], int] = {}
        self._text_of: dict[int, str] = {}
        self._next_code = 0xF0000  # plane 15, private use: no font in `fonts/` maps it

    def shaped(self, text: str) -> str:
        """`text` (one run of this font's script) as the codes of its glyphs, in the order
        they are drawn from left to right."""
        return _shaped(self, text)

    def _shape(self, text: str) -> str:
        buffer = uharfbuzz.Buffer()
        buffer.add_str(text)
        buffer.guess_segment_properties()
        buffer.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
        uharfbuzz.shape(uharfbuzz.Font(self._hb_face), buffer, {"kern": True, "liga": True})
        infos = buffer.glyph_infos
        advances = [position.x_advance for position in buffer.glyph_positions]
        right_to_left = buffer.direction == "rtl"
        starts = sorted({info.cluster for info in infos})
        ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
        # The glyphs of each cluster, in reading order (drawn right to left in RTL runs).
        reading = list(range(len(infos)))
        if right_to_left:
            reading.reverse()
        glyphs_of: dict[int, list[int]] = {}
        for n in reading:
            glyphs_of.setdefault(infos[n].cluster, []).append(n)
        said: dict[int, str] = {}
        for cluster, glyphs in glyphs_of.items():
            chars = text[cluster : ends[cluster]]
            if len(glyphs) == 1:
                said[glyphs[0]] = _one_glyph_text(chars, right_to_left)
                continue
            # More glyphs than one (a Bengali vowel drawn before its consonant): one
            # character each in reading order, the rest on the last.
            for k, n in enumerate(glyphs):
                last = k == len(glyphs) - 1
                said[n] = chars[k:] if last else chars[k : k + 1]
        with _lock:
            return "".join(
                chr(self._code(infos[n].codepoint, said[n], advances[n])) for n in range(len(infos))
            )

    def _code(self, glyph: int, text: str, advance: int) -> int:
        code = self._codes.get((glyph, text))
        if code is None:
            code = self._next_code
            self._next_code += 1
            self._codes[(glyph, text)] = code
            self._text_of[code] = text
            face = self.face
            face.charToGlyph[code] = glyph
            face.glyphToChar.setdefault(glyph, []).append(code)
            face.charWidths[code] = advance * 1000 / self._units
        return code

    def addObjects(self, doc) -> None:
        """ReportLab's, with a ToUnicode map that gives each shaped code its text."""
        with _lock:
            original = ttfonts.makeToUnicodeCMap
            ttfonts.makeToUnicodeCMap = self._to_unicode_cmap
            try:
                super().addObjects(doc)
            finally:
                ttfonts.makeToUnicodeCMap = original

    def _to_unicode_cmap(self, fontname: str, subset: list[int]) -> str:
        entries = []
        for index, code in enumerate(subset):
            text = self._text_of.get(code, chr(code))
            if text:
                entries.append(f"<{index:02X}> <{text.encode('utf-16-be').hex().upper()}>")
        return "\n".join(
            [
                "/CIDInit /ProcSet findresource begin",
                "12 dict begin",
                "begincmap",
                "/CIDSystemInfo",
                f"<< /Registry ({fontname})",
                f"/Ordering ({fontname})",
                "/Supplement 0",
                ">> def",
                f"/CMapName /{fontname} def",
                "/CMapType 2 def",
                "1 begincodespacerange",
                f"<00> <{len(subset) - 1:02X}>",
                "endcodespacerange",
                f"{len(entries)} beginbfchar",
                *entries,
                "endbfchar",
                "endcmap",
                "CMapName currentdict /CMap defineresource pop",
                "end",
                "end",
            ]
        )


@lru_cache(maxsize=4096)
def _shaped(font: _ShapedFont, text: str) -> str:
    return font._shape(text)


@lru_cache(maxsize=1)
def _presentation_forms() -> dict[str, str]:
    """Arabic ligatures (lam-alef) by the letters they join: how one glyph standing for two
    letters is read back the same by every reader, whichever way it reorders them."""
    forms: dict[str, str] = {}
    for start, end in ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF)):
        for code in range(start, end + 1):
            letters = unicodedata.normalize("NFKC", chr(code))
            if len(letters) > 1 and " " not in letters:
                forms.setdefault(letters, chr(code))
    return forms


def _one_glyph_text(chars: str, right_to_left: bool) -> str:
    if right_to_left and len(chars) > 1:
        return _presentation_forms().get(chars, chars)
    return chars


@cache
def font(name: str) -> TTFont:
    """The font registered as `name`, loaded (and registered with ReportLab) on first use."""
    with _lock:
        try:
            return pdfmetrics.getFont(name)
        except KeyError:
            pass
        path = str(FONT_DIR / _FILES[name])
        loaded = _ShapedFont(name, path) if name in _SHAPED else TTFont(name, path)
        pdfmetrics.registerFont(loaded)
        if name == FONT:
            _register_families()
        elif name in _SHAPED:
            # <b> or <i> around a shaped run keeps the font its codes were made for.
            for bold in (0, 1):
                for italic in (0, 1):
                    addMapping(name, bold, italic, name)
        return loaded


def _register_families() -> None:
    for bold in (0, 1):
        for italic in (0, 1):
            addMapping(FONT, bold, italic, FONT_BOLD if bold else FONT_ITALIC if italic else FONT)
            addMapping(FONT_BOLD, bold, italic, FONT_BOLD)
            addMapping(FONT_ITALIC, bold, italic, FONT_BOLD if bold else FONT_ITALIC)


def ensure_loaded() -> None:
    """The documents' own fonts, registered before any style names them."""
    for name in (FONT, FONT_BOLD, FONT_ITALIC):
        font(name)


# --- Choosing a font per run --------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    """Characters printed in one font: `text` as written, `printed` as the font draws it
    (the same, or the shaped codes)."""

    font: str
    text: str
    printed: str


def _preferred(ch: str) -> str | None:
    code = ord(ch)
    for (low, high), name in _SCRIPT_RANGES:
        if low <= code <= high:
            return name
    return None


def _has(name: str, text: str) -> bool:
    char_to_glyph = font(name).face.charToGlyph
    return all(ord(ch) in char_to_glyph for ch in text)


def _bold_name(name: str, bold: bool) -> str:
    if name == FONT:
        return FONT_BOLD if bold else FONT
    return f"{name}-Bold" if bold else name


_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]*")


@lru_cache(maxsize=4096)
def font_for(unit: str, *, bold: bool = False) -> str | None:
    """The font that prints `unit` (a character and its combining marks), or None."""
    preferred = _preferred(unit[0])
    for name in (preferred, FONT, *_FALLBACKS) if preferred else (FONT, *_FALLBACKS):
        if _has(name, unit):
            return _bold_name(name, bold)
    return None


def placeholder(ch: str) -> str:
    return f"[U+{ord(ch):04X}]"


def _units(text: str) -> Iterator[str]:
    """A character with the combining marks (and shaping joiners) after it."""
    unit = ""
    for ch in text:
        if unit and (unicodedata.combining(ch) or ch in _SHAPING_JOINERS or _is_mark(ch)):
            unit += ch
            continue
        if unit:
            yield unit
        unit = ch
    if unit:
        yield unit


def _is_mark(ch: str) -> bool:
    return unicodedata.category(ch) in ("Mn", "Mc", "Me")


@lru_cache(maxsize=8192)
def runs(text: str, bold: bool = False) -> tuple[Run, ...]:
    """`text` split into runs of one font each. Spaces between two words of one shaped
    script stay in its run (a right-to-left name of two words is ordered as one); a
    character no font has becomes its placeholder in the documents' font."""
    base = FONT_BOLD if bold else FONT
    if _PRINTABLE_ASCII.fullmatch(text):
        return (Run(base, text, text),)
    text = unicodedata.normalize("NFC", text)
    chosen: list[tuple[str | None, str]] = []  # (font, unit); None: a space, decided below
    for unit in _units(text):
        if unit.isspace():
            chosen.append((None, unit))
            continue
        if unit[0] in INVISIBLE_CHARACTERS and unit[0] not in _SHAPING_JOINERS:
            continue  # soft hyphens, zero-width spaces and the like print nothing
        name = font_for(unit, bold=bold)
        if name is None:
            name = font_for(unit[0], bold=bold)
            if name is None:
                chosen.append((base, "".join(placeholder(ch) for ch in unit)))
                continue
            unit = unit[0] + "".join(ch if _has(name, ch) else placeholder(ch) for ch in unit[1:])
        chosen.append((name, unit))
    # A space takes the font of the shaped run it stands inside, else the base font.
    resolved: list[tuple[str, str]] = []
    for n, (name, unit) in enumerate(chosen):
        if name is None:
            before = next((f for f, _u in reversed(chosen[:n]) if f is not None), None)
            after = next((f for f, _u in chosen[n + 1 :] if f is not None), None)
            name = before if before == after and before in _SHAPED else base
        resolved.append((name, unit))
    out: list[Run] = []
    for name, unit in resolved:
        if out and out[-1].font == name:
            out[-1] = Run(name, out[-1].text + unit, "")
        else:
            out.append(Run(name, unit, ""))
    return tuple(
        Run(r.font, r.text, font(r.font).shaped(r.text) if r.font in _SHAPED else r.text)
        for r in out
    )


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """How wide `text` prints at `size` points."""
    return sum(pdfmetrics.stringWidth(r.printed, r.font, size) for r in runs(text, bold))


# --- What no font prints ------------------------------------------------------------------


def unprintable_characters(document) -> list[str]:
    """Each character of a view-model's text that no shipped font has ("U+1F44D THUMBS
    UP SIGN"), in the order first met: the coordinator sees them before approval."""
    seen: dict[str, None] = {}
    for value in _strings(document):
        for unit in _units(unicodedata.normalize("NFC", value)):
            if unit.isspace() or unit[0] in INVISIBLE_CHARACTERS:
                continue
            for ch in unit:
                if ch not in seen and ch not in INVISIBLE_CHARACTERS and font_for(ch) is None:
                    seen[ch] = None
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, 'unnamed character')}" for ch in seen]


def _strings(value) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif is_dataclass(value):
        for item in fields(value):
            yield from _strings(getattr(value, item.name))
    elif isinstance(value, tuple | list):
        for item in value:
            yield from _strings(item)
