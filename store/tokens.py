"""Token counts with tiktoken, offline: the encodings come from the cache that llama-index-core ships."""

from __future__ import annotations

import importlib.util
import os
from functools import lru_cache
from pathlib import Path

from rag.errors import ConfigError


def shipped_cache_dir() -> Path | None:
    """llama-index-core's ``_static/tiktoken_cache`` (cl100k_base and o200k_base), found without importing it."""
    spec = importlib.util.find_spec("llama_index.core")
    for location in (spec.submodule_search_locations or []) if spec else []:
        cache = Path(location) / "_static" / "tiktoken_cache"
        if cache.is_dir():
            return cache
    return None


@lru_cache(maxsize=4)
def encoding(name: str):
    """A tiktoken encoding by name, never downloaded: TIKTOKEN_CACHE_DIR points at the shipped cache unless set."""
    if "TIKTOKEN_CACHE_DIR" not in os.environ and (cache := shipped_cache_dir()):
        os.environ["TIKTOKEN_CACHE_DIR"] = str(cache)
    import tiktoken

    try:
        return tiktoken.get_encoding(name)
    except Exception as e:  # tiktoken raises ValueError, or a network error when the cache lacks the file
        raise ConfigError(
            f"tiktoken encoding {name!r} is not available offline ({type(e).__name__}); "
            "use cl100k_base or o200k_base, which llama-index-core ships, or set TIKTOKEN_CACHE_DIR"
        ) from None


def count_tokens(texts: list[str], encoding_name: str) -> list[int]:
    enc = encoding(encoding_name)
    return [len(enc.encode_ordinary(t)) for t in texts]  # the batch call starts a thread pool per call
