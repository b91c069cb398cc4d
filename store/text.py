"""Sentences with exact character spans, and the word tokens shared by the lexical index and the answerer."""

from __future__ import annotations

import re
from functools import lru_cache

TOKENIZER_VERSION = 2  # bump when words() or terms() change: the lexical index and the vectors are rebuilt

# Words that end in a period without ending a sentence.
_ABBREVIATIONS = {
    "mr", "mrs", "ms", "dr", "prof", "gen", "lt", "col", "sgt", "capt", "cmdr", "adm", "maj", "st", "jr", "sr",
    "inc", "ltd", "co", "corp", "vs", "etc", "no", "rep", "sen", "gov", "pres", "rev", "hon", "fig", "al",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "approx", "est", "dept",
}
_END = re.compile(r"[.!?\u2026]+[\"'\u201d\u2019)\]]*")
_OPENERS = "\"'\u201c\u2018([\u2014-"
_WORD_BEFORE = re.compile(r"([A-Za-z.]+)$")


def _is_boundary(text: str, end: int, next_start: int, glued: bool) -> bool:
    """Does the sentence-final punctuation ending at ``end`` close a sentence?"""
    if next_start >= len(text):
        return True
    nxt = text[next_start]
    if not (nxt.isupper() or nxt.isdigit() or nxt in _OPENERS):
        return False
    m = _WORD_BEFORE.search(text, max(0, end - 80), end)  # a window: '$' anchored, a search from 0 is quadratic
    word = m.group(1) if m else ""
    stem = word.rstrip(".").lower()
    if text[end - 1] == ".":
        if stem in _ABBREVIATIONS:
            return False
        if len(stem) == 1 and stem.isalpha():  # an initial: "Andrew S. Weiss"
            return False
        if re.fullmatch(r"(?:[a-z]\.)+[a-z]", stem):  # U.S. / U.N.
            return False
    if glued:  # "to come.The Kremlin": only a lower-case word glued to a capitalised one
        return bool(re.search(r"[a-z]{2}$", word.rstrip(".!?"))) and nxt.isupper() and next_start + 1 < len(text) and text[next_start + 1].islower()
    return True


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Split ``text`` into sentences; return ``(start, end)`` spans with no surrounding white space.

    Line breaks always end a sentence (headlines, paragraphs); inside a line, sentence-final punctuation
    followed by a capitalised word ends one unless it closes an abbreviation or an initial.
    """
    spans: list[tuple[int, int]] = []
    for line in re.finditer(r"[^\n]+", text):
        start = line.start()
        for m in _END.finditer(text, line.start(), line.end()):
            end = m.end()
            gap = end
            while gap < line.end() and text[gap] in " \t\u00a0":
                gap += 1
            glued = gap == end
            if gap < line.end() and not _is_boundary(text, end, gap, glued):
                continue
            _add_span(text, start, end, spans)
            start = gap
        _add_span(text, start, line.end(), spans)
    return spans


def _add_span(text: str, start: int, end: int, spans: list[tuple[int, int]]) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append((start, end))


STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below between
    both but by can could did do does doing down during each few for from further had has have having he her here
    hers herself him himself his i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than that the their theirs them
    themselves then there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself yourselves also may might must shall us via""".split()
)
# Words that shape a question but carry no topic: ignored when judging whether a passage answers it.
QUESTION_WORDS = frozenset(
    """what which who whom whose when where why how say says said tell tells told claim claims claimed describe
    described explain explained mention mentioned according think thinks happen happened happens did does do
    article articles report reported news else there give given get got kind side sides aspect angle stance part
    matter matters many much""".split()
)

_WORD = re.compile(r"(?:[^\W\d_]\.){2,}|[^\W_]+(?:['\u2019][^\W_]+)*", re.UNICODE)


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer  # PyStemmer: Snowball stemmers in C

    return Stemmer.Stemmer("english")


# Demonyms searched as their country: "the Chinese side" finds "Iran turned to China".
_DEMONYMS = {d: c for c, ds in {
    "china": "chinese", "russia": "russian russians", "iran": "iranian iranians", "israel": "israeli israelis",
    "turkey": "turkish", "ukrain": "ukrainian ukrainians", "syria": "syrian syrians", "america": "american americans",
    "britain": "british", "franc": "french", "germani": "german germans", "iraq": "iraqi iraqis", "palestin": "palestinian palestinians",
    "lebanon": "lebanese", "egypt": "egyptian egyptians", "japan": "japanese", "korea": "korean koreans", "europ": "european europeans",
    "afghanistan": "afghan afghans", "pakistan": "pakistani pakistanis", "armenia": "armenian armenians", "belarus": "belarusian",
}.items() for d in ds.split()}


# Irregular verb forms searched as their base form ("wrote" finds "write"); Snowball leaves them apart.
_IRREGULAR = {form: base for base, forms in {
    "write": "wrote written", "speak": "spoke spoken", "go": "went gone", "come": "came", "know": "knew known",
    "see": "saw seen", "think": "thought", "bring": "brought", "buy": "bought", "sell": "sold", "hold": "held",
    "lead": "led", "leave": "left", "meet": "met", "pay": "paid", "send": "sent", "spend": "spent", "stand": "stood",
    "strike": "struck", "win": "won", "begin": "began begun", "break": "broke broken", "choose": "chose chosen",
    "drive": "drove driven", "fall": "fell fallen", "fight": "fought", "fly": "flew flown", "forget": "forgot forgotten",
    "grow": "grew grown", "keep": "kept", "lose": "lost", "make": "made", "mean": "meant", "rise": "rose risen",
    "shoot": "shot", "steal": "stole stolen", "throw": "threw thrown", "take": "took taken", "withdraw": "withdrew withdrawn",
    "seek": "sought", "teach": "taught", "build": "built", "catch": "caught", "feel": "felt", "find": "found",
    "flee": "fled", "give": "gave given", "get": "got gotten", "hide": "hid hidden", "run": "ran", "sink": "sank sunk",
    "swear": "swore sworn", "wear": "wore worn", "bear": "bore borne", "sing": "sang sung", "freeze": "froze frozen",
}.items() for form in forms.split()}


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    if "." in word:
        return word
    return _DEMONYMS.get(word) or _stemmer().stemWord(_IRREGULAR.get(word, word))


def _tidy(word: str) -> str:
    word = word.rstrip(".")
    if word.endswith(("'s", "\u2019s")):
        word = word[:-2]
    return word.replace("\u2019", "'")


def words(text: str) -> list[str]:
    """Lower-cased words, possessives dropped ("Iran's" -> "iran")."""
    return [_tidy(w) if ("." in w or "'" in w or "\u2019" in w) else w for w in _WORD.findall(text.casefold())]


def terms(text: str) -> list[str]:
    """Stemmed content words: the tokens of the lexical index."""
    return [_stem(w) for w in words(text) if w not in STOPWORDS]


def question_terms(text: str) -> list[str]:
    """Distinct topic terms of a question, in order."""
    seen: dict[str, None] = {}
    for w in words(text):
        if w in STOPWORDS or w in QUESTION_WORDS:
            continue
        seen.setdefault(_stem(w), None)
    return list(seen)
