"""How a child's name is written when someone is careless, hurried or trying: the board copy
must remove each of these, or refuse approval until the chair has confirmed a flag."""

FIRST, LAST = "Kai", "Thornbury"
CHILD = f"{FIRST} {LAST}"

# The tricks (zero-width spaces, letter-spaced, hyphenated, run together, soft
# hyphens, Cyrillic look-alikes) and the ordinary ways, twenty and more.
SPELLINGS = (
    "Kai Thornbury",
    "KAI THORNBURY",
    "kai thornbury",
    "Kai's",
    "Thornbury's",
    "K\u200bai Thorn\u200bbury",  # zero-width spaces
    "Thorn\u00adbury",  # a soft hyphen
    "T h o r n b u r y",  # letter-spaced
    "K a i",
    "Thorn-bury",  # hyphenated
    "K-a-i",
    "KaiThornbury",  # run together
    "\u041aai \u0422hornbury",  # Cyrillic К and Т
    "Th\u03bfrnbury",  # a Greek omicron
    "\u041a\u0430\u0456",  # "Kai" in Cyrillic letters only
    "\uff34\uff48\uff4f\uff52\uff4e\uff42\uff55\uff52\uff59",  # full-width
    "T.h.o.r.n.b.u.r.y",
    "Thorn\u200dbury",  # a zero-width joiner
    "Thorn-\nbury",  # hyphenated across a line
    "K_a_i",
    "kai.thornbury",
    "ThornburyKai",
    "Kai\u00a0Thornbury",  # a non-breaking space
    "Thornbu\u0308ry",  # a combining diaeresis
    "Ka\u00ef",
    "Thorn- bury",
    "\u2060Thornbury\u2060",  # word joiners around it
    "\U0001d413\U0001d421\U0001d428\U0001d42b\U0001d427\U0001d41b\U0001d42e\U0001d42b\U0001d432",
)


def leaks(text: str) -> list[str]:
    """The ways `text` still names the child once every trick is undone: the surname in its
    letters run together, or the first name as a word of its own."""
    import re

    from panels.pdf.normalise import skeleton

    folded = skeleton(text).casefold()
    compact = re.sub(r"[\W_]+", "", folded)
    found = []
    if LAST.casefold() in compact:
        found.append(LAST)
    words = re.findall(r"[^\W\d_]+", folded)
    if FIRST.casefold() in words:
        found.append(FIRST)
    spaced = re.sub(r"(?<=\b\w)[\W_]+(?=\w\b)", "", folded)  # "k a i" -> "kai"
    if FIRST.casefold() in re.findall(r"[^\W\d_]+", spaced) and FIRST not in found:
        found.append(FIRST)
    return found
