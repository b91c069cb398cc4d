"""Files uploaded through the web app: checked for type and size, saved under safe names in the store."""

from __future__ import annotations

import hashlib
import re
import shutil
import unicodedata
from pathlib import Path

from store.loader import SUPPORTED


def safe_name(name: str) -> str:
    """A file name with no directories, no traversal and no odd characters: ``../../x.txt`` -> ``x.txt``."""
    base = re.split(r"[\\/]", name or "")[-1]
    base = unicodedata.normalize("NFKC", base)
    base = re.sub(r"[^\w.\- ]+", "_", base, flags=re.UNICODE).strip(" .")
    base = re.sub(r"\s+", "_", base)
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, ""
    stem = stem.strip("._-")[:80] or "upload"
    return f"{stem}.{suffix.lower()}" if suffix else stem


def save_uploads(files: list[tuple[str, Path]], dest: Path, max_bytes: int) -> tuple[list[Path], list[tuple[str, str]]]:
    """Copy each ``(original name, temporary path)`` into ``dest``; return the saved paths and ``(name, reason)``
    for every file refused. A name already taken by different content gets a short content-hash suffix."""
    dest.mkdir(parents=True, exist_ok=True)
    saved, refused = [], []
    for original, tmp in files:
        name = safe_name(original)
        suffix = Path(name).suffix.lower()
        if suffix not in SUPPORTED:
            refused.append((original, f"unsupported file type {suffix or '(none)'!r}; upload {', '.join(sorted(SUPPORTED))}"))
            continue
        size = Path(tmp).stat().st_size
        if size > max_bytes:
            refused.append((original, f"{size / (1 << 20):.1f} MB is over the {max_bytes / (1 << 20):.0f} MB upload limit"))
            continue
        target = dest / name
        if target.exists() and target.read_bytes() != Path(tmp).read_bytes():
            digest = hashlib.sha256(Path(tmp).read_bytes()).hexdigest()[:8]
            target = dest / f"{Path(name).stem}-{digest}{suffix}"
        shutil.copyfile(tmp, target)
        saved.append(target)
    return saved, refused
