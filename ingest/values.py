"""Parsing of submitted cell values without losing meaning.

- blank stays blank (unknown), 0 stays 0 (known to be none);
- "<5" is a count suppressed at source: value unknown, bounds 0..4;
- thousands separators ("1,282", "1 282", "1.282") and decimal commas are understood;
- flags are kept as a set: "bu" or "b,u" become "b,u".
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BLANKS = {"", ":", "..", "-99", "n/a", "na.", "not available"}
_LESS_THAN = re.compile(r"^<\s*(\d+)$")
_SPACES = re.compile(r"[\s\u00a0\u202f']")


@dataclass(frozen=True)
class Parsed:
    value: float | None
    lower: float | None
    upper: float | None
    error: str | None = None


def parse_count(text: object, decimal: str = ".") -> Parsed:
    """Parse one submitted count. ``decimal`` is "." or "," (European files)."""
    if text is None:
        return Parsed(None, None, None)
    if isinstance(text, int | float) and not isinstance(text, bool):
        if text != text:  # NaN from a spreadsheet reader
            return Parsed(None, None, None)
        v = float(text)
        return Parsed(v, v, v) if v >= 0 else Parsed(None, None, None, "negative count")
    s = str(text).strip()
    if s.lower() in BLANKS:
        return Parsed(None, None, None)
    m = _LESS_THAN.match(s)
    if m:
        n = int(m.group(1))
        if n < 1:
            return Parsed(None, None, None, f"'<{n}' cannot hold a count")
        return Parsed(None, 0.0, float(n - 1))
    s = _SPACES.sub("", s)
    if decimal == ",":
        s = s.replace(".", "").replace(",", ".")
    else:
        # "1,282" is a thousands separator; a lone "3,5" is ambiguous and must be declared.
        if re.fullmatch(r"\d{1,3}(,\d{3})+(\.\d+)?", s):
            s = s.replace(",", "")
        elif "," in s:
            return Parsed(None, None, None, "a comma that is not a thousands separator")
    try:
        v = float(s)
    except ValueError:
        return Parsed(None, None, None, "not a number")
    if v < 0:
        return Parsed(None, None, None, "negative count")
    return Parsed(v, v, v)


def flag_set(text: object, separators: str = ", ") -> str | None:
    """Normalise a flag field to a sorted, comma-separated set: "bu" -> "b,u", "P" -> "P"."""
    if text is None:
        return None
    s = str(text).strip()
    if not s:
        return None
    parts = [p for p in re.split(f"[{re.escape(separators)}]+", s) if p]
    if len(parts) == 1 and parts[0].islower() and parts[0].isalpha() and len(parts[0]) > 1:
        parts = list(parts[0])  # Eurostat combines one-letter flags: "bu"
    return ",".join(sorted(set(parts)))
