"""Answers written by an OpenAI-compatible chat model, as verifiable as the extractive ones.

Passages go into the prompt as numbered, delimited data; as many as fit the model's window. The reply streams;
afterwards every marker is checked against its passage (:mod:`rag.verify`). When the model fails, or its answer
cannot be matched to its sources, the user gets the extractive answer with a notice saying so.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from typing import Iterator

import prompts
from prompts import NOT_FOUND
from rag.budget import context_window, count_messages, encoding_name, fit
from rag.errors import LLMError
from rag.types import Answer, Hit, finished
from rag.verify import Verifier

SYSTEM = prompts.load("system", {"not_found"})
QUESTION = prompts.load("answer", {"sources", "question"})
SOURCE = prompts.load("source", {"number", "title", "outlet", "date", "text"})
REWRITE = prompts.load("rewrite", {"history", "question"})
_DELIMITER = re.compile(r"<\s*/?\s*source\b", re.I)


def _data(text: str) -> str:
    """Article text made unable to close or open a <source> delimiter."""
    return _DELIMITER.sub(lambda m: m.group(0).replace("<", "\u2039"), text)


class LLMAnswerer:
    mode = "openai"

    def __init__(self, store, settings, client, fallback, verifier: Verifier):
        self.store = store
        self.settings = settings  # the whole Settings: openai group and answer limits
        self.client = client
        self.fallback = fallback
        self.verifier = verifier
        self.last_request: dict | None = None

    @property
    def model(self) -> str:
        return self.settings.openai.chat_model

    def _source(self, number: int, hit: Hit) -> str:
        a = self.store.article(hit.article_id)
        return SOURCE.format(number=number, title=html.escape(a.title), outlet=html.escape(a.source or "not stated"),
                             date=a.published or "not stated", text=_data(hit.text))

    def messages(self, question: str, hits: list[Hit]) -> list[dict]:
        sources = "\n\n".join(self._source(i, h) for i, h in enumerate(hits, 1)) or "(no sources were found)"
        return [{"role": "system", "content": SYSTEM.format(not_found=NOT_FOUND)},
                {"role": "user", "content": QUESTION.format(sources=sources, question=question)}]

    def _budget(self) -> tuple[int, int]:
        o = self.settings.openai
        window = context_window(o.chat_model, o.context_window)
        known = encoding_name(o.chat_model) != "cl100k_base" or o.chat_model.startswith(("gpt-", "text-"))
        margin = 16 if known else window // 10  # an unknown model's tokenizer may count differently
        return window, o.max_answer_tokens + margin

    def stream(self, question: str, hits: list[Hit], query: str | None = None, exclude=frozenset(),
               focus: str | None = None) -> Iterator[str | Answer]:
        """Yield pieces of the reply as they arrive, then the checked :class:`Answer`."""
        query = query or question
        window, reserve = self._budget()
        try:
            passages, messages, tokens = fit(hits, lambda hs: self.messages(question, hs), self.model, window, reserve)
        except ValueError as e:  # not even the question fits: never send an over-long request
            yield self._fallback(question, hits, query, exclude, focus,
                                 f"The question does not fit the model's context window ({e}); this is the offline extractive answer.")
            return
        self.last_request = {"messages": messages, "tokens": tokens, "window": window, "passages": len(passages)}
        reply = ""
        try:
            for piece in self.client.chat_stream(messages, self.settings.openai.max_answer_tokens):
                reply += piece
                yield piece
        except LLMError as e:
            yield self._fallback(question, hits, query, exclude, focus,
                                 f"The language model failed: {e}. This is the offline extractive answer instead.")
            return
        yield self.finish(question, query, reply, passages, hits, exclude, focus)

    def finish(self, question, query, reply, passages, hits, exclude=frozenset(), focus=None) -> Answer:
        mode = f"openai:{self.model}"
        if " ".join(NOT_FOUND.split()).casefold().rstrip(".") in " ".join(reply.split()).casefold():
            return Answer(question=question, text=NOT_FOUND, found=False, query=query, mode=mode)
        checked = self.verifier.check(reply, passages)
        if not checked.citations or not checked.supported:
            return self._fallback(question, hits, query, exclude, focus,
                                  "The language model's answer could not be matched to its sources, so it is not shown. "
                                  "This is the offline extractive answer instead.")
        return Answer(question=question, text=checked.text, found=True, citations=checked.citations, query=query,
                      mode=mode, unsupported=checked.unsupported, support=list(zip(checked.claims, checked.scores)))

    def _fallback(self, question, hits, query, exclude, focus, notice: str) -> Answer:
        ans = self.fallback.answer(question, hits, query=query, exclude=exclude, focus=focus)
        return replace(ans, notice=notice)

    def answer(self, question: str, hits: list[Hit], query: str | None = None, exclude=frozenset(), focus=None) -> Answer:
        return finished(self.stream(question, hits, query, exclude, focus))

    def rewrite(self, question: str, history: list[Answer]) -> str:
        """A standalone query from the model (raises LLMError; the caller falls back to the offline rewrite)."""
        lines = [f"Q: {a.question}\nA: {a.text}" for a in history[-3:]]
        messages = [{"role": "user", "content": REWRITE.format(history="\n".join(lines), question=question)}]
        if count_messages(messages, self.model) > self._budget()[0] - 64:
            raise LLMError("the conversation is too long to rewrite")
        query = " ".join(self.client.chat(messages, 64).split()).strip("\"'")
        return query or question
