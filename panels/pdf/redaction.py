"""The board's copy of a meeting: children identified only by referral reference and initials.

`board_copy(meeting)` is a pure function from the full view-model to the board's. It drops
each child's name, date of birth, address, school and household, drops agency updates marked
panel only or not for family, and rewrites every piece of free text the meeting typed:

- names of every child on the agenda and of their household (each name, each word of it, any
  case, whole words, possessives such as "Kai's" included) become the child's initials,
  "[family member]" or "[family name]"; a child's name is redacted in every item, since
  children at an exploitation panel are often named in each other's items;
- the children's dates of birth in any common form, and any date after "DOB" or "born",
  become "[date of birth]";
- the known addresses, their streets, any "number + street" phrase and any UK postcode become
  "[address]" or "[postcode]"; the known schools (and their distinctive words) and anything
  written like a school name become "[school]";
- phone numbers, e-mail addresses, NHS numbers and UPNs are removed.

What it cannot decide surely it reports as flags (per item, and all of them in the list
`board_copy` returns), so the coordinator checks the text before the minutes are approved.
The flags quote the words concerned: they are for the coordinator, never printed in the
board copy. The rules and their limits are in docs/documents.md.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from .model import (
    ActionDoc,
    AgencyUpdate,
    Attendee,
    CaseItem,
    MeetingDoc,
    Sensitivity,
    ThemeItem,
)
from .normalise import (
    Normalised,
    mixed_script_words,
    normalise,
    words_with_hidden_characters,
)
from .patterns import (
    ALIAS_CUE_RE,
    BIRTH_CUE_RE,
    COMMON_WORDS,
    DATE_FORMS,
    EMAIL_RE,
    NHS_RE,
    PHONE_RE,
    POSTCODE_RE,
    RELATION_NAME_RE,
    SCHOOL_GENERIC,
    SCHOOL_LIKE_RE,
    SLOT,
    STREET_ADDRESS_RE,
    STREET_TYPES,
    TITLE_NAME_RE,
    UPN_RE,
    WORD,
    dates_meant,
    fold,
    name_key,
    name_tokens,
    phrase_pattern,
)

CHILD_PLACEHOLDER_FALLBACK = "[child]"
FAMILY_MEMBER = "[family member]"
FAMILY_NAME = "[family name]"
SOME_NAME = "[name]"
DATE_OF_BIRTH = "[date of birth]"
DATE_REMOVED = "[date removed]"
ADDRESS = "[address]"
POSTCODE = "[postcode]"
SCHOOL = "[school]"
PHONE = "[phone]"
EMAIL = "[email]"
NHS_NUMBER = "[NHS number]"
UPN = "[UPN]"

# A date this long before the meeting may be someone's date of birth rather than an event.
_OLD_DATE = timedelta(days=365)


def board_copy(meeting: MeetingDoc) -> tuple[MeetingDoc, list[str]]:
    """The board's view of `meeting`, and the flags the coordinator should check first."""
    redactor = _Redactor(meeting)
    items = tuple(redactor.case_item(item) for item in meeting.items)
    flags = [flag for item in items for flag in item.redaction_flags]
    carried = tuple(
        redactor.action(
            action, f"carried forward ({action.case_reference or 'no case'}) action {n}", flags
        )
        for n, action in enumerate(meeting.carried_forward, start=1)
    )
    others = tuple(
        redactor.action(action, f"other action {n}", flags)
        for n, action in enumerate(meeting.other_actions, start=1)
    )
    attendance = tuple(
        Attendee(
            person=redactor.text(person.person, "attendance", flags),
            agency=redactor.agency(person.agency),
            status=person.status,
            deputy_for=redactor.text(person.deputy_for, "attendance", flags),
            note=redactor.text(person.note, "attendance", flags),
        )
        for person in meeting.attendance
    )
    board = replace(
        meeting,
        place=redactor.text(meeting.place, "place", flags),
        attendance=attendance,
        items=items,
        carried_forward=carried,
        other_actions=others,
        # What was said of a person, place or vehicle of concern is intelligence held for the
        # panel: the board reads that it was discussed, not what was said.
        themes=tuple(ThemeItem(title=theme.title) for theme in meeting.themes),
        is_board_copy=True,
    )
    return board, flags


