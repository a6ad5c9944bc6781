"""Text as redaction reads it: the tricks a hurried or careless writer leaves undone.

`normalise(text)` gives the text the board copy's redaction matches against, and the way
back from each of its characters to the characters of the text as typed, so that the
printed copy removes exactly what was found and keeps everything else as it was written:

- Unicode NFKC: full-width letters, ligatures, mathematical letters, non-breaking spaces
  become the plain characters they stand for ("Ｋａｉ" is "Kai");
- accents removed, and the Latin letters that have none to remove folded (ł, ø, đ, ı);
- characters that print nothing removed: zero-width spaces and joiners, soft hyphens,
  direction marks, the byte-order mark, invisible fillers;
- letters of other scripts that look like Latin ones folded to them: Cyrillic "Каі" and
  Greek "Κaι" read as "Kai".

Case is kept: "Will" and "will" must stay apart. Each unit of the text as typed (a character
with the combining marks after it) becomes zero or more characters of the normalised text;
`Normalised.original_span` maps a span back.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Letters of Cyrillic, Greek and other scripts drawn like Latin letters (Unicode's
# confusables, the ones a keyboard or a copy from a messaging app gives). Folding too much
# only means a name is matched in a word that looks like it, which is what is wanted.
_LOOK_ALIKES = {
    # Cyrillic capitals
    "А": "A", "В": "B", "Е": "E", "К": "K", "М": "M", "Н": "H", "О": "O",
    "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ѕ": "S", "І": "I", "Ј": "J",
    "Ԛ": "Q", "Ԝ": "W", "Һ": "H", "Ӏ": "I", "Ү": "Y", "Ԁ": "D", "Ꮃ": "W",
    # Cyrillic small letters
    "а": "a", "в": "b", "е": "e", "к": "k", "м": "m", "н": "h", "о": "o", "р": "p",
    "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ј": "j", "ԁ": "d",
    "ԛ": "q", "ԝ": "w", "һ": "h", "ӏ": "l", "ү": "y", "ь": "b", "г": "r", "п": "n",
    "ɡ": "g",
    # Greek capitals
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M",
    "Ν": "N", "Ο": "O", "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    # Greek small letters
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v",
    "ο": "o", "ρ": "p", "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ϳ": "j",
    "μ": "u",
    # Armenian small letters
    "օ": "o", "ս": "u", "հ": "h", "ո": "n", "ց": "g", "ք": "p",
    # Latin letters with a stroke or without a dot, which have no accent to take off
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H",
    "ı": "i", "ŀ": "l", "Ŀ": "L", "ƚ": "l", "ɑ": "a", "ɩ": "i", "ʏ": "y", "ð": "d",
    "Ð": "D", "ŧ": "t", "Ŧ": "T", "ƀ": "b", "ɨ": "i", "ʋ": "u",
}  # fmt: skip

# Characters that print nothing: a name with one inside it looks whole on paper.
_INVISIBLE = frozenset(
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u200b\u200c\u200d"
    "\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2061\u2062\u2063\u2064\u2066\u2067"
    "\u2068\u2069\u206a\u206b\u206c\u206d\u206e\u206f\u3164\ufe00\ufe01\ufe02\ufe03\ufe04"
    "\ufe05\ufe06\ufe07\ufe08\ufe09\ufe0a\ufe0b\ufe0c\ufe0d\ufe0e\ufe0f\ufeff\uffa0"
    "\ue000\ue001"  # redaction's own slot markers: never taken from the text
)
INVISIBLE_CHARACTERS = _INVISIBLE

# A character with the combining marks that follow it (a unit of the text as typed).
_UNIT = re.compile(r".[\u0300-\u036f\u0483-\u0489\u0591-\u05bd\u05bf-\u05c7\u0610-\u061a"
                   r"\u064b-\u065f\u0670\u06d6-\u06ed\u0981-\u0983\u09bc-\u09d7\u1ab0-\u1aff"
                   r"\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]*", re.DOTALL)  # fmt: skip


@dataclass(frozen=True)
class Normalised:
    """The normalised text and, for each of its characters, the span of the text as typed it
    came from (`None` when the two are the same, as for plain ASCII)."""

    original: str
    text: str
    starts: tuple[int, ...] | None = None
    ends: tuple[int, ...] | None = None

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The span of the text as typed that `text[start:end]` came from (whole units)."""
        if self.starts is None or self.ends is None:
            return start, end
        if end <= start:
            at = self.starts[start] if start < len(self.starts) else len(self.original)
            return at, at
        return self.starts[start], self.ends[end - 1]


def _fold_unit(unit: str) -> str:
    out = []
    for ch in unicodedata.normalize("NFD", unicodedata.normalize("NFKC", unit)):
        if ch in _INVISIBLE or unicodedata.combining(ch):
            continue
        out.append(_LOOK_ALIKES.get(ch, ch))
    return "".join(out)


_PLAIN = re.compile(r"[\x09\x0a\x0d\x20-\x7e]*")


def normalise(text: str) -> Normalised:
    """`text` as redaction matches it, with the way back to the text as typed."""
    if _PLAIN.fullmatch(text):
        return Normalised(original=text, text=text)
    pieces: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    for match in _UNIT.finditer(text):
        unit = match.group(0)
        folded = unit if unit.isascii() else _fold_unit(unit)
        pieces.append(folded)
        starts.extend([match.start()] * len(folded))
        ends.extend([match.end()] * len(folded))
    return Normalised(original=text, text="".join(pieces), starts=tuple(starts), ends=tuple(ends))


def skeleton(text: str) -> str:
    """Only the normalised text."""
    return normalise(text).text


_SCRIPT_OF = {"LATIN": "Latin", "CYRILLIC": "Cyrillic", "GREEK": "Greek", "ARMENIAN": "Armenian"}


def mixed_script_words(text: str) -> list[str]:
    """Words that mix Latin letters with Cyrillic, Greek or Armenian ones ("Тhornbury"):
    nobody types that by accident in a name."""
    found = []
    for word in re.findall(r"[^\W\d_]{2,}", text):
        if word.isascii():
            continue
        scripts = set()
        for ch in word:
            name = unicodedata.name(ch, "")
            script = _SCRIPT_OF.get(name.split(" ", 1)[0])
            if script:
                scripts.add(script)
        if "Latin" in scripts and len(scripts) > 1:
            found.append(word)
    return found


_HIDDEN_INSIDE = re.compile(
    r"[A-Za-z][" + re.escape("".join(sorted(_INVISIBLE - {"\ue000", "\ue001"}))) + r"]+[A-Za-z]"
)


def words_with_hidden_characters(text: str) -> list[str]:
    """Latin words with a character that prints nothing inside them ("Ja\u200bxon")."""
    out = []
    for match in _HIDDEN_INSIDE.finditer(text):
        left = re.search(r"[^\W\d_]*$", text[: match.start() + 1]).group(0)
        right = re.match(r"[^\W\d_]*", text[match.end() - 1 :]).group(0)
        out.append(left + right)
    return out
