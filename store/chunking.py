"""Sentence-aware chunks with exact character spans in their article."""

from __future__ import annotations

from dataclasses import dataclass

from store.text import sentence_spans
from store.tokens import count_tokens


@dataclass(frozen=True)
class Chunk:
    chunk_id: str
    article_id: str
    index: int
    start: int
    end: int
    tokens: int


def _split_long(text: str, start: int, end: int, limit: int, encoding_name: str) -> list[tuple[int, int]]:
    """Cut one over-long sentence at word boundaries into pieces of at most ``limit`` tokens."""
    pieces, piece_start, last_space = [], start, None
    pos = start
    while pos < end:
        nxt = text.find(" ", pos + 1, end)
        nxt = end if nxt < 0 else nxt
        if last_space is not None and count_tokens([text[piece_start:nxt]], encoding_name)[0] > limit:
            pieces.append((piece_start, last_space))
            piece_start = last_space + 1
        last_space, pos = nxt, nxt
    pieces.append((piece_start, end))
    return [(s, e) for s, e in pieces if e > s]


def chunk_text(article_id: str, text: str, chunk_tokens: int, overlap_tokens: int, encoding_name: str) -> list[Chunk]:
    """Pack whole sentences into chunks of at most ``chunk_tokens``; each chunk after the first starts with the
    trailing sentences (at most ``overlap_tokens``) of the one before. ``text[start:end]`` is the chunk's text."""
    spans = sentence_spans(text)
    counts = count_tokens([text[s:e] for s, e in spans], encoding_name)
    units: list[tuple[int, int, int]] = []
    for (s, e), n in zip(spans, counts):
        if n <= chunk_tokens:
            units.append((s, e, n))
        else:
            for ps, pe in _split_long(text, s, e, chunk_tokens, encoding_name):
                units.append((ps, pe, count_tokens([text[ps:pe]], encoding_name)[0]))
    chunks: list[Chunk] = []
    i = 0
    while i < len(units):
        j, total = i, 0
        while j < len(units) and (j == i or total + units[j][2] <= chunk_tokens):
            total += units[j][2]
            j += 1
        start, end = units[i][0], units[j - 1][1]
        chunks.append(Chunk(f"{article_id}#{len(chunks)}", article_id, len(chunks), start, end, total))
        if j >= len(units):
            break
        back, overlap = j, 0
        while back - 1 > i and overlap + units[back - 1][2] <= overlap_tokens:
            back -= 1
            overlap += units[back][2]
        i = back
    return chunks
