"""Ingest files and folders into a :class:`Store`: idempotent, incremental, and explicit about what it skipped."""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from rag.errors import CorpusError
from store.catalog import Article, content_hash
from store.clean import PageMeta, clean_text, derive_title
from store.loader import SUPPORTED, Unreadable, load
from store.store import Store, crash_point

SIDECAR = "metadata.json"
PARSER_VERSION = "1"  # bump when cleaning or metadata rules change, so files are read again
_SIDECAR_FIELDS = {"title", "source", "author", "published", "url"}
BATCH = 128  # articles written to Chroma and the catalog together (Chroma's cost is per call)


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # stored, but the file is gone; removed only with prune
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    chunks_added: int = 0
    chunks_removed: int = 0
    articles: int = 0
    chunks: int = 0
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return asdict(self)

    def summary(self) -> str:
        lines = [
            f"{len(self.added)} added, {len(self.updated)} updated, {len(self.unchanged)} unchanged, "
            f"{len(self.removed)} removed, {len(self.skipped)} skipped "
            f"({self.chunks_added} chunks added, {self.chunks_removed} removed) in {self.seconds:.2f}s; "
            f"the store holds {self.articles} articles in {self.chunks} chunks."
        ]
        if not self.changed and self.unchanged and not self.skipped:
            lines.append("Nothing to do: every file is already in the store, unchanged.")
        lines += [f"  skipped {path}: {reason}" for path, reason in self.skipped]
        if self.missing:
            lines.append(f"  {len(self.missing)} stored article(s) whose file is gone; `rag ingest --prune` removes them:")
            lines += [f"    {p}" for p in self.missing]
        return "\n".join(lines)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read_sidecar(folder: Path, report: IngestReport) -> dict[str, dict]:
    path = folder / SIDECAR
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict) or not all(isinstance(v, dict) for v in data.values()):
            raise ValueError('expected {"file name": {"title": ..., "source": ..., ...}}')
    except (OSError, ValueError) as e:
        report.skipped.append((_display(path), f"metadata sidecar ignored: {e}"))
        return {}
    out = {}
    for name, fields in data.items():
        unknown = set(fields) - _SIDECAR_FIELDS
        if unknown:
            report.skipped.append((_display(path), f"entry {name!r} ignored: unknown field(s) {sorted(unknown)}; "
                                                   f"allowed: {sorted(_SIDECAR_FIELDS)}"))
            continue
        out[name] = {k: (str(v) if v is not None else None) for k, v in fields.items()}
    return out


def collect(paths: list[Path], report: IngestReport) -> list[tuple[Path, dict]]:
    """Files to ingest, each with its sidecar metadata. Missing paths raise before anything is written."""
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise CorpusError(f"no such file or folder: {', '.join(missing)}")
    files: list[tuple[Path, dict]] = []
    sidecars: dict[Path, dict] = {}
    for given in paths:
        given = given.resolve()
        candidates = sorted(p for p in given.rglob("*") if p.is_file()) if given.is_dir() else [given]
        for path in candidates:
            rel_parts = path.relative_to(given).parts if given.is_dir() else (path.name,)
            if any(part.startswith(".") for part in rel_parts) or path.name == SIDECAR:
                continue
            if path.suffix.lower() not in SUPPORTED:
                report.skipped.append((_display(path), f"unsupported file type {path.suffix or '(none)'!r}; "
                                                       f"supported: {', '.join(sorted(SUPPORTED))}"))
                continue
            if path.parent not in sidecars:
                sidecars[path.parent] = _read_sidecar(path.parent, report)
            files.append((path, sidecars[path.parent].get(path.name, {})))
    seen: set[Path] = set()
    return [f for f in files if not (f[0] in seen or seen.add(f[0]))]


def _article(store: Store, path: Path, data: bytes, overrides: dict, reserved: set[str]) -> Article:
    raw, markup_meta = load(path, data)
    text, page_meta = clean_text(raw)
    if not text.strip():
        raise Unreadable("no article text is left after removing page furniture")
    meta = page_meta.merged(markup_meta).merged(PageMeta(**overrides))
    known = store.catalog.by_path(str(path))
    return Article(
        article_id=known[0] if known else store.catalog.new_id(path, reserved),
        title=meta.title or derive_title(text),
        source=meta.source, author=meta.author, published=meta.published, url=meta.url,
        path=str(path), text=text,
    )


