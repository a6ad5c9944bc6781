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

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import timedelta

from .model import ActionDoc, AgencyUpdate, Attendee, CaseItem, MeetingDoc, Sensitivity
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
        is_board_copy=True,
    )
    return board, flags


def initials(full_name: str) -> str:
    """Z.Q. for Zephyrine Quillbottom; the first letter of each word of the name."""
    letters = [word[0].upper() for word in re.split(r"[\s-]+", full_name) if word[:1].isalpha()]
    return "".join(f"{letter}." for letter in letters) or CHILD_PLACEHOLDER_FALLBACK


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
        for part in re.split(r"[,\n]+", address):
            part = " ".join(part.split())
            if not part:
                continue
            if POSTCODE_RE.fullmatch(part):
                self._leak(part.replace(" ", ""), "a postcode")
                continue
            words = part.split()
            is_street = any(ch.isdigit() for ch in part) or fold(words[-1]) in STREET_TYPES
            if not is_street:
                continue  # a town or county: naming it identifies no one
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
        if not value:
            return value
        slots: list[str] = []

        def slot(replacement: str) -> str:
            slots.append(replacement)
            return f"\ue000{len(slots) - 1}\ue001"

        out = value.replace("\ue000", "").replace("\ue001", "")
        out = EMAIL_RE.sub(lambda m: slot(EMAIL), out)
        out = POSTCODE_RE.sub(lambda m: slot(POSTCODE), out)
        if self.street_re:
            out = self.street_re.sub(lambda m: slot(ADDRESS), out)
        out = STREET_ADDRESS_RE.sub(lambda m: slot(ADDRESS), out)
        if self.school_re:
            out = self.school_re.sub(lambda m: slot(SCHOOL), out)
        out = SCHOOL_LIKE_RE.sub(lambda m: slot(SCHOOL), out)
        out = self._dates(out, where, flags, slot)
        out = UPN_RE.sub(lambda m: slot(UPN), out)

        def phone(match: re.Match) -> str:
            flags.append(f"{where}: a phone number was removed; check the sentence still reads")
            return slot(PHONE)

        out = PHONE_RE.sub(phone, out)
        out = NHS_RE.sub(lambda m: slot(NHS_NUMBER), out)
        out = self._names(out, where, flags, slots, slot)
        out = re.sub(SLOT, lambda m: slots[int(m.group(1))], out)
        self._check_leaks(out, where, flags)
        return out

    def _dates(self, text: str, where: str, flags: list[str], slot) -> str:
        for form in DATE_FORMS:

            def one(match: re.Match) -> str:
                found = match.group(0)
                days = dates_meant(match, self.meeting_date)
                if not days:
                    return found
                if BIRTH_CUE_RE.search(match.string[max(0, match.start() - 30) : match.start()]):
                    return slot(DATE_OF_BIRTH)
                has_year = match.groupdict().get("y") is not None
                has_day = match.groupdict().get("d") is not None
                for day in days:
                    for dob in self.dobs:
                        if has_year and has_day and day == dob:
                            return slot(DATE_OF_BIRTH)
                        if not has_year and (day.month, day.day) == (dob.month, dob.day):
                            return slot(DATE_REMOVED)  # a birthday, or an event on it
                        if not has_day and (day.year, day.month) == (dob.year, dob.month):
                            return slot(DATE_REMOVED)
                if has_year and has_day and days[0] < self.meeting_date - _OLD_DATE:
                    flags.append(
                        f"{where}: the date '{found}' is more than a year before the meeting; "
                        "check it is not someone's date of birth"
                    )
                return found

            text = form.sub(one, text)
        return text

    def _names(self, text: str, where: str, flags: list[str], slots: list[str], slot) -> str:
        kinds: dict[int, set[str]] = {}

        def known(match: re.Match) -> str:
            key = name_key(match.group(0))
            placeholder = slot(self.names.replacement[key])
            kinds[len(slots) - 1] = self.names.kind.get(key, {"given"})
            return placeholder

        for regex in (self.name_re, self.common_name_re):
            if regex:
                text = regex.sub(known, text)

        # A capitalised word next to a known name is likely a name we were not told of:
        # "Kyle Quillbottom" (before a family name), "Zephyrine Smith" (after a given name).
        def is_word(word: str) -> bool:
            return fold(word) not in COMMON_WORDS

        def before(match: re.Match) -> str:
            word, index = match.group(1), int(match.group(2))
            if "surname" not in kinds.get(index, set()) or not is_word(word):
                return match.group(0)
            flags.append(f"{where}: '{word}' before a family name was taken for a name and removed")
            replacement = FAMILY_MEMBER if slots[index].startswith("[") else slots[index]
            kinds[len(slots)] = {"given"}
            return slot(replacement)

        def after(match: re.Match) -> str:
            index, word = int(match.group(1)), match.group(2)
            if "given" not in kinds.get(index, set()) or not is_word(word):
                return match.group(0)
            flags.append(f"{where}: '{word}' after a known name was taken for a name and removed")
            kinds[len(slots)] = {"given"}
            return slot(slots[index])

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
            return match.group(0)[: match.start(2) - match.start(0)] + slot(SOME_NAME)

        text = RELATION_NAME_RE.sub(relation, text)

        def alias(match: re.Match) -> str:
            word = match.group(1)
            if not is_word(word):
                return match.group(0)
            flags.append(f"{where}: '{word}' looks like a nickname and was removed")
            return match.group(0)[: match.start(1) - match.start(0)] + slot(SOME_NAME)

        text = ALIAS_CUE_RE.sub(alias, text)
        for match in TITLE_NAME_RE.finditer(text):
            if is_word(match.group(1)):
                flags.append(
                    f"{where}: '{match.group(0)}' may name a family member (kept: it may be a "
                    "professional)"
                )
        return text

    def _check_leaks(self, text: str, where: str, flags: list[str]) -> None:
        folded = fold(text)
        compact = re.sub(r"\s+", "", folded)
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