@dataclass(frozen=True)
class RedactionFlag:
    """A flag as the minutes page lists it, with the key the chair's tick sends back."""

    key: str
    text: str

    def __str__(self) -> str:
        return self.text


def flag_key(flag: str) -> str:
    """A flag's short name, which the chair's confirmation of that flag carries."""
    return hashlib.sha256(flag.encode()).hexdigest()[:16]


def initials(full_name: str) -> str:
    """Z.Q. for Zephyrine Quillbottom; the first letter of each word of the name."""
    letters = [word[0].upper() for word in re.split(r"[\s-]+", full_name) if word[:1].isalpha()]
    return "".join(f"{letter}." for letter in letters) or CHILD_PLACEHOLDER_FALLBACK


# --- Where each replacement came from -----------------------------------------------------

# Letters only: the chunks a disguised name is written in.
_LETTERS = re.compile(r"[^\W\d_]+")
# What may stand between the letters of one name: a hyphen, a dot, a slash... or, when every
# letter stands alone, spaces ("T h o r n b u r y").
_HARD_JOINER = re.compile(r"\s{0,2}[-‐‑‒–—.·•_*/|+~]\s{0,2}")
_SPACE_JOINER = re.compile(r"\s{1,3}")
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—.·•_*/|+~'’]+")


class _Span:
    """A span of a string, read like a match (what `_Slots.add` needs)."""

    def __init__(self, string: str, start: int, end: int) -> None:
        self.string, self._start, self._end = string, start, end

    def span(self, _group: int = 0) -> tuple[int, int]:
        return self._start, self._end

    def group(self, _group: int = 0) -> str:
        return self.string[self._start : self._end]


class _Slots:
    """The replacements made in one text, each with the span of the normalised text it
    replaced. Redaction works on the normalised text with each replacement written as a
    marker (U+E000, its number, U+E001); `rebuild` then writes the text as typed around
    them."""

    def __init__(self) -> None:
        self._replacements: list[str] = []
        self._spans: list[tuple[int, int]] = []  # in the normalised text
        self._offsets_string: str | None = None
        self._offsets: list[int] = []

    def __len__(self) -> int:
        return len(self._replacements)

    def replacement(self, index: int) -> str:
        return self._replacements[index]

    def add(self, replacement: str, match, group: int = 0) -> str:
        """Replace `match` (a span of a text already holding markers) by `replacement`; the
        marker to put in its place."""
        start, end = match.span(group)
        string = match.string
        if "\ue000" in string:
            offsets = self._offsets_in(string)
            start, end = offsets[start], offsets[end]
        self._spans.append((start, end))
        self._replacements.append(replacement)
        return f"\ue000{len(self._replacements) - 1}\ue001"

    def _offsets_in(self, string: str) -> list[int]:
        """For each position of `string`, the position of the normalised text it stands for."""
        if string is not self._offsets_string:
            offsets: list[int] = []
            position = 0
            for piece in _MARKER_OR_TEXT.finditer(string):
                if piece.group(1) is not None:
                    start, end = self._spans[int(piece.group(1))]
                    offsets.extend([start] * len(piece.group(0)))
                    position = end
                else:
                    length = len(piece.group(0))
                    offsets.extend(range(position, position + length))
                    position += length
            offsets.append(position)
            self._offsets_string, self._offsets = string, offsets
        return self._offsets

    def expand(self, string: str) -> str:
        """The normalised text with the replacements written in."""
        return re.sub(SLOT, lambda m: self._replacements[int(m.group(1))], string)

    def rebuild(self, string: str, norm: Normalised) -> str:
        """The text as typed with the replacements written in: each kept stretch of the
        normalised text printed as the characters it came from, never a character of a
        replaced span."""
        if "\ue000" not in string:
            return norm.original if string == norm.text else string
        pieces: list[tuple[str, int, int]] = []  # ("keep" | replacement, start, end)
        position = 0
        for piece in _MARKER_OR_TEXT.finditer(string):
            if piece.group(1) is not None:
                index = int(piece.group(1))
                start, end = norm.original_span(*self._spans[index])
                pieces.append((self._replacements[index], start, end))
                position = self._spans[index][1]
            else:
                length = len(piece.group(0))
                start, end = norm.original_span(position, position + length)
                pieces.append(("", start, end))
                position += length
        out: list[str] = []
        cursor = 0
        for n, (replacement, start, end) in enumerate(pieces):
            if replacement:
                out.append(replacement)
                cursor = max(cursor, end)
                continue
            following = next((p for p in pieces[n + 1 :] if p[0]), None)
            start = max(start, cursor)
            if following is not None:
                end = min(end, following[1])
            if end > start:
                out.append(norm.original[start:end])
                cursor = end
        return "".join(out)


