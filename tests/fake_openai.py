"""A small OpenAI-compatible server for the tests, on 127.0.0.1: chat completions (streamed or not) and
embeddings, scriptable to fail or to answer badly, recording every request it receives."""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from store.embedder import HashingEmbedder

_EMBEDDER = HashingEmbedder(64)
SOURCE = re.compile(r'<source id="(\d+)"[^>]*>\n(.*?)\n</source>', re.S)


def sources_in(request: dict) -> dict[int, str]:
    """The numbered source texts of a chat request."""
    return {int(n): text for n, text in SOURCE.findall(request["messages"][-1]["content"])}


def cite_first(request: dict) -> str:
    """A well-behaved model: the first sentence of source 1, paraphrase-free, cited."""
    srcs = sources_in(request)
    if not srcs:
        return "I cannot tell."
    first = re.split(r"(?<=[.!?])\s", srcs[1].strip())[0]
    return f"{first} [1]"


class FakeOpenAI:
    def __init__(self, reply=cite_first):
        self.reply = reply  # a text, or a function of the request that returns one
        self.script: deque[dict] = deque()  # behaviours for the next requests: status, delay, reply, headers
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/v1"

    def start(self) -> "FakeOpenAI":
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def then(self, **behaviour) -> "FakeOpenAI":
        self.script.append(behaviour)
        return self

    def chats(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/chat/completions")]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                request = {**body, "path": self.path, "authorization": self.headers.get("Authorization", "")}
                fake.requests.append(request)
                behaviour = fake.script.popleft() if fake.script else {}
                if behaviour.get("delay"):
                    time.sleep(behaviour["delay"])
                if behaviour.get("status"):
                    key = request["authorization"].removeprefix("Bearer ")
                    message = {401: f"Incorrect API key provided: {key}.", 429: "Rate limit reached.",
                               500: "The server had an error."}.get(behaviour["status"], "error")
                    return self._send(behaviour["status"], {"error": {"message": message, "type": "error", "code": None}},
                                      behaviour.get("headers"))
                if self.path.endswith("/embeddings"):
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    vectors = _EMBEDDER.embed(inputs)
                    return self._send(200, {"object": "list", "model": body.get("model"), "data": [
                        {"object": "embedding", "index": i, "embedding": v.tolist()} for i, v in enumerate(vectors)],
                        "usage": {"prompt_tokens": 1, "total_tokens": 1}})
                if not self.path.endswith("/chat/completions"):
                    return self._send(404, {"error": {"message": "not found"}})
                reply = behaviour.get("reply", fake.reply)
                text = reply(request) if callable(reply) else reply
                base = {"id": "chatcmpl-1", "created": 0, "model": body.get("model", "fake")}
                if not body.get("stream"):
                    return self._send(200, {**base, "object": "chat.completion", "choices": [
                        {"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
                        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()
                pieces = re.findall(r"\S+\s*", text) or [""]
                for piece in pieces:
                    chunk = {**base, "object": "chat.completion.chunk",
                             "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}]}
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()
                done = {**base, "object": "chat.completion.chunk", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                self.wfile.write(f"data: {json.dumps(done)}\n\ndata: [DONE]\n\n".encode())
                self.wfile.flush()

        return Handler
