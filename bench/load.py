"""A bounded load test of the web app through its Gradio API: concurrent sessions, each a scripted conversation
with follow-ups, against a `rag serve` started here on 127.0.0.1 over the seeds. Checks that every answer is right
for its own session and that no history crosses between sessions; prints p50/p95 latency.

    python -m bench.load [--sessions 20] [--port 0]
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bench import beir

REPO = Path(__file__).resolve().parent.parent
A001, A002, A003, A004 = "001_0d32418ab5275926", "002_971d02bb5b681a9b", "003_2d514171d15b0da3", "004_4e425b7157766a74"
# (question, article the sources must include, text the searched-for line must include)
SCRIPTS = [
    [("What did Seyed Mohammad Sadr claim about Russia?", A003, "Sadr"), ("What else did he claim?", A003, "Seyed Mohammad Sadr"),
     ("Why is Iran disappointed with Russia?", A003, "disappointed"), ("What did Russia agree to sell to Turkey?", A003, "Turkey"),
     ("What is the Expediency Council?", A003, "Expediency")],
    [("Who is Henry Rohm?", A004, "Rohm"), ("What did he say about nuclear talks?", A004, "Henry Rohm"),
     ("What deal did Gazprom sign with the Iranian Oil Company?", A004, "Gazprom"),
     ("Where is Iran training Russian drone operators?", A004, "drone"), ("Who did Putin meet in July?", A004, "Putin")],
    [("What did Sergey Mardan say on Russian state radio?", A001, "Mardan"),
     ("Which fighter jets is Russia expected to provide to Iran?", A001, "fighter"),
     ("Where did Russia establish a production facility for arms?", A001, "facility"),
     ("What did Maria Zakharova do?", A001, "Zakharova"), ("What did Vasily Nebenzya say about the Iranian attack?", A001, "Nebenzya")],
    [("Who is Mohammad Bagheri?", A002, "Bagheri"), ("When did Russia join the war in Syria?", A002, "Syria"),
     ("Which strategy does Khamenei want Iran to pursue?", A002, "strategy"),
     ("What did Khamenei ban earlier this year?", A002, "ban"), ("When will the joint Russia-Iran military commissions meet?", A002, "commissions")],
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _text(message: dict) -> str:
    content = message["content"]
    return " ".join(c.get("text", "") for c in content) if isinstance(content, list) else str(content)


def conversation(url: str, script: list[tuple[str, str, str]]) -> tuple[list[float], list[str]]:
    """Run one session; return its latencies and the problems found (empty when all is right)."""
    from gradio_client import Client

    client = Client(url, verbose=False)
    history, latencies, problems = [], [], []
    for turn, (question, article, searched_part) in enumerate(script, 1):
        started = time.perf_counter()
        try:
            history, _, searched, sources = client.predict(question, history, api_name="/respond")
        except Exception as e:  # any failure is an error of the app under load
            problems.append(f"{question!r}: {type(e).__name__}: {e}")
            return latencies, problems
        latencies.append(time.perf_counter() - started)
        if f'data-article="{article}"' not in sources:
            problems.append(f"{question!r}: sources lack {article}")
        if searched_part not in searched:
            problems.append(f"{question!r}: searched {searched!r}, expected {searched_part!r}")
        asked = [_text(m) for m in history if m["role"] == "user"]
        mine = [re.sub(r"\\(.)", r"\1", q) for q in asked]
        if mine != [q for q, _, _ in script[:turn]]:
            problems.append(f"history crossed: {mine}")
    return latencies, problems


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=20)
    args = ap.parse_args()
    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))},
               "RAG_STORE_DIR": str(Path(tmp) / "store"), "RAG_CORPUS_DIR": str(REPO / "seeds"), "GRADIO_ANALYTICS_ENABLED": "False"}
        server = subprocess.Popen([str(Path(sys.executable).parent / "rag"), "serve", "--port", str(port)], env=env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}/"
        try:
            for _ in range(400):
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    time.sleep(0.3)
            started = time.perf_counter()
            with ThreadPoolExecutor(max_workers=args.sessions) as pool:
                results = list(pool.map(lambda i: conversation(url, SCRIPTS[i % len(SCRIPTS)]), range(args.sessions)))
            wall = time.perf_counter() - started
        finally:
            server.terminate()
            server.wait(10)
    latencies = [t for lat, _ in results for t in lat]
    problems = [p for _, ps in results for p in ps]
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else [latencies[0]] * 99
    print(f"\n{args.sessions} concurrent sessions x {len(SCRIPTS[0])} questions against rag serve (offline mode, seeds)\n")
    print(beir.table([[len(latencies), len(problems), f"{1000 * q[49]:.0f}", f"{1000 * q[94]:.0f}", f"{wall:.1f}"]],
                     ["answers", "errors or wrong answers", "p50 ms", "p95 ms", "wall s"]))
    for p in problems:
        print("  ", p)
    print(f"\n{beir.machine()}")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
