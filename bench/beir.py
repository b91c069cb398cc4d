"""BEIR-format data (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) and the standard metrics, shared by the benchmarks."""

from __future__ import annotations

import json
import math
import platform
import resource
import subprocess
import sys
from pathlib import Path


def load(folder: str | Path, split: str = "test"):
    """``(corpus, queries, qrels)``: corpus ``{id: (title, text)}``, queries ``{id: text}`` of the split, qrels
    ``{query id: {doc id: grade}}``."""
    folder = Path(folder)
    if not (folder / "corpus.jsonl").is_file():
        sys.exit(f"{folder} is not a BEIR folder: corpus.jsonl is missing")
    corpus = {}
    with open(folder / "corpus.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            corpus[str(d["_id"])] = (d.get("title") or "", d.get("text") or "")
    qrels: dict[str, dict[str, int]] = {}
    with open(folder / "qrels" / f"{split}.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            q, d, g = line.rstrip("\n").split("\t")[:3]
            if int(g) > 0:
                qrels.setdefault(q, {})[d] = int(g)
    queries = {}
    with open(folder / "queries.jsonl", encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            if str(d["_id"]) in qrels:
                queries[str(d["_id"])] = d["text"]
    return corpus, queries, qrels


def ndcg(ranked: list[str], relevant: dict[str, int], k: int = 10) -> float:
    dcg = sum((2 ** relevant.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(relevant.values(), reverse=True)[:k]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall(ranked: list[str], relevant: dict[str, int], k: int) -> float:
    return len(set(ranked[:k]) & set(relevant)) / len(relevant) if relevant else 0.0


def evaluate(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean nDCG@10, Recall@10 and Recall@100 of ``run`` (query id -> ranked doc ids)."""
    n = len(qrels)
    return {
        "nDCG@10": sum(ndcg(run.get(q, []), rel) for q, rel in qrels.items()) / n,
        "R@10": sum(recall(run.get(q, []), rel, 10) for q, rel in qrels.items()) / n,
        "R@100": sum(recall(run.get(q, []), rel, 100) for q, rel in qrels.items()) / n,
    }


def peak_rss_mb(children: bool = False) -> float:
    """Peak RSS of this process, or (``children``) of the largest child it waited for."""
    return resource.getrusage(resource.RUSAGE_CHILDREN if children else resource.RUSAGE_SELF).ru_maxrss / 1024


def machine() -> str:
    cpu = ""
    try:
        cpu = next(l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = ""
    try:
        mem = f"{int(open('/proc/meminfo').readline().split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return f"{platform.system()} {platform.machine()}, {cpu}, {__import__('os').cpu_count()} cores, {mem}, Python {platform.python_version()}, commit {commit}"


def table(rows: list[list], headers: list[str]) -> str:
    """A Markdown table."""
    cells = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) for i, h in enumerate(headers)]
    line = lambda r: "| " + " | ".join(c.ljust(w) for c, w in zip(r, widths)) + " |"  # noqa: E731
    return "\n".join([line(headers), "|" + "|".join("-" * (w + 2) for w in widths) + "|", *map(line, cells)])


def write_corpus(corpus: dict[str, tuple[str, str]], folder: Path) -> list[Path]:
    """One Markdown file per document (front matter carries the exact title), named by document id."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for doc_id, (title, text) in corpus.items():
        path = folder / f"{doc_id}.md"
        safe_title = " ".join(title.split()).replace('"', "'")
        path.write_text(f'---\ntitle: "{safe_title}"\n---\n{text}\n', encoding="utf-8")
        paths.append(path)
    return paths
