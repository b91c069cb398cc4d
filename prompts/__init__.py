"""Prompt files, loaded by name. ``load("name", {"var", ...})`` checks that the file uses exactly those variables."""

from __future__ import annotations

import string
from functools import lru_cache
from pathlib import Path

_DIR = Path(__file__).resolve().parent


class PromptError(Exception):
    pass


@lru_cache(maxsize=None)
def _read(name: str) -> str:
    path = _DIR / f"{name}.txt"
    if not path.is_file():
        raise PromptError(f"no prompt named {name!r} in {_DIR}")
    return path.read_text(encoding="utf-8")


def variables(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


def load(name: str, expected: set[str] | frozenset[str] = frozenset()) -> str:
    """The prompt ``name`` (file ``prompts/<name>.txt``), checked to use exactly the ``expected`` variables."""
    text = _read(name)
    found = variables(text)
    if found != set(expected):
        raise PromptError(f"prompt {name!r} uses variables {sorted(found)}, expected {sorted(expected)}")
    return text


NOT_FOUND = load("not_found").strip()
"""The one reply for a question the articles do not answer; shared by code, prompts and tests."""
