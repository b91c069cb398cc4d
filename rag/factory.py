"""The one place that builds the real components from :class:`Settings`. Everything else receives them."""

from __future__ import annotations

from rag.settings import Settings
from store.embedder import HashingEmbedder
from store.store import ChunkingParams, LexicalParams, Store


def local_embedder(settings: Settings) -> HashingEmbedder:
    return HashingEmbedder(settings.embedding.dimensions, settings.embedding.char_ngrams)


def build_client(settings: Settings):
    """The OpenAI client, when the answerer or the embedder needs one; else None."""
    if settings.answerer != "openai" and settings.embedder != "openai":
        return None
    from rag.llm import OpenAIClient

    return OpenAIClient(settings.openai)


def build_store(settings: Settings, client=None) -> Store:
    if settings.embedder == "openai":
        from rag.llm import OpenAIEmbedder

        embedder = OpenAIEmbedder(client or build_client(settings))
    else:
        embedder = local_embedder(settings)
    c, r = settings.chunking, settings.retrieval
    vectors = None
    if settings.chroma_url:
        from store.vectors import ChromaVectors

        url = settings.chroma_url
        vectors = lambda name, emb: ChromaVectors(url, name, emb)  # noqa: E731
    store = Store(settings.store_dir, embedder, ChunkingParams(c.chunk_tokens, c.overlap_tokens, c.encoding),
                  vectors_factory=vectors, lexical=LexicalParams(r.title_weight, r.phrase_weight, r.query_idf_power))
    if settings.chroma_url:  # share the articles too, so processes using one server see each other's ingests
        from store.shared import SharedArticles

        store.shared = SharedArticles(store.vectors.client)
        store.pull()
    return store


def build_answerer(settings: Settings, store: Store, client=None):
    from rag.extractive import ExtractiveAnswerer

    extractive = ExtractiveAnswerer(store, settings.answer)
    if settings.answerer != "openai":
        return extractive
    from rag.llm_answer import LLMAnswerer
    from rag.verify import Verifier

    return LLMAnswerer(store, settings, client or build_client(settings), extractive, Verifier(store, local_embedder(settings)))
