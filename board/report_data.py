"""A report's figures as stored data and back: the version keeps what its PDF printed, its
web page is drawn from the same data, and the SHA-256 of the data is what tells a new
version from the last one (the PDF's bytes also carry the day it was made)."""

import hashlib
import json

from board.selectors import Figure

FIELDS = ("key", "title", "header", "rows", "chart", "unit", "target", "note")


def figures_to_data(figures: list[Figure]) -> list[dict]:
    """JSON-ready figures (tuples become lists, so the data reads back equal)."""
    return json.loads(json.dumps([{f: getattr(fig, f) for f in FIELDS} for fig in figures]))


def figures_from_data(data: list[dict]) -> list[Figure]:
    return [
        Figure(
            key=d["key"],
            title=d["title"],
            header=d["header"],
            rows=d["rows"],
            chart=[(label, value) for label, value in d["chart"]],
            unit=d["unit"],
            target=d["target"],
            note=d["note"],
        )
        for d in data
    ]


def figures_sha256(data: list[dict]) -> str:
    canonical = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()