def _embedder_for(store: Store, files: int, parallel: bool):
    """A background worker when the ingest is large enough to repay starting one (about a second) and the
    embedder is local CPU work; else embedding in this process."""
    from store.background import BackgroundEmbedder, Inline

    if parallel and files > 2 * BATCH and getattr(store.embedder, "parallel", False):
        try:
            return BackgroundEmbedder(store.embedder)
        except (OSError, ValueError):  # no usable interpreter to start (an embedded Python, say): embed here
            pass
    return Inline(store.embedder)


def ingest(store: Store, paths: list[str | Path], prune: bool = False, max_bytes: int = 20 << 20, progress: bool = False,
           parallel: bool = True) -> IngestReport:
    """Bring the store in line with ``paths``: add new files, replace changed ones, skip unchanged ones,
    and with ``prune`` remove stored articles whose files no longer exist. With ``parallel``, a large ingest
    embeds each batch in a worker process while the previous one is written."""
    started = time.perf_counter()
    report = IngestReport()
    files = collect([Path(p) for p in paths], report)
    indexed = store.catalog.indexed(store.index_name)
    bar = None
    if progress and files:
        from tqdm import tqdm

        bar = tqdm(total=len(files), unit="file", desc="ingesting", leave=False)
    batch: list[tuple[Article, str]] = []
    pending: dict[str, str] = {}  # content hash -> path, for articles of this run (written or not yet)
    reserved: set[str] = set()  # article ids given out in this run
    embedder = _embedder_for(store, len(files), parallel)
    waiting = None  # the prepared batch being embedded, written when the next one is prepared

    def commit() -> None:
        nonlocal waiting
        if waiting is not None:
            report.chunks_added += sum(store.commit(waiting))
            waiting = None
            crash_point("batch-committed")

    def flush() -> None:
        nonlocal waiting
        if batch:
            prepared = store.prepare(batch, embedder)
            batch.clear()
            commit()
            waiting = prepared

    try:
        for path, overrides in files:
            shown = _display(path)
            try:
                if path.stat().st_size > max_bytes:
                    raise Unreadable(f"the file is larger than the {max_bytes / (1 << 20):.0f} MB limit (RAG_INGEST__MAX_FILE_MB)")
                data = path.read_bytes()
                file_hash = hashlib.sha256(data + json.dumps(overrides, sort_keys=True).encode() + PARSER_VERSION.encode()).hexdigest()
                known = store.catalog.by_path(str(path))
                if known and known[1] == file_hash and known[0] in indexed:
                    report.unchanged.append(shown)
                    continue
                article = _article(store, path, data, overrides, reserved)
                chash = content_hash(article)
                twin = pending.get(chash) or store.catalog.by_content(chash)
                if twin and twin != str(path):
                    raise Unreadable(f"same article text as {_display(Path(twin))}, which is already stored")
                if known:
                    report.chunks_removed += store.catalog.chunk_count_of(store.index_name, known[0])
                batch.append((article, file_hash))
                pending[chash] = str(path)
                reserved.add(article.article_id)
                (report.updated if known else report.added).append(shown)
            except Unreadable as e:
                report.skipped.append((shown, str(e)))
            except OSError as e:
                report.skipped.append((shown, f"cannot read the file ({e.strerror or e})"))
            finally:
                if bar is not None:
                    bar.update(1)
            if len(batch) >= BATCH:  # outside the try: a failing write is not a file's fault, and stops the ingest
                flush()
        flush()
        commit()
    finally:
        embedder.close()
    if bar is not None:
        bar.close()
    for stored_path, article_id in sorted(store.catalog.paths().items()):
        if not Path(stored_path).exists():
            if prune:
                report.chunks_removed += store.remove_article(article_id)
                report.removed.append(_display(Path(stored_path)))
            else:
                report.missing.append(_display(Path(stored_path)))
    if report.changed:
        store.refresh_lexical()
        store.repair()  # finishes whatever an interrupted ingest left half done
    report.articles = store.catalog.count()
    report.chunks = store.catalog.chunk_count(store.index_name)
    report.seconds = time.perf_counter() - started
    return report
