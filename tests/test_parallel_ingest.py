"""Large ingests embed in a worker process while the previous batch is written. The result must be the same
store as a one-process ingest, a dead worker must cost nothing but time, and a user's unguarded script must
not be run again by the worker."""

import subprocess
import sys

import numpy as np

from rag import Assistant
from rag.settings import Settings
from store.background import BackgroundEmbedder
from store.embedder import HashingEmbedder
from store.ingest import BATCH

TOPICS = ["saffron harvest in Khorasan", "harbour strike in Rotterdam", "grain exports through the Bosporus",
          "a drought in the Horn of Africa", "talks on the nuclear programme", "elections in a coastal province"]


def _corpus(folder, n):
    folder.mkdir()
    for i in range(n):
        topic = TOPICS[i % len(TOPICS)]
        (folder / f"a{i:04d}.txt").write_text(
            f"Report {i} on {topic}\n\nCorrespondents filed report number {i} about {topic}. "
            f"Officials said the figures for item {i} would be published next week.\n", encoding="utf-8")
    return folder


def _state(bot):
    col = bot.store.vectors.collection
    got = col.get(include=["embeddings", "metadatas"])
    order = np.argsort(got["ids"])
    return ([got["ids"][i] for i in order], np.asarray(got["embeddings"])[order], [got["metadatas"][i] for i in order],
            bot.store.lexical.ids)


def test_parallel_ingest_builds_the_same_store_as_one_process(tmp_path, monkeypatch):
    docs = _corpus(tmp_path / "docs", 2 * BATCH + 20)  # large enough to start the worker
    delivered = []
    take = BackgroundEmbedder.take
    monkeypatch.setattr(BackgroundEmbedder, "take", lambda self, ticket: delivered.append(ticket) or take(self, ticket))
    states = []
    for parallel in (True, False):
        settings = Settings(store_dir=tmp_path / f"store-{parallel}", ingest={"parallel": parallel})
        with Assistant.open(settings=settings, auto_ingest=False) as bot:
            report = bot.ingest([docs])
            assert len(report.added) == 2 * BATCH + 20 and not report.skipped
            states.append(_state(bot))
            assert bot.retrieve("report 13 on the harbour strike")[0].article_id == "a0013"
    assert delivered == [1, 2, 3]  # the parallel run's three batches came from the worker
    (ids_p, vec_p, meta_p, lex_p), (ids_s, vec_s, meta_s, lex_s) = states
    assert ids_p == ids_s and meta_p == meta_s and sorted(lex_p) == sorted(lex_s)
    assert np.allclose(vec_p, vec_s, atol=1e-6)


def test_a_dead_worker_falls_back_to_embedding_here():
    emb = HashingEmbedder(256)
    worker = BackgroundEmbedder(emb)
    first = worker.submit(["grain exports resumed"])
    assert np.allclose(first.result(), emb.embed(["grain exports resumed"]))
    worker._proc.kill()
    worker._proc.wait()
    later = worker.submit(["the harbour reopened"])  # sent to a dead worker, or refused: either way computed here
    assert np.allclose(later.result(), emb.embed(["the harbour reopened"]))
    worker.close()


def test_an_unguarded_user_script_is_not_run_again_by_the_worker(tmp_path):
    docs = _corpus(tmp_path / "docs", 2 * BATCH + 1)
    script = tmp_path / "script.py"
    script.write_text(  # no `if __name__ == "__main__":`, as many scripts are written
        "from rag import Assistant\nfrom rag.settings import Settings\n"
        "print('SCRIPT RAN', flush=True)\n"
        f"bot = Assistant.open(settings=Settings(store_dir={str(tmp_path / 'store')!r}), auto_ingest=False)\n"
        f"print(bot.ingest([{str(docs)!r}]).summary())\n", encoding="utf-8")
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.count("SCRIPT RAN") == 1
    assert f"{2 * BATCH + 1} added" in out.stdout


def test_no_interpreter_to_start_means_embedding_here(tmp_path, monkeypatch):
    docs = _corpus(tmp_path / "docs", 2 * BATCH + 1)
    monkeypatch.setattr(sys, "executable", str(tmp_path / "no-such-python"))
    with Assistant.open(settings=Settings(store_dir=tmp_path / "store"), auto_ingest=False) as bot:
        assert len(bot.ingest([docs]).added) == 2 * BATCH + 1
        assert bot.retrieve("report 13 on the harbour strike")[0].article_id == "a0013"
