"""Cleaning and metadata of the five seeds, and of HTML, Markdown and sidecar metadata."""

import pytest

from store.clean import clean_text, derive_title
from store.loader import html_to_text, markdown_to_text
from tests.conftest import SEEDS
from tests.questions import A000, A001, A002, A003, A004

FURNITURE = ["Debit/Credit Payment", "Credit/Debit/Bank Transfer", "Print Friendly", "Photo Credit", "Photo License",
             "Leave a comment", "Rate this article", "Share with your friends", "Rate Count", "Rossiya Eron Xitoy",
             "Posted on", "(illustrative)", "Source: (This article"]

EXPECTED = {
    A000: dict(title="Iranian General Criticizes Russian Ally: 'Russia Embodiment of Evil'", source=None, author=None,
               published=None, first="tel aviv - A high-ranking Iranian general", last="more fragile than portrayed."),
    A001: dict(title="Iran\u2013Russia Alliance Deepens as Moscow Backs Tehran\u2019s Attack on Israel", source="Ynetnews",
               author="Lior Ben Ari", published="2024-04-17", first="While many Western leaders rushed",
               last="posing a clear challenge to them."),
    A002: dict(title="Iran Military Chief Says Ties With Russia Have 'Great Significance' For Khamenei", source=None,
               author=None, published=None, first="Iran\u2019s military chief of staff", last="retaliation by the United States."),
    A003: dict(title="Russia sold Iran to Israel", source="QALAMPIR.UZ", author=None, published=None,
               first="Get to know the details", last="China\u2019s Communist Party history."),
    A004: dict(title=None, source=None, author=None, published=None, first="Despite overwhelming evidence",
               last="dependent on a revisionist state,\u201d Takei added."),
}


@pytest.mark.parametrize("article_id", sorted(EXPECTED))
def test_seed_is_cleaned_and_its_metadata_read(article_id):
    raw = (SEEDS / f"{article_id}.txt").read_text(encoding="utf-8")
    text, meta = clean_text(raw)
    want = EXPECTED[article_id]
    assert (meta.title, meta.source, meta.author, meta.published) == (want["title"], want["source"], want["author"], want["published"])
    assert text.startswith(want["first"])
    assert text.endswith(want["last"])
    for junk in FURNITURE:
        assert junk not in text
    if meta.title:
        assert not text.startswith(meta.title)  # the headline is metadata, not a body line


def test_every_body_sentence_survives_cleaning():
    raw = (SEEDS / f"{A003}.txt").read_text(encoding="utf-8")
    text, _ = clean_text(raw)
    for para in ("Under previous leaders such as Hu Jintao and Jiang Zemin", "Netanyahu seeks revenge on Turkey",
                 "\u201cRussia gave Israel information about the location"):
        assert para in text


def test_headline_less_article_gets_a_derived_title_not_a_widget_line():
    raw = "Debit/Credit Payment\n\nDespite overwhelming evidence, public denial by Russia and Iran has been driven by many things. More text here."
    text, meta = clean_text(raw)
    assert meta.title is None
    title = derive_title(text)
    assert title.startswith("Despite overwhelming evidence") and title.endswith("\u2026")
    assert "Payment" not in title


def test_author_label_with_a_name_is_read_and_empty_author_label_is_not():
    text, meta = clean_text("Headline here\n\nBody sentence one. Body sentence two.\n\nAuthor\n\nJane Doe\n\nTags\n\nfoo bar")
    assert meta.author == "Jane Doe" and text == "Body sentence one. Body sentence two."
    _, meta = clean_text("Headline\n\nBody sentence.\n\nAuthor\n\nTags\n\nRossiya Eron Xitoy")
    assert meta.author is None


def test_html_drops_scripts_styles_and_navigation_and_reads_meta_tags():
    html = """<html><head><title>Site | Headline</title>
    <meta property="og:title" content="Tehran &amp; Moscow sign a pact">
    <meta property="og:site_name" content="Example Times"><meta name="author" content="Ann Writer">
    <meta property="article:published_time" content="2024-05-02T10:00:00Z">
    <link rel="canonical" href="https://example.test/pact"><style>p{color:red}</style></head>
    <body><nav>Home | World</nav><h1>Tehran &amp; Moscow sign a pact</h1>
    <p>The two governments signed a pact on Tuesday.</p><script>alert('x')</script>
    <p>It covers trade &amp; defence.</p><footer>Copyright</footer></body></html>"""
    text, meta = html_to_text(html)
    assert "alert" not in text and "color:red" not in text and "Home | World" not in text and "Copyright" not in text
    assert text == "The two governments signed a pact on Tuesday.\nIt covers trade & defence."
    assert (meta.title, meta.source, meta.author, meta.published, meta.url) == (
        "Tehran & Moscow sign a pact", "Example Times", "Ann Writer", "2024-05-02", "https://example.test/pact")


def test_markdown_front_matter_and_markup():
    md = "---\ntitle: A pact\nauthor: Ann Writer\ndate: 2024-05-02\n---\n# A pact\n\nThe **two** governments signed [a pact](http://x).\n"
    text, meta = markdown_to_text(md)
    assert meta.title == "A pact" and meta.author == "Ann Writer" and meta.published == "2024-05-02"
    assert "The two governments signed a pact." in text and "**" not in text and "http" not in text
