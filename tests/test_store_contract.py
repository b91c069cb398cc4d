"""One contract, every vector backend: embedded Chroma in a folder, and a real Chroma server started with
`chroma run` on 127.0.0.1."""

import os
import sys
from pathlib import Path

import numpy as np
import pytest

from rag import Assistant
from rag.errors import StoreError
from rag.settings import Settings
from store.embedder import HashingEmbedder
from store.vectors import ChromaVectors
from tests.conftest import SEEDS, free_port, run_cli, start_server, stop_server


@pytest.fixture(scope="module")
def chroma_server(tmp_path_factory):
    """A real Chroma server: `chroma run` from the chromadb package, on 127.0.0.1."""
    port = free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    url = f"http://127.0.0.1:{port}"
    proc = start_server([str(Path(sys.executable).parent / "chroma"), "run", "--path", str(folder / "data"), "--host",
                         "127.0.0.1", "--port", str(port)], url + "/api/v2/heartbeat", folder / "server.log",
                        {**os.environ, "ANONYMIZED_TELEMETRY": "False"}, timeout=60)
    yield url
    stop_server(proc)


@pytest.fixture(params=["embedded", pytest.param("server", marks=pytest.mark.server)])
def backend(request, tmp_path):
    """Where vectors live: a folder, or the URL of the running server."""
    if request.param == "embedded":
        return tmp_path / "chroma"
    return request.getfixturevalue("chroma_server")


def test_vectors_contract(backend, tmp_path):
    emb = HashingEmbedder(256)
    name = f"contract-{tmp_path.name[-20:].replace('_', '-')}x"
    v = ChromaVectors(backend if isinstance(backend, str) else Path(backend), name, emb)
    texts = {"a:1:0": "Iran and Russia signed a treaty", "a:1:1": "the harbour reopened to ships", "b:1:0": "a saffron harvest"}
    v.replace(["a", "b"], list(texts), list(texts.values()), [{"article_id": k.split(":")[0]} for k in texts])
    assert v.count() == 3 and sorted(v.all_ids()) == sorted(texts)
    hits = v.query("saffron harvest", 2)
    assert hits[0][0] == "b:1:0" and hits[0][1] > hits[1][1]
    # pseudo-relevance feedback: the stored vector of a feedback chunk pulls the query toward it
    assert v.query("saffron harvest", 3, feedback=["a:1:1"], feedback_weight=3.0)[0][0] == "a:1:1"
    assert v.query("saffron harvest", 3, feedback=["a:1:1"], feedback_weight=0.0)[0][0] == "b:1:0"
    assert v.query("saffron harvest", 3, feedback=["no-such-chunk"])[0][0] == "b:1:0"
    # candidates the (approximate) search did not return are scored exactly, and rank by that score
    got = dict(v.query("saffron harvest", 1, rescore=["a:1:0", "no-such-chunk"]))
    q, a = emb.embed_query("saffron harvest")[0], emb.embed([texts["a:1:0"]])[0]
    assert set(got) == {"b:1:0", "a:1:0"} and np.isclose(got["a:1:0"], float(q @ a) / np.linalg.norm(q), atol=1e-5)
    v.replace(["a"], ["a:2:0"], ["the harbour closed"], [{"article_id": "a"}])  # a changed article replaces its chunks
    assert sorted(v.all_ids()) == ["a:2:0", "b:1:0"]
    v.delete("b")
    v.delete_ids(["a:2:0"])
    assert v.count() == 0 and v.query("anything", 3) == []
    assert np.isclose(np.linalg.norm(emb.embed(["x y"])[0]), 1.0)


def test_assistant_on_every_backend(backend, tmp_path, corpus):
    url = backend if isinstance(backend, str) else None
    settings = Settings(store_dir=tmp_path / "store", chroma_url=url, corpus_dir=corpus)
    with Assistant.open(settings=settings) as bot:
        assert len(bot.first_ingest.added) == 5
        ans = bot.ask("Why is Iran disappointed with Russia?")
        assert ans.found and "disappointment with Moscow" in ans.citations[0].quote
        assert len(bot.ingest(corpus).unchanged) == 5
        assert sorted(bot.store.vectors.all_ids()) == sorted(bot.store.lexical.ids)
        hits = bot.retriever.retrieve("Tatarstn arms production facilty", 3, channels=("vector",))
        assert hits[0].article_id == "001_0d32418ab5275926"


def test_unreachable_server_is_one_clear_line(tmp_path):
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match=f"cannot reach the Chroma server at {url}"):
        Assistant.open(settings=Settings(store_dir=tmp_path / "s", chroma_url=url, corpus_dir=SEEDS))
    res = run_cli("ask", "Who is Henry Rohm?", cwd=tmp_path,
                  env_extra={"RAG_STORE_DIR": str(tmp_path / "s2"), "RAG_CHROMA_URL": url, "RAG_CORPUS_DIR": str(SEEDS)})
    assert res.returncode != 0 and url in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


@pytest.mark.server
def test_two_processes_sharing_a_server_see_each_others_ingests(chroma_server, tmp_path):
    env = {"RAG_STORE_DIR": str(tmp_path / "a"), "RAG_CHROMA_URL": chroma_server}
    reader = Assistant.open(settings=Settings(store_dir=tmp_path / "b", chroma_url=chroma_server), auto_ingest=False)
    reader.store.shared.check_interval = 0  # look at the server before every question
    question = "When did the harbour of Bandar Abbas reopen?"
    assert not reader.ask(question).found
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "harbour.txt").write_text("Harbour notice\n\nThe harbour of Bandar Abbas reopened to container ships on Monday.",
                                       encoding="utf-8")
    res = run_cli("ingest", str(extra), cwd=tmp_path, env_extra=env)  # another process writes
    assert res.returncode == 0, res.stderr
    ans = reader.ask(question)  # the reader notices the change and refreshes its catalog and lexical index
    assert ans.found and ans.citations[0].title == "Harbour notice"
    assert ans.citations[0].quote == reader.article("harbour").text[ans.citations[0].start:ans.citations[0].end]
    hits = reader.retriever.retrieve("Bandar Abbas harbour container ships", 3, channels=("vector",))
    assert hits and hits[0].article_id == "harbour"  # its vectors, written by the other process, are found too
    (extra / "harbour.txt").unlink()
    assert run_cli("ingest", str(extra), "--prune", cwd=tmp_path, env_extra=env).returncode == 0
    assert not reader.ask(question).found  # and its removal reaches the reader as well
    reader.close()
