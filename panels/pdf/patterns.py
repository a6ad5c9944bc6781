"""The word lists and patterns the board copy's redaction looks for (`redaction.py`).

Kept apart so the rules read in one place; docs/documents.md lists them with their limits.
"""

from __future__ import annotations

import re
from datetime import date

from .normalise import skeleton


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


# Common words: a name that is also one of these ("Will", "Rose", "Amber") is only redacted
# when written with a capital; and one of these next to a family name is not taken for a
# name. Small on purpose: a word missing here only means more redaction or one more flag.
COMMON_WORDS = _word_set(
    """
    a an the and or but nor so yet if then than that this these those there here when where
    while who whom whose which what why how all any both each either every few many more most
    much neither no none not one other some such own same very just also only even still
    i me my mine we us our you your he him his she her hers it its they them their theirs
    is are was were be been being am has have had having do does did done will would shall
    should can could may might must ought
    at by for from in into of off on onto out over to under up with within without about
    above after against along among around as before behind below beneath beside between
    beyond during except inside near since through till toward towards until upon via
    yes ok okay please thanks thank hello dear
    said says told asked agreed noted reported confirmed stated explained advised
    today yesterday tomorrow tonight morning afternoon evening night week month year
    monday tuesday wednesday thursday friday saturday sunday
    january february march april june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec
    mr mrs ms miss mx master dr prof sir dame pc dc ds di dci sgt pcso insp
    mum mother mom dad father brother sister son daughter aunt auntie uncle nan nana nanna
    gran grandma grandmother grandad grandfather grandpa cousin nephew niece step stepmum
    stepmother stepdad stepfather partner boyfriend girlfriend friend carer guardian baby
    child children family household parent parents sibling siblings twin
    police school academy college health nhs council social care housing probation team
    officer worker nurse teacher doctor gp lead manager panel chair coordinator agency
    services service department unit hospital clinic camhs yot mash mace marac
    risk red amber green high medium low decision action actions update summary discussion
    new old first last next previous current concern concerns referral referrals case
    will may rose grace hope faith joy mark bill sky summer autumn winter spring dawn holly
    ivy jade ruby crystal pearl frank guy jack rob pat sue don ray art bob drew gene hunter
    north south east west street road lane avenue close drive way court place
    """
)

TITLES = ("Mr", "Mrs", "Ms", "Miss", "Mx", "Master", "Dr")
RELATIONS = (
    "mum",
    "mother",
    "dad",
    "father",
    "brother",
    "sister",
    "stepbrother",
    "stepsister",
    "half-brother",
    "half-sister",
    "stepfather",
    "stepmother",
    "stepdad",
    "stepmum",
    "aunt",
    "auntie",
    "uncle",
    "cousin",
    "nan",
    "nana",
    "gran",
    "grandmother",
    "grandfather",
    "grandad",
    "partner",
    "boyfriend",
    "girlfriend",
    "friend",
    "carer",
    "son",
    "daughter",
)
# Words of a school's name that say what it is, not which one it is.
SCHOOL_GENERIC = _word_set(
    """
    academy school primary secondary high junior juniors infant infants nursery college
    grammar community free church england ce cofe c of e rc roman catholic st saint the
    upper lower middle trust federation foundation voluntary aided controlled sixth form and
    """
)
STREET_TYPES = _word_set(
    """
    road rd street st lane ln avenue ave close drive dr way court ct crescent cres place pl
    gardens gdns terrace grove walk row square sq hill park mews rise view green parade vale
    flat flats house estate
    """
)

WORD = r"[A-Z][a-z][\w'’-]*"  # a capitalised word (not an acronym)
SLOT = "\ue000(\\d+)\ue001"  # a placeholder for a redaction already made

# Looser than the Royal Mail rules on purpose (fictional "ZZ9 9ZZ" matches too): anything
# shaped like a postcode goes, except an ordinal such as "M25 3rd".
POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])(?:GIR ?0AA|[A-Z]{1,2}[0-9][A-Z0-9]? ?"
    r"(?![0-9](?:st|nd|rd|th)\b)[0-9][A-Z]{2})(?![A-Za-z0-9])",
    re.IGNORECASE,
)
# "14 Marrowgate Lane", "Flat 2, 7a Orchard Close": a number, capitalised words, a street type.
STREET_ADDRESS_RE = re.compile(
    r"(?<!\w)(?:(?i:flat|apartment|unit)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+"
    r"(?:" + WORD + r"\s+){1,3}"
    r"(?i:" + "|".join(sorted(STREET_TYPES, key=len, reverse=True)) + r")(?!\w)"
)
SCHOOL_LIKE_RE = re.compile(
    r"(?:(?:St\.?|" + WORD + r")\s+){1,4}"
    r"(?:Primary School|Secondary School|High School|Grammar School|Junior School|"
    r"Infant School|School|Academy|College|Primary)(?!\w)"
)
EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
PHONE_RE = re.compile(r"(?<![\w+])(?:\+44\s?\(?0?\)?\s?|\(?0)\d{2,4}\)?(?:[\s-]?\d){6,8}(?!\d)")
NHS_RE = re.compile(r"(?<!\d)\d{3}[\s-]?\d{3}[\s-]?\d{4}(?!\d)")
UPN_RE = re.compile(r"(?<!\w)[A-Z]\d{11}[0-9A-Z](?!\w)")

