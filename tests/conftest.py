"""Shared fixtures and fakes. Chroma is always the real embedded Chroma in a temporary folder."""

from __future__ import annotations

import ipaddress
import os
import shutil
import socket
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SEEDS = REPO / "seeds"

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
for var in [v for v in os.environ if v.startswith("RAG_")]:
    del os.environ[var]  # the tests choose their own settings


def _loopback(address) -> bool:
    host = address[0] if isinstance(address, tuple) else address
    if isinstance(host, str) and host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    """No test may reach beyond loopback: a connection elsewhere fails the test loudly."""
    real_connect = socket.socket.connect

    def guarded(self, address):
        if self.family in (socket.AF_INET, socket.AF_INET6) and not _loopback(address):
            raise AssertionError(f"test tried to reach the network: {address!r}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    monkeypatch.setattr(socket.socket, "connect_ex", lambda self, a: guarded(self, a) or 0)


@pytest.fixture
def settings(tmp_path):
    from rag.settings import Settings

    return Settings(store_dir=tmp_path / "store", corpus_dir=SEEDS)


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A writable copy of the seeds."""
    target = tmp_path / "corpus"
    shutil.copytree(SEEDS, target)
    return target


@pytest.fixture(scope="session")
def seeded_bot(tmp_path_factory):
    """One assistant over the seeds for the read-only tests (ingesting once keeps the suite fast)."""
    from rag import Assistant

    bot = Assistant.open(store_dir=tmp_path_factory.mktemp("seeded") / "store", corpus_dir=SEEDS)
    yield bot
    bot.close()


@pytest.fixture
def bot(settings):
    from rag import Assistant

    b = Assistant.open(settings=settings, auto_ingest=False)
    yield b
    b.close()


class FakeAnswerer:
    """Records what the assistant hands the answerer; answers with the first hit's text."""

    mode = "fake"

    def __init__(self):
        self.calls = []

    def answer(self, question, hits, query=None, exclude=frozenset(), focus=None):
        from rag.types import Answer

        self.calls.append((question, query, hits))
        return Answer(question=question, text=hits[0].text if hits else "", found=bool(hits), query=query or question, mode=self.mode)

    def stream(self, question, hits, query=None, exclude=frozenset(), focus=None):
        yield self.answer(question, hits, query, exclude, focus)


@pytest.fixture
def fake_answerer():
    return FakeAnswerer()


def run_cli(*args: str, cwd: Path, env_extra: dict | None = None, input: str | None = None):
    """Run the real ``rag`` command in a subprocess (not ``python -m``, which would put ``cwd`` first on the
    import path, where a folder named like one of our packages would shadow it)."""
    import subprocess

    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(env_extra or {})
    script = Path(sys.executable).parent / "rag"  # the installed command, as a user runs it
    return subprocess.run([str(script), *args], cwd=cwd, env=env, input=input, capture_output=True, text=True, timeout=300)


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on (yet)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(cmd: list[str], url: str, log_path: Path, env: dict, cwd: Path | None = None, timeout: float = 120):
    """Start a server process and wait until ``url`` answers (any HTTP status counts); fail with its log if it dies."""
    import subprocess
    import time
    import urllib.error
    import urllib.request

    log = open(log_path, "w")
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log = log
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.close()
            pytest.fail(f"{cmd[0]} exited: {log_path.read_text()}")
        try:
            urllib.request.urlopen(url, timeout=2)
            return proc
        except urllib.error.HTTPError:
            return proc
        except OSError:
            time.sleep(0.3)
    stop_server(proc)
    pytest.fail(f"{' '.join(cmd[:2])} did not answer at {url} within {timeout:.0f} s")


def stop_server(proc) -> None:
    import subprocess

    proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
    proc.log.close()
