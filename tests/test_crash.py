"""An ingest killed with SIGKILL at any step leaves a store that opens and answers; the next ingest completes it
with no duplicate chunks, no orphaned chunks and no article only half in."""

import signal
import time
from pathlib import Path

import pytest

from rag import Assistant
from rag.settings import Settings
from tests.conftest import run_cli

POINTS = ["vectors-written", "batch-committed", "lexical-written"]


def _corpus(folder, n):
    folder.mkdir()
    for i in range(n):
        (folder / f"report-{i:03d}.txt").write_text(
            f"Harbour report {i}\n\nThe harbour of port number {i} handled {i * 7 + 3} container ships in March. "
            f"Its director, Captain Ahmadi {i}, said the season was busy.\n", encoding="utf-8")
    return folder


def _workers() -> list[int]:
    """Pids of running embedding workers (store.background)."""
    pids = []
    for proc in Path("/proc").iterdir():
        try:
            if proc.name.isdigit() and b"store.background import serve" in (proc / "cmdline").read_bytes():
                pids.append(int(proc.name))
        except OSError:
            pass
    return pids


def _consistent(store_dir, n):
    with Assistant.open(settings=Settings(store_dir=store_dir), auto_ingest=False) as bot:
        store = bot.store
        expected = set(store.lexical.ids)
        have = store.vectors.all_ids()
        assert len(have) == len(set(have)), "duplicate chunk ids in Chroma"
        assert set(have) == expected, "orphaned or missing chunks"
        assert store.catalog.count() == n and store.unindexed() == []
        assert len(store.catalog.indexed(store.index_name)) == n
        ans = bot.ask("How many container ships did the harbour of port number 137 handle?")
        assert ans.found and "962 container ships" in ans.citations[0].quote


@pytest.mark.parametrize("point", POINTS)
def test_killed_ingest_is_completed_by_the_next_one(tmp_path, point):
    corpus = _corpus(tmp_path / "corpus", 300)  # three write batches
    env = {"RAG_STORE_DIR": str(tmp_path / "store"), "RAG_CORPUS_DIR": str(corpus)}
    killed = run_cli("ingest", str(corpus), cwd=tmp_path, env_extra={**env, "NEWSRAG_TEST_CRASH_AT": point})
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    deadline = time.monotonic() + 10
    while _workers() and time.monotonic() < deadline:  # the embedding worker sees its input close, and exits
        time.sleep(0.1)
    assert not _workers()
    opened = run_cli("ask", "Who is the director of port number 2?", cwd=tmp_path, env_extra=env)
    assert opened.returncode == 0 and "Traceback" not in opened.stderr  # the store opens and answers
    again = run_cli("ingest", str(corpus), cwd=tmp_path, env_extra=env)
    assert again.returncode == 0, again.stderr
    _consistent(tmp_path / "store", 300)


def test_orphans_from_a_killed_write_are_removed_when_their_file_is_gone(tmp_path):
    corpus = _corpus(tmp_path / "corpus", 200)
    env = {"RAG_STORE_DIR": str(tmp_path / "store")}
    killed = run_cli("ingest", str(corpus), cwd=tmp_path, env_extra={**env, "NEWSRAG_TEST_CRASH_AT": "vectors-written"})
    assert killed.returncode == -signal.SIGKILL
    for path in sorted(corpus.iterdir())[150:]:  # files whose chunks reached Chroma but never the catalog
        path.unlink()
    assert run_cli("ingest", str(corpus), "--prune", cwd=tmp_path, env_extra=env).returncode == 0
    with Assistant.open(settings=Settings(store_dir=tmp_path / "store"), auto_ingest=False) as bot:
        assert set(bot.store.vectors.all_ids()) == set(bot.store.lexical.ids) and bot.store.catalog.count() == 150
