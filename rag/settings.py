"""One Settings object, read from ``RAG_*`` environment variables and passed in explicitly.

Nested groups use ``__`` in the variable name: ``RAG_RETRIEVAL__TOP_K=8``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

_REPO_SEEDS = Path(__file__).resolve().parent.parent / "seeds"


class _Group(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ChunkingSettings(_Group):
    chunk_tokens: int = Field(200, ge=16, le=8192, description="Most tokens in one chunk (whole sentences are kept together).")
    overlap_tokens: int = Field(40, ge=0, le=2048, description="Tokens of trailing sentences repeated at the start of the next chunk.")
    encoding: str = Field("cl100k_base", description="tiktoken encoding used to count tokens (shipped offline with llama-index-core).")


class EmbeddingSettings(_Group):
    dimensions: int = Field(4096, description="Vector size of the local embedder; a power of two (fewer dimensions, more hash collisions).")
    char_ngrams: tuple[int, int] = Field((3, 5), description="Smallest and largest character n-gram hashed by the local embedder.")


class RetrievalSettings(_Group):
    top_k: int = Field(6, ge=1, le=1000, description="Passages handed to the answerer.")
    candidates: int = Field(40, ge=1, le=2000, description="Passages each channel (lexical, vector) proposes before fusion.")
    fusion: Literal["zscore", "rrf"] = Field("zscore", description="How channels combine: 'zscore' adds standardised scores; 'rrf' adds reciprocal ranks.")
    rrf_k: int = Field(60, ge=1, description="Reciprocal-rank-fusion constant: larger flattens the rank curve.")
    lexical_weight: float = Field(0.5, ge=0, description="Weight of the lexical (BM25) channel in fusion.")
    vector_weight: float = Field(0.5, ge=0, description="Weight of the vector channel in fusion.")
    feedback_passages: int = Field(1, ge=0, le=20, description="Pseudo-relevance feedback: the vector query moves toward the stored vectors of this many top lexical passages (0 turns it off).")
    feedback_weight: float = Field(1.0, ge=0, description="How far the vector query moves toward the feedback passages (1: as much weight as the question itself).")
    title_weight: int = Field(2, ge=0, le=5, description="Times the headline counts in each passage's lexical text.")
    phrase_weight: float = Field(0.1, ge=0, description="Weight of adjacent-term phrase matches in BM25 (0 turns phrases off).")
    query_idf_power: float = Field(2.0, ge=0, description="Query vectors weight each word by idf to this power (0: unweighted).")


class AnswerSettings(_Group):
    max_sentences: int = Field(3, ge=1, le=10, description="Most sentences quoted in one extractive answer.")
    min_support: float = Field(0.5, ge=0, le=1, description="Least share of the question's weighted terms a quoted sentence and its passage must cover; below it the answer abstains.")
    relative_cutoff: float = Field(0.8, ge=0, le=1, description="Further sentences are quoted only when they score at least this share of the best one.")


class IngestSettings(_Group):
    max_file_mb: float = Field(20.0, gt=0, description="Files larger than this are skipped with a reason.")
    parallel: bool = Field(True, description="Large ingests (over 256 files) embed in a second process while the previous batch is written.")


class OpenAISettings(_Group):
    api_key: SecretStr | None = Field(None, description="API key; read from OPENAI_API_KEY when unset. Local servers often accept any value.")
    base_url: str | None = Field(None, description="Any OpenAI-compatible server (vLLM, Ollama, llama.cpp, LM Studio); read from OPENAI_BASE_URL when unset.")
    chat_model: str = Field("gpt-4o-mini", description="Model that writes answers when answerer=openai.")
    embedding_model: str = Field("text-embedding-3-small", description="Model that embeds passages when embedder=openai.")
    temperature: float = Field(0.0, ge=0, le=2, description="Sampling temperature of the chat model.")
    timeout: float = Field(30.0, gt=0, description="Seconds to wait for one request before giving up.")
    max_retries: int = Field(2, ge=0, le=10, description="Retries on rate limits (429), timeouts and server errors, with exponential backoff.")
    context_window: int | None = Field(None, ge=512, description="Tokens the chat model accepts; default: known for OpenAI models, else 8192.")
    max_answer_tokens: int = Field(600, ge=32, description="Tokens reserved for the answer; passages fill the rest of the context window.")
    embedding_batch: int = Field(64, ge=1, le=2048, description="Texts per embeddings request.")


class UiSettings(_Group):
    host: str = Field("127.0.0.1", description="Address the web app binds; anything but loopback needs username and password, or allow_no_auth.")
    port: int = Field(7860, ge=0, le=65535, description="Port of the web app (0: any free port).")
    username: str | None = Field(None, description="Login name required by the web app when set (with password).")
    password: SecretStr | None = Field(None, description="Password required by the web app when set (with username).")
    allow_no_auth: bool = Field(False, description="Serve a non-loopback address without a login; only behind your own access control.")
    max_upload_mb: float = Field(10.0, gt=0, description="Largest file accepted by the upload form.")


class Settings(BaseSettings):
    """Everything that can be configured. Build it once and pass it down."""

    model_config = SettingsConfigDict(env_prefix="RAG_", env_nested_delimiter="__", extra="forbid", frozen=True)

    answerer: Literal["extractive", "openai"] = Field("extractive", description="Who writes answers: 'extractive' quotes the articles offline; 'openai' asks an OpenAI-compatible chat model and checks its citations.")
    embedder: Literal["local", "openai"] = Field("local", description="Who embeds passages: 'local' hashes word and character n-grams (no weights); 'openai' calls an embeddings endpoint.")
    store_dir: Path = Field(Path(".rag"), description="Folder holding the Chroma database, the article catalog and the lexical index.")
    chroma_url: str | None = Field(None, description="A Chroma server (http://host:port, started with `chroma run`) instead of the embedded Chroma in store_dir.")
    corpus_dir: Path | None = Field(None, description="Folder ingested on first open when the store is empty; default: ./seeds, else the seeds shipped with newsrag.")
    chunking: ChunkingSettings = Field(default_factory=ChunkingSettings, description="How articles are cut into passages.")
    embedding: EmbeddingSettings = Field(default_factory=EmbeddingSettings, description="How passages become vectors.")
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings, description="How passages are found.")
    answer: AnswerSettings = Field(default_factory=AnswerSettings, description="How answers are written.")
    ingest: IngestSettings = Field(default_factory=IngestSettings, description="Limits on what is ingested.")
    ui: UiSettings = Field(default_factory=UiSettings, description="The web app started by `rag serve`.")
    openai: OpenAISettings = Field(default_factory=OpenAISettings, description="The OpenAI or OpenAI-compatible server, when answerer or embedder is 'openai'.")

    @model_validator(mode="before")
    @classmethod
    def _openai_env(cls, data):
        """OPENAI_API_KEY and OPENAI_BASE_URL, the variables every OpenAI tool reads, fill the openai group."""
        if not isinstance(data, dict):
            return data
        group = data.get("openai") or {}
        group = dict(group) if isinstance(group, dict) else group.model_dump()
        for field, var in (("api_key", "OPENAI_API_KEY"), ("base_url", "OPENAI_BASE_URL")):
            if not group.get(field) and os.environ.get(var):
                group[field] = os.environ[var]
        return {**data, "openai": group}

    def default_corpus(self) -> Path | None:
        """The corpus folder for a first open, or None when there is none."""
        if self.corpus_dir is not None:
            return self.corpus_dir
        for candidate in (Path("seeds"), _REPO_SEEDS):
            if candidate.is_dir():
                return candidate
        return None
