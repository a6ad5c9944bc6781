"""A `MeetingDoc` as plain JSON data and back, for a minutes draft kept in a JSONField.

    data = meeting_doc_to_data(doc)  # dict of str, int, bool, None, lists and dicts
    doc = meeting_doc_from_data(data)  # the same MeetingDoc: from_data(to_data(doc)) == doc

The data mirrors the dataclasses field by field, in their order (so the key order is
stable): dates are ISO strings ("2025-03-12") or None, enums their values ("panel_only"),
tuples lists, nested dataclasses dicts:

    {"panel_name": ..., "meeting_date": "2025-03-12", ..., "attendance": [{"person", "agency",
     "status", "deputy_for", "note"}], ..., "items": [{"reference", ..., "agency_updates":
     [{"agency", "text", "sensitivity"}], "actions": [{"text", "owner_agency", ...}]}],
     "carried_forward": [...], "next_meeting": null, "is_board_copy": false}

Both directions check every value: a missing or unknown key, or a value of the wrong type,
raises ValueError naming where it is (e.g. `items[1].actions[0].due`). Every key is
required, including those whose field has a default, so a draft that lost a field by mistake
is refused rather than silently reset; the one exception is a field added after drafts were
first stored (`_ADDED_LATER`: `document_address`, read as "" from an older draft, and
`themes`, read as none).
"""

from __future__ import annotations

import functools
import re
import types
import typing
from dataclasses import fields, is_dataclass
from datetime import date
from enum import Enum
from typing import Any

from .model import MeetingDoc

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Fields added after drafts were first stored, with the value an older draft means.
_ADDED_LATER = {MeetingDoc: {"document_address": "", "themes": ()}}


def meeting_doc_to_data(doc: MeetingDoc) -> dict:
    """The view-model as JSON-safe data (see the module's docstring)."""
    if not isinstance(doc, MeetingDoc):
        raise ValueError(f"expected a MeetingDoc, got {type(doc).__name__}")
    return _dump(MeetingDoc, doc, "")


def meeting_doc_from_data(data: dict) -> MeetingDoc:
    """The view-model from data written by `meeting_doc_to_data`; ValueError if it is not."""
    return _load(MeetingDoc, data, "")


# --- How each field's type is written ----------------------------------------------------------


@functools.cache
def _fields_of(cls) -> tuple[tuple[str, Any], ...]:
    """(name, type) of each field of a dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    return tuple((f.name, hints[f.name]) for f in fields(cls))


def _optional_of(tp):
    """X for `X | None`, else None."""
    if isinstance(tp, types.UnionType) or typing.get_origin(tp) is typing.Union:
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if len(args) == 1 and len(typing.get_args(tp)) == 2:
            return args[0]
        raise TypeError(f"unsupported union {tp!r}")  # pragma: no cover - model shape
    return None


def _tuple_item_of(tp):
    """X for `tuple[X, ...]`, else None."""
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return args[0]
        raise TypeError(f"unsupported tuple {tp!r}")  # pragma: no cover - model shape
    return None


def _where(path: str) -> str:
    return path or "the document"


def _type_name(value) -> str:
    return "null" if value is None else type(value).__name__


def _dump(tp, value, path: str):
    inner = _optional_of(tp)
    if inner is not None:
        return None if value is None else _dump(inner, value, path)
    item_type = _tuple_item_of(tp)
    if item_type is not None:
        if not isinstance(value, tuple | list):
            raise ValueError(f"{_where(path)}: expected a tuple, got {_type_name(value)}")
        return [_dump(item_type, v, f"{path}[{n}]") for n, v in enumerate(value)]
    if is_dataclass(tp):
        if not isinstance(value, tp):
            raise ValueError(f"{_where(path)}: expected {tp.__name__}, got {_type_name(value)}")
        return {
            name: _dump(ftype, getattr(value, name), f"{path}.{name}" if path else name)
            for name, ftype in _fields_of(tp)
        }
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(value).value
        except ValueError:
            raise ValueError(f"{_where(path)}: {value!r} is not one of {_choices(tp)}") from None
    if tp is date:
        if type(value) is not date:  # a datetime is a date too, but not one of ours
            raise ValueError(f"{_where(path)}: expected a date, got {_type_name(value)}")
        return value.isoformat()
    return _scalar(tp, value, path)


def _load(tp, value, path: str):
    inner = _optional_of(tp)
    if inner is not None:
        return None if value is None else _load(inner, value, path)
    item_type = _tuple_item_of(tp)
    if item_type is not None:
        if not isinstance(value, list | tuple):
            raise ValueError(f"{_where(path)}: expected a list, got {_type_name(value)}")
        return tuple(_load(item_type, v, f"{path}[{n}]") for n, v in enumerate(value))
    if is_dataclass(tp):
        if not isinstance(value, dict):
            raise ValueError(f"{_where(path)}: expected an object, got {_type_name(value)}")
        names = [name for name, _ in _fields_of(tp)]
        value = {**_ADDED_LATER.get(tp, {}), **value}
        missing = [name for name in names if name not in value]
        if missing:
            raise ValueError(f"{_where(path)}: missing key(s) {', '.join(missing)}")
        unknown = sorted(str(key) for key in value if key not in names)
        if unknown:
            raise ValueError(f"{_where(path)}: unknown key(s) {', '.join(unknown)}")
        return tp(
            **{
                name: _load(ftype, value[name], f"{path}.{name}" if path else name)
                for name, ftype in _fields_of(tp)
            }
        )
    if isinstance(tp, type) and issubclass(tp, Enum):
        if not isinstance(value, str):
            raise ValueError(f"{_where(path)}: expected one of {_choices(tp)}, got {value!r}")
        try:
            return tp(value)
        except ValueError:
            raise ValueError(f"{_where(path)}: {value!r} is not one of {_choices(tp)}") from None
    if tp is date:
        if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
            raise ValueError(
                f"{_where(path)}: expected a date as YYYY-MM-DD, got {_type_name(value)} {value!r}"
            )
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ValueError(f"{_where(path)}: {value!r} is not a date") from None
    return _scalar(tp, value, path)


def _scalar(tp, value, path: str):
    # bool is an int in Python; neither is accepted for the other.
    if tp is bool:
        ok = isinstance(value, bool)
    elif tp is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    elif tp is str:
        ok = isinstance(value, str)
    else:  # pragma: no cover - a field type this module does not know yet
        raise TypeError(f"{_where(path)}: no rule for type {tp!r}")
    if not ok:
        raise ValueError(
            f"{_where(path)}: expected {tp.__name__}, got {_type_name(value)} {value!r}"
        )
    return value


def _choices(enum_type) -> str:
    return ", ".join(repr(member.value) for member in enum_type)
