"""Settings come from RAG_* variables, are checked, and shape the collection name."""

from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.settings import Settings
from store.store import collection_name


def test_env_prefix_and_nested_groups(monkeypatch):
    monkeypatch.setenv("RAG_STORE_DIR", "/tmp/somewhere")
    monkeypatch.setenv("RAG_RETRIEVAL__TOP_K", "9")
    monkeypatch.setenv("RAG_CHUNKING__CHUNK_TOKENS", "120")
    s = Settings()
    assert s.store_dir == Path("/tmp/somewhere") and s.retrieval.top_k == 9 and s.chunking.chunk_tokens == 120


def test_defaults_work_offline():
    s = Settings()
    assert s.store_dir == Path(".rag") and s.embedder == "local" and s.answerer == "extractive"
    assert s.default_corpus() is not None and s.default_corpus().name == "seeds"


def test_unknown_and_invalid_settings_are_refused():
    with pytest.raises(ValidationError):
        Settings(retrieval={"top_kk": 3})
    with pytest.raises(ValidationError):
        Settings(retrieval={"top_k": 0})
    with pytest.raises(ValidationError):
        Settings(nonsense=1)


def test_every_field_is_described():
    def walk(model):
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name} has no description"
            if isinstance(field.default_factory, type):
                walk(field.default_factory)
    walk(Settings)


def test_collection_name_changes_with_whatever_shapes_the_vectors():
    base = collection_name("hash-ngram-v1-d1024-c35", 200, 40, "cl100k_base")
    assert base == collection_name("hash-ngram-v1-d1024-c35", 200, 40, "cl100k_base")
    others = {collection_name("hash-ngram-v1-d512-c35", 200, 40, "cl100k_base"), collection_name("hash-ngram-v1-d1024-c35", 100, 40, "cl100k_base"),
              collection_name("hash-ngram-v1-d1024-c35", 200, 0, "cl100k_base"), collection_name("hash-ngram-v1-d1024-c35", 200, 40, "o200k_base")}
    assert base not in others and len(others) == 4


def test_changing_chunk_size_uses_a_new_collection_rebuilt_from_stored_texts(tmp_path, corpus):
    from rag import Assistant

    with Assistant.open(store_dir=tmp_path / "s", corpus_dir=corpus) as a:
        name_a, chunks_a = a.store.index_name, a.store.vectors.count()
    corpus_gone = tmp_path / "moved"
    corpus.rename(corpus_gone)  # the new collection must come from the stored texts, not the folder
    small = Settings(store_dir=tmp_path / "s", chunking={"chunk_tokens": 80, "overlap_tokens": 0})
    with Assistant.open(settings=small) as b:
        assert b.store.index_name != name_a
        assert b.store.unindexed() == [] and b.store.sync_vectors() == 0  # open() embedded them
        assert b.store.vectors.count() > chunks_a
        assert b.ask("Who is Henry Rohm?").found
