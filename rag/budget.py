"""Token budgets: count with the model's own tiktoken encoding (offline) and pack passages into the window."""

from __future__ import annotations

import re

from store.tokens import encoding

# (pattern, encoding, context window) for known model families; first match wins.
_MODELS = [
    (r"^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)", "o200k_base", None),
    (r"^gpt-4-turbo|^gpt-4-\d{4}-preview", "cl100k_base", 128_000),
    (r"^gpt-4-32k", "cl100k_base", 32_768),
    (r"^gpt-4", "cl100k_base", 8_192),
    (r"^gpt-3\.5", "cl100k_base", 16_385),
    (r"^text-embedding", "cl100k_base", 8_191),
]
_WINDOWS = [(r"^gpt-4\.1", 1_047_576), (r"^gpt-5", 400_000), (r"^o[134]", 200_000), (r"^(gpt-4o|chatgpt-4o|gpt-4\.5)", 128_000)]
DEFAULT_WINDOW = 8_192
PER_MESSAGE = 4  # role and separators of each chat message
PER_REPLY = 3  # the primer of the assistant's reply


def encoding_name(model: str) -> str:
    """o200k_base for the gpt-4o, gpt-4.1, gpt-5 and o-series families, cl100k_base for older and unknown models."""
    name = model.split("/")[-1].lower()
    return next((enc for pat, enc, _ in _MODELS if re.search(pat, name)), "cl100k_base")


def context_window(model: str, configured: int | None = None) -> int:
    if configured:
        return configured
    name = model.split("/")[-1].lower()
    for pat, window in _WINDOWS:
        if re.search(pat, name):
            return window
    return next((w for pat, _, w in _MODELS if w and re.search(pat, name)), DEFAULT_WINDOW)


def count_messages(messages: list[dict], model: str) -> int:
    """Tokens a chat request uses, counted the way OpenAI bills them."""
    enc = encoding(encoding_name(model))
    return sum(PER_MESSAGE + len(enc.encode_ordinary(m["content"])) for m in messages) + PER_REPLY


def fit(items: list, build, model: str, window: int, reserve: int) -> tuple[list, list[dict], int]:
    """The longest prefix of ``items`` whose messages ``build(prefix)`` fit in ``window - reserve`` tokens.
    Returns ``(prefix, messages, tokens)``; the prefix may be empty when not even one item fits."""
    limit = window - reserve
    lo, hi = 0, len(items)
    best = (0, build([]), count_messages(build([]), model))
    if best[2] > limit:
        raise ValueError(f"the prompt alone needs {best[2]} tokens, more than the {limit} available")
    while lo < hi:  # binary search on the prefix length: token counts only grow with it
        mid = (lo + hi + 1) // 2
        messages = build(items[:mid])
        tokens = count_messages(messages, model)
        if tokens <= limit:
            lo, best = mid, (mid, messages, tokens)
        else:
            hi = mid - 1
    return items[: best[0]], best[1], best[2]
