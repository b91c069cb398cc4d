"""The one place that talks to OpenAI or an OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio).

Every failure becomes an :class:`LLMError` whose message says what to do, and never contains the API key.
"""

from __future__ import annotations

from typing import Iterator

from rag.errors import ConfigError, LLMError
from rag.settings import OpenAISettings

OFFICIAL = "https://api.openai.com/v1"


def redact(text: str, secret: str | None) -> str:
    """``text`` with every occurrence of ``secret`` (and its long prefixes) replaced."""
    if secret and len(secret) >= 6:
        for n in (len(secret), 24, 12):
            if len(secret) >= n:
                text = text.replace(secret[:n], "[redacted]")
    return text


class OpenAIClient:
    def __init__(self, settings: OpenAISettings):
        import openai

        self.settings = settings
        self.base_url = (settings.base_url or OFFICIAL).rstrip("/")
        key = settings.api_key.get_secret_value() if settings.api_key else None
        if not key and self.base_url == OFFICIAL:
            raise ConfigError("the OpenAI answerer or embedder needs an API key: set OPENAI_API_KEY, or point OPENAI_BASE_URL "
                              "at an OpenAI-compatible server (vLLM, Ollama, llama.cpp), or use RAG_ANSWERER=extractive")
        self._key = key or "not-needed"  # local servers accept any key
        self.client = openai.OpenAI(api_key=self._key, base_url=self.base_url, timeout=settings.timeout,
                                    max_retries=settings.max_retries)

    def _error(self, e: Exception, what: str) -> LLMError:
        """The failure as one actionable sentence. The most specific exception class comes first."""
        import openai

        s, url = self.settings, self.base_url
        messages = [
            (openai.AuthenticationError, "{url} refused the API key (401) for {what}; check OPENAI_API_KEY"),
            (openai.PermissionDeniedError, "{url} denied access (403) for {what}; check the key's permissions"),
            (openai.RateLimitError, "{url} is rate-limiting requests (429) for {what}, still after {retries} retries; wait and try again"),
            (openai.APITimeoutError, "{url} did not answer {what} within {timeout:g} s; check the server or raise RAG_OPENAI__TIMEOUT"),
            (openai.APIConnectionError, "cannot reach {url} for {what}; check OPENAI_BASE_URL and that the server is running"),
            (openai.NotFoundError, "{url} does not know the model for {what} (404); check RAG_OPENAI__CHAT_MODEL / EMBEDDING_MODEL"),
            (openai.APIStatusError, "{url} failed {what} with HTTP {status}; try again later"),
        ]
        template = next((m for cls, m in messages if isinstance(e, cls)), "{what} failed: {kind}")
        msg = template.format(url=url, what=what, retries=s.max_retries, timeout=s.timeout,
                              status=getattr(e, "status_code", "?"), kind=type(e).__name__)
        return LLMError(redact(msg, self._key))

    def chat_stream(self, messages: list[dict], max_tokens: int) -> Iterator[str]:
        """Stream the reply of the chat model, piece by piece."""
        import openai

        s = self.settings
        try:
            stream = self.client.chat.completions.create(model=s.chat_model, messages=messages, temperature=s.temperature,
                                                         max_tokens=max_tokens, stream=True)
            for chunk in stream:
                if chunk.choices and chunk.choices[0].delta and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content
        except openai.OpenAIError as e:
            raise self._error(e, f"the answer from {s.chat_model}") from None

    def chat(self, messages: list[dict], max_tokens: int) -> str:
        return "".join(self.chat_stream(messages, max_tokens))

    def embed(self, texts: list[str]) -> list[list[float]]:
        import openai

        s = self.settings
        out: list[list[float]] = []
        try:
            for i in range(0, len(texts), s.embedding_batch):
                res = self.client.embeddings.create(model=s.embedding_model, input=texts[i:i + s.embedding_batch])
                out += [d.embedding for d in sorted(res.data, key=lambda d: d.index)]
        except openai.OpenAIError as e:
            raise self._error(e, f"embeddings from {s.embedding_model}") from None
        return out


class OpenAIEmbedder:
    """Embeddings from the server's embeddings endpoint; vectors live in their own Chroma collection."""

    def __init__(self, client: OpenAIClient):
        self.client = client
        self.model = client.settings.embedding_model

    @property
    def id(self) -> str:
        return f"openai-{self.model}"

    def embed(self, texts: list[str]):
        import numpy as np

        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        return np.asarray(self.client.embed(list(texts)), dtype=np.float32)
