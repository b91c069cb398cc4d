"""Cold start: wall time of `rag ask "..."` on the seeds (store already ingested) against the bare imports a
llama-index + Chroma app pays first, `python -c "import chromadb, llama_index.core"`; medians of several runs.

    python -m bench.coldstart [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import beir

REPO = Path(__file__).resolve().parent.parent


def wall(cmd: list[str], env: dict, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(cmd, env=env, check=True, capture_output=True)
        out.append(time.perf_counter() - started)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    rag = str(Path(sys.executable).parent / "rag")
    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "RAG_STORE_DIR": str(Path(tmp) / "store"), "RAG_CORPUS_DIR": str(REPO / "seeds")}
        subprocess.run([rag, "ingest"], env=env, check=True, capture_output=True)
        ours = wall([rag, "ask", "Why is Iran disappointed with Russia?"], env, args.runs)
        bare = wall([sys.executable, "-c", "import chromadb, llama_index.core"], env, args.runs)
    o, b = statistics.median(ours), statistics.median(bare)
    print(f"\ncold start, median of {args.runs} runs\n")
    print(beir.table([['rag ask "Why is Iran disappointed with Russia?" (seeds)', f"{o:.2f}"],
                      ['python -c "import chromadb, llama_index.core"', f"{b:.2f}"]], ["command", "seconds"]))
    print(f"\nratio (ours / bare imports): {o / b:.2f}x")
    print(f"\n{beir.machine()}")


if __name__ == "__main__":
    main()
