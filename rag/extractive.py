"""The offline answerer: quotes the sentences of the retrieved passages that answer the question, or abstains.

A sentence is *supported* when it, and the passage around it, contain the question's topic terms weighted by
how rare they are in the corpus (idf). Terms the corpus never uses weigh most, so a question about something
the articles do not mention ("the population of Brazil") finds no support and gets :data:`NOT_FOUND`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from prompts import NOT_FOUND
from rag.settings import AnswerSettings
from rag.types import Answer, Citation, Hit, Quote
from store.store import Store
from store.text import question_terms, sentence_spans, terms

MIN_SENTENCE_SUPPORT = 0.25  # a quoted sentence must itself carry this share of the question's weight
ARTICLE_CONTEXT = 0.75  # a question term found in the article but outside the passage counts this much
CONTEXT_WEIGHT = 0.25  # weight of terms a follow-up inherits from earlier turns
UNSEEN_WEIGHT = 2.0  # a term no article uses weighs this many times the rarest term that some article uses
_MIN_WORDS = 5
_PRONOUN_START = re.compile(r"[\"\u201c]?(?:he|she|they|it|his|her|their|this|these|the (?:top |former )?(?:general|official|minister|president|analyst))\b", re.I)
_SENTENCE_END = re.compile(r"[.!?\u2026][\"'\u201d\u2019)\]]*$")


@dataclass
class _Candidate:
    hit: Hit
    start: int
    end: int
    support: float
    own: float
    rank: int


def _clean(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip()


class ExtractiveAnswerer:
    mode = "extractive"

    def __init__(self, store: Store, settings: AnswerSettings = AnswerSettings()):
        self.store = store
        self.settings = settings
        self._sentences: dict[tuple[str, int], list[tuple[int, int]]] = {}
        self._terms: dict[tuple[str, int], set[str]] = {}

    def _spans(self, article_id: str, text: str) -> list[tuple[int, int]]:
        key = (article_id, hash(text))
        if key not in self._sentences:
            self._sentences[key] = sentence_spans(text)
        return self._sentences[key]

    def _article_terms(self, article) -> set[str]:
        key = (article.article_id, hash(article.text))
        if key not in self._terms:
            self._terms[key] = set(terms(article.title)) | set(terms(article.text))
        return self._terms[key]

    def candidates(self, query: str, hits: list[Hit], focus: str | None = None) -> list[_Candidate]:
        """Every sentence of the hits, scored; best first. Terms of ``query`` outside ``focus`` (context carried
        over from earlier turns) weigh only :data:`CONTEXT_WEIGHT` as much."""
        q = question_terms(query)
        if not q:
            return []
        index = self.store.lexical
        unseen = UNSEEN_WEIGHT * index.idf("\x00")  # idf of a term in no chunk
        weight = {t: (index.idf(t) if index.df(t) else unseen) for t in q}
        concepts = _concepts(query, weight.keys())
        own = set(question_terms(focus)) if focus is not None else set()
        if own:
            weight = {t: w if t in own else CONTEXT_WEIGHT * w for t, w in weight.items()}
        total = sum(weight.values()) or 1.0
        out, seen = [], set()
        for rank, hit in enumerate(hits):
            article = self.store.article(hit.article_id)
            # the passage, and at a discount the rest of its article ("Rohm said" in an article about Henry Rohm)
            passage = set(terms(article.title)) | set(terms(hit.text))
            whole = self._article_terms(article)
            ctx = sum(w * (1.0 if t in passage else ARTICLE_CONTEXT if t in whole else 0.0) for t, w in weight.items()) / total
            spans = self._spans(article.article_id, article.text)
            for i, (start, end) in enumerate(spans):
                if start < hit.start or end > hit.end or (hit.article_id, start) in seen:
                    continue
                seen.add((hit.article_id, start))
                sentence = article.text[start:end]
                if len(sentence.split()) < _MIN_WORDS or not _SENTENCE_END.search(sentence):
                    continue  # headings and labels are not answers
                present = set(terms(sentence))
                if own and not own & present:
                    continue  # a follow-up's answer must speak to what the follow-up asks
                score = sum(w for t, w in weight.items() if t in present)
                before: set[str] = set()
                if i and _PRONOUN_START.match(sentence):  # "He said ...": the sentence before names who
                    before = set(terms(article.text[spans[i - 1][0]:spans[i - 1][1]])) - present
                    score += 0.5 * sum(w for t, w in weight.items() if t in before)
                found = present | before
                if sum(1 for c in concepts if c & found) < min(2, len(concepts)):
                    continue  # one shared concept is a mention, not an answer ("Turkey" for "Khamenei on Turkey")
                score /= total
                out.append(_Candidate(hit, start, end, 0.5 * score + 0.5 * ctx, score, rank))
        out.sort(key=lambda c: (-round(c.support, 6), -c.own, c.rank, c.start))
        return out

    def answer(self, question: str, hits: list[Hit], query: str | None = None, exclude: frozenset = frozenset(),
               focus: str | None = None) -> Answer:
        query = query or question
        s = self.settings
        chosen: list[_Candidate] = []
        for cand in self.candidates(query, hits, focus):
            if (cand.hit.article_id, cand.start) in exclude:
                continue
            if cand.support < s.min_support or cand.own < MIN_SENTENCE_SUPPORT:
                continue
            if chosen and cand.support < s.relative_cutoff * chosen[0].support:
                break
            words = set(terms(self.store.article(cand.hit.article_id).text[cand.start:cand.end]))
            if any(_overlap(words, set(terms(self.store.article(c.hit.article_id).text[c.start:c.end]))) > 0.7 for c in chosen):
                continue
            chosen.append(cand)
            if len(chosen) >= s.max_sentences:
                break
        if not chosen:
            return Answer(question=question, text=NOT_FOUND, found=False, citations=[], query=query, mode=self.mode)
        return self._compose(question, query, chosen)

    def stream(self, question: str, hits: list[Hit], query: str | None = None, exclude: frozenset = frozenset(),
               focus: str | None = None):
        """The answer's text in a few pieces, then the :class:`Answer` (the same interface as the LLM answerer)."""
        ans = self.answer(question, hits, query, exclude, focus)
        words = ans.text.split(" ")
        step = max(1, len(words) // 8)
        for i in range(0, len(words), step):
            yield ("" if i == 0 else " ") + " ".join(words[i:i + step])
        yield ans

    def _compose(self, question: str, query: str, chosen: list[_Candidate]) -> Answer:
        numbers: dict[str, int] = {}
        quotes: dict[str, list[Quote]] = {}
        best: dict[str, float] = {}
        parts = []
        for c in chosen:
            aid = c.hit.article_id
            article = self.store.article(aid)
            n = numbers.setdefault(aid, len(numbers) + 1)
            quotes.setdefault(aid, []).append(Quote(c.start, c.end, article.text[c.start:c.end]))
            best[aid] = max(best.get(aid, 0.0), c.support)
            parts.append(f"{_clean(article.text[c.start:c.end])} [{n}]")
        citations = []
        for aid, n in numbers.items():
            a, first = self.store.article(aid), quotes[aid][0]
            citations.append(Citation(
                number=n, article_id=aid, title=a.title, source=a.source, author=a.author, published=a.published,
                url=a.url, path=a.path, quote=first.text, start=first.start, end=first.end,
                score=round(best[aid], 4), quotes=tuple(quotes[aid]),
            ))
        return Answer(question=question, text=" ".join(parts), found=True, citations=citations, query=query, mode=self.mode)


def _concepts(query: str, query_terms) -> list[set[str]]:
    """The question's topics: each multi-word name ("Henry Rohm", "Saudi Arabia") is one, every other term one."""
    from rag.followup import names_in

    concepts = [set(terms(name)) & set(query_terms) for name in names_in(query)]
    concepts = [c for c in concepts if c]
    named = set().union(*concepts) if concepts else set()
    return concepts + [{t} for t in query_terms if t not in named]


def _overlap(a: set[str], b: set[str]) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))