_MARKER_OR_TEXT = re.compile("\ue000(\\d+)\ue001|[^\ue000]+")


# --- How one meeting's free text is redacted ------------------------------------------------


@dataclass
class _NameTable:
    """Every known name phrase and word, with what replaces it."""

    replacement: dict[str, str] = field(default_factory=dict)  # folded key -> replacement
    kind: dict[str, set[str]] = field(default_factory=dict)  # folded key -> {"given","surname"}
    common: set[str] = field(default_factory=set)  # keys only redacted when Capitalised
    pattern: dict[str, str] = field(default_factory=dict)  # key -> the folded phrase

    def add(self, phrase: str, replacement: str, *, kind: str) -> None:
        key = name_key(phrase)
        if not key:
            return
        earlier = self.replacement.get(key)
        if earlier is not None and earlier != replacement:
            replacement = _merge(earlier, replacement)
        self.replacement[key] = replacement
        self.kind.setdefault(key, set()).add(kind)
        self.pattern[key] = fold(" ".join(phrase.split()))
        if key in COMMON_WORDS:
            self.common.add(key)


def _merge(earlier: str, later: str) -> str:
    """One word that belongs to two people: a child and their household share a surname."""
    if earlier.startswith("[") and later.startswith("["):
        return earlier if earlier == later else SOME_NAME
    if earlier.startswith("[") or later.startswith("["):
        return FAMILY_NAME  # a child's and their family's surname
    return SOME_NAME  # two children's


