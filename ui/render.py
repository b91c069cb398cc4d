"""Turn what ``rag`` returns into the page's HTML and Markdown. Every piece of article or user text is escaped:
nothing from an article or a question is ever live HTML."""

from __future__ import annotations

import html
import re

from rag.types import Answer, Citation

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def md_text(text: str) -> str:
    """Plain text shown literally by a Markdown renderer: HTML entities escaped, Markdown syntax neutralised."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def answer_markdown(ans: Answer) -> str:
    """The answer for the chat: literal text, each ``[n]`` a link to source card n; then any notice (the model
    failed) and the sentences its sources do not support."""
    escaped = md_text(ans.text)
    out = re.sub(r"\\\[(\d+)\\\]", lambda m: f'<a href="#src-{m.group(1)}" class="cite">[{m.group(1)}]</a>', escaped)
    if ans.unsupported:
        out += "\n\n\u26a0 **Not supported by the cited sources:** " + " \u00b7 ".join(f"\u201c{md_text(u)}\u201d" for u in ans.unsupported)
    if ans.notice:
        out = f"\u26a0 *{md_text(ans.notice)}*\n\n" + out
    return out


def searched_line(ans: Answer) -> str:
    return f"Searched for: \u201c{md_text(ans.query)}\u201d" if ans.query else ""


def _paragraph(text: str, start: int, end: int) -> tuple[int, int]:
    """The paragraph (blank-line separated) around ``text[start:end]``."""
    p_start = text.rfind("\n\n", 0, start)
    p_end = text.find("\n\n", end)
    return (0 if p_start < 0 else p_start + 2), (len(text) if p_end < 0 else p_end)


def _marked(text: str, lo: int, hi: int, spans: list[tuple[int, int]]) -> str:
    """``text[lo:hi]`` escaped, with each span inside it wrapped in <mark>."""
    out, pos = [], lo
    for s, e in sorted(spans):
        if s < pos or e > hi:
            continue
        out += [html.escape(text[pos:s]), f"<mark>{html.escape(text[s:e])}</mark>"]
        pos = e
    out.append(html.escape(text[pos:hi]))
    return "".join(out).replace("\n\n", "<br><br>")


def source_card(c: Citation, article_text: str) -> str:
    spans = [(q.start, q.end) for q in c.quotes] or [(c.start, c.end)]
    lo, hi = _paragraph(article_text, spans[0][0], spans[0][1])
    meta = " \u00b7 ".join(html.escape(x) for x in (c.source, c.published, c.author) if x)
    link = f' \u00b7 <a href="{html.escape(c.url)}" target="_blank" rel="noopener noreferrer">original</a>' if c.url and c.url.startswith(("http://", "https://")) else ""
    return (
        f'<div class="src-card" id="src-{c.number}" data-article="{html.escape(c.article_id)}">'
        f'<div class="src-head"><span class="src-num">[{c.number}]</span> <span class="src-title">{html.escape(c.title)}</span></div>'
        f'<div class="src-meta">{meta or "outlet and date not stated"}{link}</div>'
        f'<blockquote class="src-context">{_marked(article_text, lo, hi, spans)}</blockquote>'
        f'<details class="src-article"><summary>Open full article</summary>'
        f'<div class="src-full">{_marked(article_text, 0, len(article_text), spans)}</div></details>'
        f"</div>"
    )


def sources_html(ans: Answer | None, article_text) -> str:
    """Cards for every citation of ``ans``; ``article_text(article_id)`` gives the stored text."""
    if ans is None:
        return '<div class="src-empty">Sources of the latest answer appear here: every quoted sentence, highlighted in its article.</div>'
    if not ans.found:
        return '<div class="src-empty">No sources: the articles do not answer this question.</div>'
    return "".join(source_card(c, article_text(c.article_id)) for c in ans.citations)


def articles_rows(articles) -> list[list[str]]:
    return [[a.title, a.source or "", a.author or "", a.published or "", a.article_id] for a in articles]


def mode_html(mode: str, model: str | None, articles: int) -> str:
    label = "Offline extractive mode: answers quote the articles word for word; no API key, no network" if mode == "extractive" \
        else f"LLM mode: {model or mode}, every citation checked against its source"
    return f'<div id="mode-indicator" class="mode">{html.escape(label)} \u00b7 {articles} articles</div>'


CSS = """
.mode { font-size: 0.9em; padding: 6px 10px; border-radius: 6px; background: var(--background-fill-secondary); }
.src-card { border: 1px solid var(--border-color-primary); border-radius: 8px; padding: 10px 12px; margin-bottom: 10px; }
.src-card.flash { outline: 3px solid var(--color-accent); }
.src-num { font-weight: 700; }
.src-title { font-weight: 600; }
.src-meta { font-size: 0.85em; opacity: 0.8; margin: 2px 0 6px; }
.src-context { margin: 6px 0; padding-left: 10px; border-left: 3px solid var(--border-color-primary); white-space: pre-wrap; }
.src-full { white-space: pre-wrap; max-height: 420px; overflow: auto; font-size: 0.92em; }
mark { background: #fde68a; color: inherit; }
.src-empty { opacity: 0.75; font-style: italic; }
"""

# Clicking a citation marker scrolls to its card and flashes it (links would otherwise open a new tab).
HEAD = """
<script>
document.addEventListener('click', function (e) {
  const a = e.target.closest && e.target.closest('a[href^="#src-"]');
  if (!a) return;
  e.preventDefault(); e.stopPropagation();
  const card = document.getElementById(a.getAttribute('href').slice(1));
  if (card) { card.scrollIntoView({behavior: 'smooth', block: 'center'}); card.classList.add('flash');
              setTimeout(() => card.classList.remove('flash'), 1500); }
}, true);
</script>
"""
