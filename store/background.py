"""Embedding on a second core during large ingests.

Chroma's write holds Python's GIL for its whole duration (its Rust index build uses the cores, but no Python
thread runs meanwhile), so a thread cannot embed the next batch while Chroma stores this one; a process can.

The worker is a plain ``python`` child speaking pickles over its stdin/stdout, not ``multiprocessing``: spawning
through multiprocessing re-runs the caller's main script in the child, which a user's unguarded script would
not survive (and forking is unsafe with Chroma's threads running). It imports modules from where this process
did. Anything that goes wrong with it falls back to embedding in this process, so results never depend on
whether the worker was used.
"""

from __future__ import annotations

import json
import os
import pickle
import queue
import subprocess
import sys
import threading
from pathlib import Path

_PIPE_BYTES = 1 << 20  # a batch's texts fit in the pipe, so sending them never waits for the worker
_BOOT = "import json, sys; sys.path[:] = json.loads(sys.argv[1]); from store.background import serve; serve()"


class Inline:
    """Embeds in this process, when the vectors are asked for."""

    def __init__(self, embedder):
        self.embedder = embedder

    def submit(self, texts: list[str]) -> "Pending":
        return Pending(self, texts, None)

    def close(self) -> None:
        pass


class BackgroundEmbedder(Inline):
    """``submit(texts).result()`` is ``embedder.embed(texts)``, computed in a worker process meanwhile. Results
    must be taken in the order submitted (as the ingest does)."""

    def __init__(self, embedder):
        super().__init__(embedder)
        package_root = str(Path(__file__).resolve().parent.parent)
        self._proc = subprocess.Popen([sys.executable, "-c", _BOOT, json.dumps([package_root, *sys.path])],
                                      stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        _widen(self._proc.stdin)
        self._results: queue.Queue = queue.Queue()
        self._sent = 0
        self._taken = 0
        threading.Thread(target=self._read, args=(self._proc.stdout,), daemon=True).start()
        self._send(embedder)

    def _send(self, obj) -> bool:
        if self._proc is None:
            return False
        try:
            pickle.dump(obj, self._proc.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self._proc.stdin.flush()
            return True
        except (OSError, ValueError, pickle.PicklingError):  # the worker died, or the embedder does not pickle
            self.close()
            return False

    def _read(self, stream) -> None:
        while True:
            try:
                self._results.put(pickle.load(stream))
            except Exception:  # EOF: the worker exited or was closed
                self._results.put(("gone", None))
                return

    def submit(self, texts: list[str]) -> "Pending":
        if not self._send(texts):
            return Pending(self, texts, None)
        self._sent += 1
        return Pending(self, texts, self._sent)

    def take(self, ticket: int):
        """The vectors of submission ``ticket``; LookupError when the worker could not deliver them."""
        while self._taken < ticket:
            status, value = self._results.get()
            if status == "gone":
                self._results.put((status, value))
                self.close()
                raise LookupError(ticket)
            self._taken += 1
            if self._taken == ticket:
                if status != "ok":
                    raise LookupError(ticket)
                return value
        raise LookupError(ticket)

    def close(self) -> None:
        proc, self._proc = getattr(self, "_proc", None), None
        if proc is not None:
            try:
                proc.stdin.close()  # the worker exits at end of input
                proc.wait(timeout=10)
            except (OSError, subprocess.TimeoutExpired):
                proc.kill()


class Pending:
    def __init__(self, owner: Inline, texts: list[str], ticket: int | None):
        self.owner, self.texts, self.ticket = owner, texts, ticket

    def result(self):
        if self.ticket is not None:
            try:
                return self.owner.take(self.ticket)
            except LookupError:  # the worker failed: the same vectors, computed here
                pass
        return self.owner.embedder.embed(self.texts)


def _widen(pipe) -> None:
    try:
        import fcntl

        fcntl.fcntl(pipe.fileno(), getattr(fcntl, "F_SETPIPE_SZ", 1031), _PIPE_BYTES)
    except (ImportError, OSError):  # not Linux, or a lower limit: sending may then wait for the worker
        pass


def serve() -> None:
    """The worker: read the embedder, then lists of texts until end of input; answer each with its vectors."""
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints go to stderr, never into the answers
    inp = sys.stdin.buffer
    embedder = pickle.load(inp)
    while True:
        try:
            texts = pickle.load(inp)
        except EOFError:
            return
        try:
            reply = ("ok", embedder.embed(texts))
        except Exception as e:  # reported; the parent embeds this batch itself and sees the error there
            reply = ("error", repr(e))
        pickle.dump(reply, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