class _Redactor:
    def __init__(self, meeting: MeetingDoc) -> None:
        self.meeting_date = meeting.meeting_date
        self.dobs = {item.date_of_birth for item in meeting.items if item.date_of_birth}
        self.names = _NameTable()
        self.schools: list[str] = []
        self.streets: list[str] = []
        self.leak_words: dict[str, str] = {}  # folded word -> what it is, for the last check
        self.known_schools = {fold(" ".join(i.school.split())) for i in meeting.items if i.school}
        # Words of the panel's and the agencies' own names ("Fenmarsh" of Fenmarsh Police) are
        # not redacted on their own when a school or street shares them; whole names still are.
        self.organisation_words = {
            fold(word)
            for name in _organisation_names(meeting)
            if fold(" ".join(name.split())) not in self.known_schools
            for word in name.split()
        }
        for item in meeting.items:
            self._learn(item)
        self.name_re = self._names_regex(common=False)
        self.common_name_re = self._names_regex(common=True)
        self.school_re = self._phrases_regex(self.schools)
        self.street_re = self._phrases_regex(self.streets)
        # The last check looks for every known word in every text; one search first tells
        # whether any is there at all (after redaction, almost never), which is what is slow.
        self.leak_screen = self._screen(self.leak_words)
        self.long_leak_screen = self._screen([w for w in self.leak_words if len(w) >= 6])
        self.dob_digits = [(f"{dob:%d%m%Y}", f"{dob:%d%m%y}") for dob in self.dobs]
        self.longest_name = max(map(len, self.names.replacement), default=0)

    @staticmethod
    def _screen(words) -> re.Pattern | None:
        words = sorted(words, key=len, reverse=True)
        return re.compile("|".join(map(re.escape, words))) if words else None

    # -- learning what to look for ------------------------------------------------------------

    def _learn(self, item: CaseItem) -> None:
        child_initials = self.initials_of(item)
        child_names = (item.child_name, *item.aliases)
        child_words = {fold(token) for phrase in child_names for token in name_tokens(phrase)}
        for phrase in child_names:
            self._learn_name(phrase, lambda _token: child_initials)
        for phrase in item.household:
            self._learn_name(
                phrase,
                lambda token: FAMILY_NAME if fold(token) in child_words else FAMILY_MEMBER,
                whole=FAMILY_MEMBER,
            )
        if item.school:
            self.schools.append(item.school)
            for word in item.school.split():
                word = word.strip(".,;:()'’")
                folded = fold(word)
                if (
                    len(word) >= 3
                    and folded not in SCHOOL_GENERIC | COMMON_WORDS | self.organisation_words
                ):
                    self.schools.append(word)
                    self._leak(word, "a school")
        if item.address:
            self._learn_address(item.address)

    def _learn_name(self, phrase: str, replacement_of, *, whole: str | None = None) -> None:
        """The name as a whole, then each of its words: the last one is a surname."""
        words = phrase.split()
        if not words:
            return
        if len(words) > 1:
            self.names.add(phrase, whole or replacement_of(phrase), kind="phrase")
        for n, word in enumerate(words):
            kind = "surname" if n == len(words) - 1 and len(words) > 1 else "given"
            for token in name_tokens(word):
                self.names.add(token, replacement_of(token), kind=kind)
                self._leak(token, "a name")

    def _learn_address(self, address: str) -> None:
        """The street lines of an address, and their distinctive words. A town or county is
        not an address word, with or without a comma before the postcode that follows it
        ("14 Orchard Row, Fenmarsh FM2 7QT"): the postcode is taken off first, and the words
        after a street's type ("Row") are the town."""
        for part in re.split(r"[,\n]+", address):
            part = " ".join(part.split())
            for postcode in POSTCODE_RE.findall(part):
                self._leak(postcode.replace(" ", ""), "a postcode")
            part = " ".join(POSTCODE_RE.sub(" ", part).split())
            if not part:
                continue
            words = part.split()
            typed = [n for n, word in enumerate(words) if fold(word.strip(".")) in STREET_TYPES]
            tail = words[typed[-1] + 1 :] if typed else []
            if tail and not any(ch.isdigit() for word in tail for ch in word):
                words = words[: typed[-1] + 1]  # "14 Orchard Row Fenmarsh": the town goes
            if not typed and not any(ch.isdigit() for ch in part):
                continue  # a town or county: naming it identifies no one
            part = " ".join(words)
            self.streets.append(part)
            without_number = " ".join(w for w in words if not any(ch.isdigit() for ch in w))
            if without_number and without_number != part:
                self.streets.append(without_number)
            for word in words:
                folded = fold(word.strip(".,'’"))
                if (
                    len(folded) >= 3
                    and not any(ch.isdigit() for ch in folded)
                    and folded not in STREET_TYPES | COMMON_WORDS | self.organisation_words
                ):
                    self.streets.append(word.strip(".,'’"))
                    self._leak(word, "an address")

    def _leak(self, word: str, what: str) -> None:
        folded = fold(word)
        if len(folded) >= 4 and folded not in COMMON_WORDS:
            self.leak_words[folded] = what

    def _names_regex(self, *, common: bool) -> re.Pattern | None:
        keys = [k for k in self.names.replacement if (k in self.names.common) == common]
        if not keys:
            return None
        phrases = sorted((self.names.pattern[k] for k in keys), key=lambda p: (-len(p), p))
        if common:  # "Will" and "WILL" but not "will"
            alternatives = [
                f"{phrase_pattern(p.title())}|{phrase_pattern(p.upper())}" for p in phrases
            ]
            return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)")
        alternatives = [phrase_pattern(p) for p in phrases]
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + r")(?!\w)", re.IGNORECASE)

    @staticmethod
    def _phrases_regex(phrases: Iterable[str]) -> re.Pattern | None:
        unique = sorted(
            {" ".join(p.split()) for p in phrases if p.strip()}, key=lambda p: (-len(p), p)
        )
        if not unique:
            return None
        return re.compile(
            r"(?<!\w)(?:" + "|".join(phrase_pattern(fold(p)) for p in unique) + r")(?!\w)",
            re.IGNORECASE,
        )

    # -- redacting ----------------------------------------------------------------------------

    @staticmethod
    def initials_of(item: CaseItem) -> str:
        return item.initials.strip() or initials(item.child_name)

    def agency(self, name: str) -> str:
        """An agency is named as it is, unless it is one of the children's schools."""
        return SCHOOL if fold(" ".join(name.split())) in self.known_schools else name

    def case_item(self, item: CaseItem) -> CaseItem:
        flags: list[str] = []
        ref = item.reference
        updates = tuple(
            AgencyUpdate(
                agency=self.agency(update.agency),
                text=self.text(update.text, f"{ref} update from {update.agency}", flags),
            )
            for update in item.agency_updates
            if update.sensitivity is Sensitivity.NORMAL
        )
        return CaseItem(
            reference=ref,
            initials=self.initials_of(item),
            child_name="",
            date_of_birth=None,
            address="",
            school="",
            summary=self.text(item.summary, f"{ref} summary", flags),
            risk_level=self.text(item.risk_level, f"{ref} risk level", flags),
            decision=self.text(item.decision, f"{ref} decision", flags),
            agency_updates=updates,
            discussion=self.text(item.discussion, f"{ref} discussion", flags),
            actions=tuple(
                self.action(action, f"{ref} action {n}", flags)
                for n, action in enumerate(item.actions, start=1)
            ),
            redaction_flags=tuple(flags),
        )

    def action(self, action: ActionDoc, where: str, flags: list[str]) -> ActionDoc:
        return replace(
            action,
            text=self.text(action.text, where, flags),
            owner_agency=self.agency(action.owner_agency),
            owner=self.text(action.owner, f"{where} owner", flags),
        )

    def text(self, value: str, where: str, flags: list[str]) -> str:
        """`value` with what identifies a child replaced. Matching reads the normalised text
        (`normalise.normalise`: NFKC, nothing invisible, look-alike letters folded); the
        copy keeps the characters as typed around each replacement."""
        if not value:
            return value
        norm = normalise(value)
        slots = _Slots()

        def slot_of(replacement: str):
            return lambda match: slots.add(replacement, match)

        out = norm.text
        out = EMAIL_RE.sub(slot_of(EMAIL), out)
        out = POSTCODE_RE.sub(slot_of(POSTCODE), out)
        if self.street_re:
            out = self.street_re.sub(slot_of(ADDRESS), out)
        out = STREET_ADDRESS_RE.sub(slot_of(ADDRESS), out)
        if self.school_re:
            out = self.school_re.sub(slot_of(SCHOOL), out)
        out = SCHOOL_LIKE_RE.sub(slot_of(SCHOOL), out)
        out = self._dates(out, where, flags, slots)
        out = UPN_RE.sub(slot_of(UPN), out)

        def phone(match: re.Match) -> str:
            flags.append(f"{where}: a phone number was removed; check the sentence still reads")
            return slots.add(PHONE, match)

        out = PHONE_RE.sub(phone, out)
        out = NHS_RE.sub(slot_of(NHS_NUMBER), out)
        out = self._names(out, where, flags, slots)
        self._check_leaks(slots.expand(out), where, flags)
        printed = slots.rebuild(out, norm)
        self._check_disguises(printed, where, flags)
        return printed

    def _dates(self, text: str, where: str, flags: list[str], slots: _Slots) -> str:
        for form in DATE_FORMS:

            def one(match: re.Match) -> str:
                found = match.group(0)
                days = dates_meant(match, self.meeting_date)
                if not days:
                    return found
                if BIRTH_CUE_RE.search(match.string[max(0, match.start() - 30) : match.start()]):
                    return slots.add(DATE_OF_BIRTH, match)
                has_year = match.groupdict().get("y") is not None
                has_day = match.groupdict().get("d") is not None
                for day in days:
                    for dob in self.dobs:
                        if has_year and has_day and day == dob:
                            return slots.add(DATE_OF_BIRTH, match)
                        if not has_year and (day.month, day.day) == (dob.month, dob.day):
                            return slots.add(DATE_REMOVED, match)  # a birthday, or an event on it
                        if not has_day and (day.year, day.month) == (dob.year, dob.month):
                            return slots.add(DATE_REMOVED, match)
                if has_year and has_day and days[0] < self.meeting_date - _OLD_DATE:
                    flags.append(
                        f"{where}: the date '{found}' is more than a year before the meeting; "
                        "check it is not someone's date of birth"
                    )
                return found

            text = form.sub(one, text)
        return text

    def _names(self, text: str, where: str, flags: list[str], slots: _Slots) -> str:
        kinds: dict[int, set[str]] = {}

        def add_name(key: str, match: re.Match, group: int = 0) -> str:
            marker = slots.add(self.names.replacement[key], match, group)
            kinds[len(slots) - 1] = self.names.kind.get(key, {"given"})
            return marker

        def known(match: re.Match) -> str:
            return add_name(name_key(match.group(0)), match)

        for regex in (self.name_re, self.common_name_re):
            if regex:
                text = regex.sub(known, text)
        text = self._disguised_names(text, where, flags, add_name)

        # A capitalised word next to a known name is likely a name we were not told of:
        # "Kyle Quillbottom" (before a family name), "Zephyrine Smith" (after a given name).
        def is_word(word: str) -> bool:
            return fold(word) not in COMMON_WORDS

        def before(match: re.Match) -> str:
            word, index = match.group(1), int(match.group(2))
            if "surname" not in kinds.get(index, set()) or not is_word(word):
                return match.group(0)
            flags.append(f"{where}: '{word}' before a family name was taken for a name and removed")
            replacement = slots.replacement(index)
            kinds[len(slots)] = {"given"}
            return slots.add(FAMILY_MEMBER if replacement.startswith("[") else replacement, match)

        def after(match: re.Match) -> str:
            index, word = int(match.group(1)), match.group(2)
            if "given" not in kinds.get(index, set()) or not is_word(word):
                return match.group(0)
            flags.append(f"{where}: '{word}' after a known name was taken for a name and removed")
            kinds[len(slots)] = {"given"}
            return slots.add(slots.replacement(index), match)

        for _ in range(3):  # "Kyle James Quillbottom" takes two rounds
            changed = re.sub(r"(?<!\w)(" + WORD + r")\s+" + SLOT, before, text)
            changed = re.sub(SLOT + r"\s+(" + WORD + r")(?!\w)", after, changed)
            if changed == text:
                break
            text = changed

        def relation(match: re.Match) -> str:
            word = match.group(2)
            if not is_word(word):
                return match.group(0)
            flags.append(
                f"{where}: '{word}' after '{match.group(1)}' was taken for a name and removed"
            )
            kept = match.group(0)[: match.start(2) - match.start(0)]
            return kept + slots.add(SOME_NAME, match, 2)

        text = RELATION_NAME_RE.sub(relation, text)

        def alias(match: re.Match) -> str:
            word = match.group(1)
            if not is_word(word):
                return match.group(0)
            flags.append(f"{where}: '{word}' looks like a nickname and was removed")
            kept = match.group(0)[: match.start(1) - match.start(0)]
            return kept + slots.add(SOME_NAME, match, 1)

        text = ALIAS_CUE_RE.sub(alias, text)
        for match in TITLE_NAME_RE.finditer(text):
            if is_word(match.group(1)):
                flags.append(
                    f"{where}: '{match.group(0)}' may name a family member (kept: it may be a "
                    "professional)"
                )
        return text

    def _disguised_names(self, text: str, where: str, flags: list[str], add_name) -> str:
        """Known names written apart or together: letter-spaced ("T h o r n b u r y",
        "K.a.i"), hyphenated ("Thorn-bury", "K-a-i") or run together ("KaiThornbury").
        Letters are joined across spaces only when every one stands alone, so "is a" is never
        read as "Isa". A letter-spaced run that only contains a name goes whole, flagged."""
        if not self.names.replacement:
            return text
        chunks = list(_LETTERS.finditer(text))
        if not chunks:
            return text
        found: list[tuple[int, int, str, bool]] = []  # first chunk, last chunk, key, sure
        n = 0
        while n < len(chunks):
            hit = self._name_from(chunks, n, text)
            if hit:
                found.append(hit)
                n = hit[1] + 1
            else:
                n += 1
        if not found:
            return text
        out = []
        last = 0
        for first, final, key, sure in found:
            start, end = chunks[first].start(), chunks[final].end()
            span = _Span(text, start, end)
            if not sure:
                flags.append(
                    f"{where}: '{span.group(0)}' contains a known name and was removed whole; "
                    "check it"
                )
            out.append(text[last:start])
            out.append(add_name(key, span))
            last = end
        out.append(text[last:])
        return "".join(out)

    def _name_from(
        self, chunks: list[re.Match], first: int, text: str
    ) -> tuple[int, int, str, bool] | None:
        """The known name that starts at chunk `first` written apart or together, if any."""
        names = self.names
        letters = chunks[first].group(0)
        single = len(letters) == 1  # every chunk so far a letter on its own
        best = None
        final = first
        spaced = False
        # Join the following chunks while the joiners are separators; the longest name wins.
        while True:
            key = letters.casefold()
            # One chunk is a name run together ("kaithornbury"); a known single word alone
            # was matched before, or is a common word written without its capital.
            joined = final > first or "phrase" in names.kind.get(key, ())
            capital_ok = key not in names.common or letters[:1].isupper()
            if joined and key in names.replacement and capital_ok:
                best = (first, final, key, True)
            if final + 1 >= len(chunks) or len(letters) > self.longest_name:
                break
            joiner = text[chunks[final].end() : chunks[final + 1].start()]
            following = chunks[final + 1].group(0)
            if _SPACE_JOINER.fullmatch(joiner):
                spaced = True
            elif not _HARD_JOINER.fullmatch(joiner):
                break
            single = single and len(following) == 1
            if spaced and not single:
                break
            letters += following
            final += 1
        if best and spaced and final > best[1]:  # more letters follow: the run goes whole
            return (first, final, best[2], False)
        if best:
            return best
        if final - first >= 3 and single:  # "T h o r n b u r y s": a name inside the letters
            joined = letters.casefold()
            for key in sorted(names.replacement, key=len, reverse=True):
                if len(key) >= 3 and key in joined and key not in names.common:
                    return (first, final, key, False)
        if final == first and len(letters) >= 6:  # "ThornburyKai": known names run together
            parts = re.findall(r"[A-Z][a-z]+|[a-z]+", letters)
            keys = [part.casefold() for part in parts]
            if len(parts) > 1 and all(
                key in names.replacement and key not in names.common for key in keys
            ):
                return (first, final, keys[0], True)
        return None

    def _check_leaks(self, text: str, where: str, flags: list[str]) -> None:
        folded = fold(text)
        compact = _SEPARATORS.sub("", folded)
        if (self.leak_screen and self.leak_screen.search(folded)) or (
            self.long_leak_screen and self.long_leak_screen.search(compact)
        ):
            for word, what in self.leak_words.items():
                if word in folded or (len(word) >= 6 and word in compact):
                    flags.append(f"{where}: '{word}', {what}, may still be in the text; check it")
        digits = re.sub(r"\D", "", text)
        if len(digits) >= 6:
            for long, short in self.dob_digits:
                if long in digits or short in digits:
                    flags.append(f"{where}: digits that read as a date of birth; check them")

    @staticmethod
    def _check_disguises(printed: str, where: str, flags: list[str]) -> None:
        """What is left that someone may have disguised: no rule knows whose name it is."""
        for word in mixed_script_words(printed):
            flags.append(
                f"{where}: '{word}' mixes Latin letters with look-alike letters of another "
                "script; check it is not a name"
            )
        for word in words_with_hidden_characters(printed):
            flags.append(
                f"{where}: '{word}' has characters that print nothing inside it; check it is "
                "not a name"
            )


def _organisation_names(meeting: MeetingDoc) -> Iterable[str]:
    yield meeting.panel_name
    for person in meeting.attendance:
        yield person.agency
    for action in (*meeting.carried_forward, *meeting.other_actions):
        yield action.owner_agency
    for item in meeting.items:
        for update in item.agency_updates:
            yield update.agency
        for action in item.actions:
            yield action.owner_agency
