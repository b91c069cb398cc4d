"""Retrieval quality on a BEIR folder: our real pipeline (each channel alone, and fused) against the llama-index
peer (SentenceSplitter + BM25Retriever with defaults), with the published anchors.

    python -m bench.retrieval ../shared/bench-data/scifact [--split test] [--chunk-tokens 512] [--tune]

``--tune`` evaluates the fusion settings on the train split (never on test) and prints the grid.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench import beir

ANCHORS = [("BM25 flat, Anserini (published)", 0.679, None, 0.925), ("BGE-base-en-v1.5, trained dense (published)", 0.741, None, 0.967)]
# name -> (channels, settings changed for the row)
CHANNELS = {"ours: lexical (BM25 + phrases)": (("lexical",), {}),
            "ours: vector alone (hashed n-grams)": (("vector",), {}),
            "ours: vector with feedback from the top lexical passage": (("lexical", "vector"), {"lexical_weight": 0.0}),
            "ours: fused (the default)": (("lexical", "vector"), {})}
GRID = [(k, beta, wv) for k, beta in [(0, 0.0), (1, 0.5), (1, 1.0), (2, 1.0), (3, 1.0)] for wv in (0.1, 0.3, 0.5, 0.6)]


def build(data: Path, chunk_tokens: int, workdir: Path, **retrieval):
    """Ingest the corpus through the real pipeline into a fresh store; return the assistant and seconds taken."""
    from rag import Assistant
    from rag.settings import Settings

    corpus, _, _ = beir.load(data, "test")
    docs = workdir / "docs"
    beir.write_corpus(corpus, docs)
    settings = Settings(store_dir=workdir / "store", chunking={"chunk_tokens": chunk_tokens},
                        retrieval={"top_k": 300, "candidates": 300, **retrieval})
    bot = Assistant.open(settings=settings, auto_ingest=False)
    started = time.perf_counter()
    report = bot.ingest([docs])
    return bot, time.perf_counter() - started, report


def our_run(bot, queries: dict[str, str], channels: tuple[str, ...], **changes) -> dict[str, list[str]]:
    """Ranked document ids per query: chunks map to their article (the document), first occurrence wins.
    ``changes`` override retrieval settings for this run."""
    base = bot.retriever.settings
    bot.retriever.settings = base.model_copy(update=changes)
    run = {}
    try:
        for qid, text in queries.items():
            ranked: list[str] = []
            for hit in bot.retriever.retrieve(text, 300, channels=channels):
                if hit.article_id not in ranked:
                    ranked.append(hit.article_id)
            run[qid] = ranked[:100]
    finally:
        bot.retriever.settings = base
    return run


def peer_run(corpus: dict, queries: dict[str, str]) -> dict[str, list[str]]:
    """What a llama-index user builds: SentenceSplitter + BM25Retriever, defaults, one document per node."""
    from llama_index.core import Document
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.retrievers.bm25 import BM25Retriever

    documents = [Document(text=f"{title}\n{text}", id_=doc_id) for doc_id, (title, text) in corpus.items()]
    nodes = SentenceSplitter().get_nodes_from_documents(documents)
    retriever = BM25Retriever.from_defaults(nodes=nodes, similarity_top_k=100)
    run = {}
    for qid, text in queries.items():
        ranked: list[str] = []
        for r in retriever.retrieve(text):
            if r.node.ref_doc_id not in ranked:
                ranked.append(r.node.ref_doc_id)
        run[qid] = ranked[:100]
    return run


def tune(bot, data: Path) -> None:
    """Fusion and feedback settings evaluated on the train split only."""
    _, queries, qrels = beir.load(data, "train")
    rows = []
    for k, beta, wv in GRID:
        m = beir.evaluate(our_run(bot, queries, ("lexical", "vector"), feedback_passages=k, feedback_weight=beta,
                                  lexical_weight=1 - wv, vector_weight=wv), qrels)
        rows.append([k, f"{beta:g}", f"{1 - wv:g}/{wv:g}", f"{m['nDCG@10']:.4f}", f"{m['R@100']:.4f}"])
    for name, (channels, changes) in list(CHANNELS.items())[:3]:
        m = beir.evaluate(our_run(bot, queries, channels, **changes), qrels)
        rows.append([name, "", "", f"{m['nDCG@10']:.4f}", f"{m['R@100']:.4f}"])
    print("\nFusion and feedback on the train split (choose here, report test):\n")
    print(beir.table(rows, ["feedback passages", "feedback weight", "lexical/vector weight", "nDCG@10", "R@100"]))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path, help="a BEIR folder (corpus.jsonl, queries.jsonl, qrels/)")
    ap.add_argument("--split", default="test")
    ap.add_argument("--chunk-tokens", type=int, default=512, help="chunk size (chosen on the train split: 512)")
    ap.add_argument("--tune", action="store_true", help="also print the fusion grid on the train split")
    args = ap.parse_args()
    corpus, queries, qrels = beir.load(args.data, args.split)
    with tempfile.TemporaryDirectory() as tmp:
        bot, seconds, report = build(args.data, args.chunk_tokens, Path(tmp))
        print(f"ingested {report.articles} documents into {report.chunks} chunks in {seconds:.1f} s")
        if args.tune:
            tune(bot, args.data)
        rows = []
        for name, (channels, changes) in CHANNELS.items():
            started = time.perf_counter()
            m = beir.evaluate(our_run(bot, queries, channels, **changes), qrels)
            rows.append([name, f"{m['nDCG@10']:.3f}", f"{m['R@10']:.3f}", f"{m['R@100']:.3f}", f"{time.perf_counter() - started:.1f}"])
        started = time.perf_counter()
        m = beir.evaluate(peer_run(corpus, queries), qrels)
        rows.append(["peer: llama-index SentenceSplitter + BM25Retriever", f"{m['nDCG@10']:.3f}", f"{m['R@10']:.3f}",
                     f"{m['R@100']:.3f}", f"{time.perf_counter() - started:.1f}"])
        rows += [[name, f"{n:.3f}", "", f"{r:.3f}", ""] for name, n, _, r in ANCHORS]
        bot.close()
    print(f"\n{args.data.name}, {args.split} split, {len(queries)} queries; chunk_tokens={args.chunk_tokens}\n")
    print(beir.table(rows, ["system", "nDCG@10", "R@10", "R@100", "seconds"]))
    print(f"\n{beir.machine()}")


if __name__ == "__main__":
    main()
