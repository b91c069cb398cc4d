"""Check a model's answer against the passages it was given: every ``[n]`` marker is mapped to the sentence of
passage n that best supports its claim (with offsets into the stored article), markers that point to no passage
are dropped, and sentences their sources do not support are flagged."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag.types import Citation, Hit, Quote
from store.text import sentence_spans, terms

SUPPORT_THRESHOLD = 0.35  # below this a sentence is flagged as unsupported by what it cites
_MARKERS = re.compile(r"\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_TRAILING = re.compile(r"([.!?\u2026][\"'\u201d\u2019)]*)\s*((?:\[\d+(?:\s*[,;]\s*\d+)*\]\s*)+)")


@dataclass
class Checked:
    text: str
    citations: list[Citation]
    unsupported: list[str]
    scores: list[float] = field(default_factory=list)  # support of each answer sentence
    claims: list[str] = field(default_factory=list)  # each answer sentence, markers removed

    @property
    def supported(self) -> bool:
        return any(s >= SUPPORT_THRESHOLD for s in self.scores)


class Verifier:
    def __init__(self, store, embedder):
        self.store = store
        self.embedder = embedder

    def support(self, claim: str, sentence: str) -> float:
        """How well ``sentence`` supports ``claim``, 0..1: idf-weighted share of the claim's terms it contains,
        averaged with the cosine of their hashed n-gram vectors (which forgives paraphrase and word forms)."""
        index = self.store.lexical
        claim_terms = set(terms(claim))
        if not claim_terms:
            return 0.0
        weights = {t: index.idf(t) for t in claim_terms}
        present = set(terms(sentence))
        overlap = sum(w for t, w in weights.items() if t in present) / (sum(weights.values()) or 1.0)
        a, b = self.embedder.embed([claim, sentence])
        return 0.5 * overlap + 0.5 * max(0.0, float(np.dot(a, b)))

    def _best_sentence(self, claim: str, hit: Hit) -> tuple[int, int, float]:
        article = self.store.article(hit.article_id)
        best = (hit.start, hit.end, -1.0)
        for s, e in sentence_spans(article.text):
            if s >= hit.start and e <= hit.end:
                score = self.support(claim, article.text[s:e])
                if score > best[2]:
                    best = (s, e, score)
        return best

    def check(self, answer: str, passages: list[Hit]) -> Checked:
        text = _TRAILING.sub(lambda m: f" {m.group(2).strip()}{m.group(1)}", answer.strip())  # "x. [1]" -> "x [1]."
        numbers: dict[str, int] = {}
        quotes: dict[str, list[Quote]] = {}
        best: dict[str, float] = {}
        parts, unsupported, scores, claims = [], [], [], []
        for s, e in sentence_spans(text):
            sentence = text[s:e]
            cited = [int(n) for group in _MARKERS.findall(sentence) for n in re.split(r"\s*[,;]\s*", group)]
            claim = " ".join(_MARKERS.sub("", sentence).split()).replace(" .", ".")
            if not claim:
                continue
            marks, score = [], 0.0
            for n in dict.fromkeys(cited):
                if not 1 <= n <= len(passages):
                    continue  # a marker that points to no passage is dropped
                hit = passages[n - 1]
                qs, qe, sc = self._best_sentence(claim, hit)
                article = self.store.article(hit.article_id)
                number = numbers.setdefault(hit.article_id, len(numbers) + 1)
                quote = Quote(qs, qe, article.text[qs:qe])
                if quote not in quotes.setdefault(hit.article_id, []):
                    quotes[hit.article_id].append(quote)
                best[hit.article_id] = max(best.get(hit.article_id, 0.0), sc)
                if number not in marks:
                    marks.append(number)
                score = max(score, sc)
            scores.append(score)
            claims.append(claim)
            if score < SUPPORT_THRESHOLD:
                unsupported.append(claim)
            parts.append(claim + ("".join(f" [{m}]" for m in marks[:1]) + "".join(f"[{m}]" for m in marks[1:]) if marks else ""))
        citations = []
        for aid, n in numbers.items():
            a, first = self.store.article(aid), quotes[aid][0]
            citations.append(Citation(n, aid, a.title, a.source, a.author, a.published, a.url, a.path, first.text,
                                      first.start, first.end, round(best[aid], 4), tuple(quotes[aid])))
        return Checked(" ".join(parts), citations, unsupported, scores, claims)
