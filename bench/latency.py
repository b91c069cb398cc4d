"""Query latency, warm: ``ask()`` and retrieval alone, p50/p95/p99 over every query, with the llama-index BM25
peer's retrieval timed on the same queries in the same process.

    python -m bench.latency ../shared/bench-data/scifact [--split test]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from bench import beir
from bench.retrieval import build


def percentiles(samples: list[float]) -> list[str]:
    q = statistics.quantiles(samples, n=100, method="inclusive")
    return [f"{1000 * q[49]:.1f}", f"{1000 * q[94]:.1f}", f"{1000 * q[98]:.1f}"]


def timed(fn, items) -> list[float]:
    out = []
    for item in items:
        started = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("--split", default="test")
    args = ap.parse_args()
    corpus, queries, _ = beir.load(args.data, args.split)
    texts = list(queries.values())
    with tempfile.TemporaryDirectory() as tmp:
        bot, _, report = build(args.data, 512, Path(tmp), top_k=6, candidates=40)  # the product's retrieval defaults
        for q in texts[:20]:
            bot.ask(q)  # warm
        retrieval = timed(bot.retrieve, texts)
        ask = timed(bot.ask, texts)
        from llama_index.core import Document
        from llama_index.core.node_parser import SentenceSplitter
        from llama_index.retrievers.bm25 import BM25Retriever

        nodes = SentenceSplitter().get_nodes_from_documents([Document(text=f"{t}\n{x}", id_=i) for i, (t, x) in corpus.items()])
        peer = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=6)
        for q in texts[:20]:
            peer.retrieve(q)
        peer_retrieval = timed(peer.retrieve, texts)
        bot.close()
    rows = [["ours: retrieval (BM25 + vector, fused), top 6", *percentiles(retrieval)],
            ["ours: ask() (retrieval + extractive answer)", *percentiles(ask)],
            ["peer: llama-index BM25Retriever.retrieve, top 6", *percentiles(peer_retrieval)]]
    print(f"\n{args.data.name}: {report.articles} documents, {report.chunks} chunks; {len(texts)} queries, warm\n")
    print(beir.table(rows, ["operation", "p50 ms", "p95 ms", "p99 ms"]))
    print(f"\n{beir.machine()}")


if __name__ == "__main__":
    main()