_MONTH_NAMES = (
    r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_MONTH_NUMBER = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
DATE_FORMS = (
    # 03/07/2013, 3.7.13, 03-07-2013 (day first, as written in the UK)
    re.compile(
        r"(?<![\d/.-])(?P<d>\d{1,2})[/.-](?P<m>\d{1,2})[/.-](?P<y>\d{4}|\d{2})(?![\d/-]|\.\d)"
    ),
    # 2013-07-03
    re.compile(r"(?<![\d-])(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?![\d-])"),
    # 3 July 2013, 3rd of July, 3 Jul. 2013
    re.compile(
        r"(?<!\w)(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:\s+of)?\s+"
        + _MONTH_NAMES
        + r"(?:,?\s+(?P<y>\d{4}))?(?!\w)",
        re.IGNORECASE,
    ),
    # July 3rd, 2013
    re.compile(
        r"(?<!\w)"
        + _MONTH_NAMES
        + r"\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(?P<y>\d{4}))?(?!\w)",
        re.IGNORECASE,
    ),
    # July 2013
    re.compile(r"(?<!\w)" + _MONTH_NAMES + r"\s+(?P<y>\d{4})(?!\w)", re.IGNORECASE),
)
BIRTH_CUE_RE = re.compile(
    r"(?:\bd\.?\s?o\.?\s?b\b\.?|date of birth|\bborn\b|\bbirthday\b)[\s:,-]*(?:on|is|was)?\s*$",
    re.IGNORECASE,
)
TITLE_NAME_RE = re.compile(r"(?<!\w)(?:" + "|".join(TITLES) + r")\.?\s+(" + WORD + r")")
# "her brother Jaxon", "mum, Kelly": a relation, then a capitalised word.
RELATION_NAME_RE = re.compile(
    r"(?<!\w)(?i:(" + "|".join(RELATIONS) + r"))(?:'s|’s)?,?\s+(?i:(?:called|named)\s+)?"
    r"(" + WORD + ")"
)
ALIAS_CUE_RE = re.compile(
    r"(?<!\w)(?i:known as|aka|a\.k\.a\.|nicknamed|calls (?:himself|herself|themselves))\s+"
    r"[\"'“‘]?(" + WORD + ")"
)


def fold(value: str) -> str:
    """Case, accents and look-alike letters folded, and what prints nothing removed
    (`normalise.skeleton`), so Zoë, ZOE, zoe and Cyrillic "Zое" compare equal."""
    return skeleton(value).casefold()


def name_key(phrase: str) -> str:
    """How a name is looked up: folded, without spaces or hyphens, one kind of apostrophe;
    "Vasquez-Lowe", "VASQUEZ LOWE" and "Vasquez  Lowe" are one key."""
    return re.sub(r"[\s\-‐–]+", "", fold(phrase)).replace("’", "'")


def name_tokens(name: str) -> list[str]:
    """The words of a name, and the parts of a double-barrelled word, two letters or more."""
    tokens: list[str] = []
    for word in name.split():
        word = word.strip('.,;:()[]"“”‘’')
        if len(word) < 2:
            continue
        tokens.append(word)
        parts = [part for part in re.split(r"[-‐–]", word) if len(part) >= 2]
        if len(parts) > 1:
            tokens += parts
    return tokens


# Letters a name may be typed with or without an accent: Zoë, Zoe; Siobhán, Siobhan.
_ACCENTED = {
    "a": "aàáâãäåā",
    "c": "cçč",
    "e": "eèéêëēę",
    "i": "iìíîïī",
    "n": "nñń",
    "o": "oòóôõöøō",
    "s": "sśš",
    "u": "uùúûüū",
    "y": "yýÿ",
    "z": "zźżž",
}


def phrase_pattern(phrase: str) -> str:
    """A regex for `phrase` (folded): any accents, any run of spaces between its words,
    either apostrophe, a hyphen or a space or nothing inside a double-barrelled word.
    Upper-case letters in `phrase` stay upper case, for names matched case-sensitively."""
    words = []
    for word in phrase.split():
        pattern = ""
        for ch in word:
            variants = _ACCENTED.get(ch.lower())
            if variants:
                pattern += "[" + (variants.upper() if ch.isupper() else variants) + "]"
            elif ch in "'’":
                pattern += "['’]"
            elif ch in "-‐–":
                pattern += r"[-‐–\s]?"
            else:
                pattern += re.escape(ch)
        words.append(pattern)
    return r"\s+".join(words)


def dates_meant(match: re.Match, meeting_date: date) -> list[date]:
    """The dates a match can mean: day-first, and month-first if that is a date too."""
    parts = match.groupdict()
    year_text = parts.get("y")
    if year_text is None:
        year = meeting_date.year
    elif len(year_text) == 2:
        short = int(year_text)
        year = 2000 + short if short <= meeting_date.year % 100 else 1900 + short
    else:
        year = int(year_text)
    month = _MONTH_NUMBER[parts["mon"].lower().rstrip(".")] if parts.get("mon") else int(parts["m"])
    day_text = parts.get("d")
    day = int(day_text) if day_text is not None else 1
    meant = []
    for d, m in ((day, month), (month, day)) if not parts.get("mon") else ((day, month),):
        try:
            candidate = date(year, m, d)
        except ValueError:
            continue
        if candidate not in meant:
            meant.append(candidate)
    return meant
