"""Ingest speed and memory: our pipeline against the llama-index peer (IngestionPipeline with SentenceSplitter and
our local embedder, into ChromaVectorStore), both reading the same files, timed in the same process.

    python -m bench.ingest ../shared/bench-data/scifact [--limit N] [--no-rss]

Our side uses chunk_tokens=512, the setting chosen for this corpus on the train split (bench.retrieval).

Peak RSS comes from a fresh child process per side (a process's peak cannot be reset); the processes that side
starts (our embedding worker) are reported beside it.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import beir


def ours(docs: Path, store: Path, chunk_tokens: int = 512) -> dict:
    from rag import Assistant
    from rag.settings import Settings

    started = time.perf_counter()
    bot = Assistant.open(settings=Settings(store_dir=store, chunking={"chunk_tokens": chunk_tokens}), auto_ingest=False)
    report = bot.ingest([docs])
    seconds = time.perf_counter() - started
    bot.close()
    return {"articles": report.articles, "chunks": report.chunks, "seconds": seconds}


def peer(docs: Path, store: Path) -> dict:
    import chromadb
    from llama_index.core import SimpleDirectoryReader
    from llama_index.core.embeddings import BaseEmbedding
    from llama_index.core.ingestion import IngestionPipeline
    from llama_index.core.node_parser import SentenceSplitter
    from llama_index.vector_stores.chroma import ChromaVectorStore
    from pydantic import PrivateAttr

    from store.embedder import HashingEmbedder
    from store.vectors import NewsragEmbeddingFunction

    class LocalEmbedding(BaseEmbedding):
        """Our local embedder behind llama-index's interface, so both sides embed with the same function."""

        _e: HashingEmbedder = PrivateAttr()

        def __init__(self, **kw):
            super().__init__(**kw)
            self._e = HashingEmbedder(4096)

        def _get_text_embedding(self, text):
            return self._e.embed_one(text).tolist()

        def _get_text_embeddings(self, texts):
            return self._e.embed(texts).tolist()

        def _get_query_embedding(self, query):
            return self._get_text_embedding(query)

        async def _aget_query_embedding(self, query):
            return self._get_text_embedding(query)

    started = time.perf_counter()
    client = chromadb.PersistentClient(path=str(store), settings=chromadb.Settings(anonymized_telemetry=False))
    collection = client.get_or_create_collection("peer", embedding_function=NewsragEmbeddingFunction(HashingEmbedder(4096)),
                                                 configuration={"hnsw": {"space": "cosine"}})
    documents = SimpleDirectoryReader(input_dir=str(docs)).load_data()
    pipeline = IngestionPipeline(transformations=[SentenceSplitter(), LocalEmbedding()],
                                 vector_store=ChromaVectorStore(chroma_collection=collection))
    nodes = pipeline.run(documents=documents)
    return {"articles": len(documents), "chunks": len(nodes), "seconds": time.perf_counter() - started}


def _child(side: str, docs: Path) -> dict:
    """Run one side in a fresh process; return its figures and peak RSS."""
    with tempfile.TemporaryDirectory() as tmp:
        out = subprocess.run([sys.executable, "-m", "bench.ingest", "--side", side, str(docs), tmp],
                             capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("data", type=Path)
    ap.add_argument("store", nargs="?", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--side", choices=["ours", "peer"], help=argparse.SUPPRESS)
    ap.add_argument("--limit", type=int, help="only the first N documents")
    ap.add_argument("--no-rss", action="store_true", help="skip the child processes that measure peak RSS")
    args = ap.parse_args()
    if args.side:  # a child: data is the folder of files, store the scratch folder
        result = (ours if args.side == "ours" else peer)(args.data, args.store)
        print(json.dumps({**result, "peak_rss_mb": beir.peak_rss_mb(), "worker_rss_mb": beir.peak_rss_mb(children=True)}))
        return
    corpus, _, _ = beir.load(args.data, "test")
    if args.limit:
        corpus = dict(list(corpus.items())[: args.limit])
    with tempfile.TemporaryDirectory() as tmp:
        docs = Path(tmp) / "docs"
        beir.write_corpus(corpus, docs)
        peer(docs, Path(tmp) / "warm-up")  # both sides then run with every library imported and every cache warm
        results = {"ours": ours(docs, Path(tmp) / "ours"), "peer": peer(docs, Path(tmp) / "peer")}
        if not args.no_rss:
            for side in results:
                child = _child(side, docs)
                results[side]["peak_rss_mb"] = child["peak_rss_mb"]
                results[side]["worker_rss_mb"] = child["worker_rss_mb"]
    rows = []
    for side, label in (("ours", "ours: Assistant.ingest (files -> catalog, Chroma, BM25)"),
                        ("peer", "peer: IngestionPipeline(SentenceSplitter, our embedder) -> ChromaVectorStore")):
        r = results[side]
        rows.append([label, r["articles"], r["chunks"], f"{r['seconds']:.1f}", f"{r['articles'] / r['seconds']:.0f}",
                     f"{r['chunks'] / r['seconds']:.0f}", f"{r.get('peak_rss_mb', 0):.0f}" if not args.no_rss else "-",
                     f"{r.get('worker_rss_mb', 0):.0f}" if not args.no_rss else "-"])
    ratio = (results["ours"]["articles"] / results["ours"]["seconds"]) / (results["peer"]["articles"] / results["peer"]["seconds"])
    print(f"\n{args.data.name}: {len(corpus)} documents\n")
    print(beir.table(rows, ["pipeline", "articles", "chunks", "seconds", "articles/s", "chunks/s", "peak RSS MB", "child processes' peak RSS MB"]))
    print(f"\nthroughput ratio (ours / peer, articles per second): {ratio:.2f}x")
    print(f"\n{beir.machine()}")


if __name__ == "__main__":
    main()
