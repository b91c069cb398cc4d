"""The ``rag`` command as a user runs it, in a subprocess."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from prompts import NOT_FOUND
from tests.conftest import REPO, run_cli
from tests.questions import A003


@pytest.fixture
def workdir(tmp_path, corpus):
    return tmp_path


def test_ingest_twice_then_ask_and_list(workdir, corpus):
    first = run_cli("ingest", str(corpus), cwd=workdir)
    assert first.returncode == 0, first.stderr
    assert "5 added" in first.stdout
    second = run_cli("ingest", str(corpus), cwd=workdir)
    assert second.returncode == 0 and "5 unchanged" in second.stdout and "0 added" in second.stdout
    assert (workdir / ".rag" / "catalog.sqlite3").exists()  # default store folder: ./.rag

    ask = run_cli("ask", "Why is Iran disappointed with Russia?", cwd=workdir)
    assert ask.returncode == 0, ask.stderr
    out = ask.stdout
    assert "[1]" in out and "Sources:" in out and "Russia sold Iran to Israel \u00b7 QALAMPIR.UZ" in out
    assert "disappointment with Moscow" in out.split("Sources:")[1]

    listing = run_cli("articles", "--json", cwd=workdir)
    arts = json.loads(listing.stdout)
    assert len(arts) == 5 and {a["article_id"] for a in arts} >= {A003}


def test_ask_json_and_abstention(workdir, corpus):
    run_cli("ingest", str(corpus), cwd=workdir)
    res = run_cli("ask", "What is the population of Brazil?", "--json", cwd=workdir)
    data = json.loads(res.stdout)
    assert res.returncode == 0 and data["found"] is False and data["text"] == NOT_FOUND and data["citations"] == []
    res = run_cli("ask", "Who is Henry Rohm?", "--json", cwd=workdir)
    data = json.loads(res.stdout)
    assert data["found"] and "Henry Rohm" in data["citations"][0]["quote"]


def test_ask_on_an_empty_store_ingests_the_seeds_first(workdir):
    res = run_cli("ask", "Who is Henry Rohm?", cwd=workdir, env_extra={"RAG_STORE_DIR": str(workdir / "fresh"), "RAG_CORPUS_DIR": str(REPO / "seeds")})
    assert res.returncode == 0, res.stderr
    assert "Henry Rohm" in res.stdout


def test_prune_removes_deleted_files(workdir, corpus):
    run_cli("ingest", str(corpus), cwd=workdir)
    (corpus / f"{A003}.txt").unlink()
    res = run_cli("ingest", str(corpus), "--prune", cwd=workdir)
    assert res.returncode == 0 and "1 removed" in res.stdout and "holds 4 articles" in res.stdout


@pytest.mark.parametrize("args,message", [
    (("ask", ""), "the question is empty"),
    (("ask", "  \t "), "the question is empty"),
    (("ingest", "does/not/exist"), "no such file or folder: does/not/exist"),
])
def test_errors_are_one_line_without_traceback(workdir, corpus, args, message):
    run_cli("ingest", str(corpus), cwd=workdir)
    res = run_cli(*args, cwd=workdir)
    assert res.returncode != 0
    assert message in res.stderr and "Traceback" not in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1


def test_unreadable_store_is_a_clear_error(workdir):
    store = workdir / "broken"
    store.mkdir()
    (store / "catalog.sqlite3").write_bytes(b"this is not a database" * 100)
    res = run_cli("--store", str(store), "articles", cwd=workdir)
    assert res.returncode != 0
    assert "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert "catalog" in res.stderr and "RAG_STORE_DIR" in res.stderr


def test_store_path_that_is_a_file_is_a_clear_error(workdir):
    (workdir / "afile").write_text("x")
    res = run_cli("--store", str(workdir / "afile"), "articles", cwd=workdir)
    assert res.returncode != 0 and "Traceback" not in res.stderr and "store" in res.stderr


def test_chat_reads_questions_until_an_empty_line(workdir, corpus):
    run_cli("ingest", str(corpus), cwd=workdir)
    out = workdir / "talk.ris"
    res = run_cli("chat", cwd=workdir, input=f"Who is Henry Rohm?\n/export nope\n/export ris {out}\n\n")
    assert res.returncode == 0 and "offline extractive mode" in res.stdout and "Washington Institute" in res.stdout
    assert "error: unknown export format 'nope'" in res.stdout and f"wrote {out}" in res.stdout
    assert "TY  - NEWS" in out.read_text(encoding="utf-8")


def test_console_script_is_installed_beside_python():
    script = Path(sys.executable).parent / "rag"
    assert script.exists(), "pip install -e . installs the rag command"
    res = subprocess.run([str(script), "--help"], capture_output=True, text=True, timeout=60)
    assert res.returncode == 0 and "ingest" in res.stdout and "ask" in res.stdout


def test_store_that_cannot_be_written_is_a_clear_error(workdir):
    res = run_cli("--store", "/proc/newsrag-cannot-write-here", "ask", "Who is Henry Rohm?", cwd=workdir)
    assert res.returncode != 0 and "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1
    assert "/proc/newsrag-cannot-write-here" in res.stderr and "RAG_STORE_DIR" in res.stderr
