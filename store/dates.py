"""Find a calendar date written the ways news pages write them, and give it as an ISO date."""

from __future__ import annotations

import datetime as dt
import re

_MONTHS = {m: i for i, m in enumerate(
    ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"], 1)}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_WEEKDAY = r"(?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\s+)?"
_MONTH = r"(?P<mon>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_PATTERNS = [
    re.compile(_WEEKDAY + _MONTH + r"\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<year>\d{4})", re.I),
    re.compile(_WEEKDAY + r"(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+" + _MONTH + r",?\s+(?P<year>\d{4})", re.I),
    re.compile(r"(?P<year>\d{4})-(?P<mnum>\d{2})-(?P<day>\d{2})(?:[T ][\d:.+\-Z]*)?"),
]


def find_date(text: str, whole: bool = False) -> str | None:
    """The first date in ``text`` as ``YYYY-MM-DD``; with ``whole``, only if the date is all the text says."""
    text = text.strip()
    for pattern in _PATTERNS:
        m = pattern.fullmatch(text.rstrip(".")) if whole else pattern.search(text)
        if not m:
            continue
        month = int(m.group("mnum")) if "mnum" in m.groupdict() else _MONTHS[m.group("mon").lower().rstrip(".")]
        try:
            return dt.date(int(m.group("year")), month, int(m.group("day"))).isoformat()
        except ValueError:
            continue
    return None
