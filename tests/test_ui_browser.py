"""The web app in a real browser: Playwright driving Debian's Chromium against `rag serve` on 127.0.0.1."""

import os
import sys
from pathlib import Path

import pytest

from tests import browser
from tests.conftest import SEEDS, free_port, start_server, stop_server
from tests.fake_openai import FakeOpenAI, sources_in

pytestmark = pytest.mark.browser
TIMEOUT = 30_000


def _serve(tmp, **extra_env):
    """`rag serve` on a fresh store in ``tmp``; returns the process and its URL."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RAG_", "OPENAI_"))}
    env.update(RAG_STORE_DIR=str(tmp / "store"), RAG_CORPUS_DIR=str(SEEDS), GRADIO_ANALYTICS_ENABLED="False", **extra_env)
    url = f"http://127.0.0.1:{port}/"
    proc = start_server([str(Path(sys.executable).parent / "rag"), "serve", "--port", str(port)], url, tmp / "serve.log", env, tmp)
    return proc, url


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`rag serve` on an empty store: it ingests the seeds first, as a new user's would."""
    tmp = tmp_path_factory.mktemp("ui")
    proc, url = _serve(tmp)
    yield url, tmp
    stop_server(proc)


@pytest.fixture(scope="module")
def llm_server(tmp_path_factory):
    """`rag serve` in LLM mode against the fake OpenAI-compatible server."""
    fake = FakeOpenAI().start()
    tmp = tmp_path_factory.mktemp("ui-llm")
    proc, url = _serve(tmp, RAG_ANSWERER="openai", OPENAI_BASE_URL=fake.url, OPENAI_API_KEY="sk-test-ui",
                       RAG_OPENAI__MAX_RETRIES="0")
    yield url, fake
    stop_server(proc)
    fake.stop()


@pytest.fixture(scope="module")
def chromium():
    exe = browser.find()
    if not exe:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing on CI: the test command installs it with `python -m tests.browser`")
        pytest.skip("Chromium not installed (Debian: apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=exe, args=browser.ARGS)
        yield b
        b.close()


def _open_page(chromium, url):
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(TIMEOUT)
    pg.goto(url)
    pg.wait_for_selector("#question textarea")
    return context, pg


@pytest.fixture
def page(chromium, server):
    context, pg = _open_page(chromium, server[0])
    yield pg
    context.close()


def ask(page, question: str) -> None:
    """Ask and wait until the answer has been written out (a new bot message, nothing pending)."""
    before = page.locator("#chat [data-testid=bot]").count()
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function(
        """(n) => document.querySelectorAll('#chat [data-testid=bot]').length > n &&
                  !document.querySelector('.pending, .generating')""", arg=before)


def test_the_page_explains_itself(page):
    mode = page.locator("#mode-indicator")
    assert "Offline extractive mode" in mode.inner_text() and "5 articles" in mode.inner_text()
    page.get_by_text("Why is Iran disappointed with Russia?").first.wait_for()  # example questions on the empty chat
    assert "click a [n] marker" in page.locator("#chat").inner_text()


def test_ask_see_answer_and_source_card_then_open_it(page):
    ask(page, "Why is Iran disappointed with Russia?")
    page.wait_for_selector("#sources .src-card")
    chat = page.locator("#chat").inner_text()
    assert "disappointment with Moscow" in chat and "[1]" in chat
    card = page.locator("#src-1")
    assert "Russia sold Iran to Israel" in card.inner_text()
    assert "disappointment with Moscow" in card.locator("mark").first.inner_text()  # quote highlighted in its paragraph
    assert "Expediency Council" in card.locator(".src-context").inner_text()
    page.click("#chat a.cite")  # the marker leads to its card
    page.wait_for_selector("#src-1.flash")
    card.locator("summary").click()  # the card opens the full article
    full = card.locator(".src-full")
    full.wait_for(state="visible")
    assert "Xi Jinping" in full.inner_text()


def test_follow_up_uses_history_and_conversation_exports_as_bibtex(page):
    ask(page, "What did Seyed Mohammad Sadr claim about Russia?")
    page.wait_for_selector("#src-1")
    ask(page, "What else did he claim?")
    page.wait_for_function("document.querySelector('#searched').innerText.includes('What else did Seyed Mohammad Sadr claim?')")
    assert "Sadr said" in page.locator("#chat").inner_text()
    page.click("#export-conversation")
    link = page.locator("#export-file a").first
    link.wait_for()
    with page.expect_download() as dl:
        link.click()
    text = Path(dl.value.path()).read_text(encoding="utf-8")
    assert text.count("@article{") == 1 and "qalampiruzndrussia" in text
    assert "Russia provided intelligence to Israel" in text and "Sadr said" in text
    page.click("#clear")
    page.wait_for_function("!document.querySelector('#sources .src-card')")
    assert "Sadr said" not in page.locator("#chat").inner_text()
    assert page.locator("#chat [data-testid=bot]").count() == 0


def test_upload_an_article_then_ask_about_it_and_nothing_runs(page, server, tmp_path):
    article = tmp_path / "Harbour news.txt"
    article.write_text(
        "Bandar Abbas harbour reopens\n\n"
        "The harbour of Bandar Abbas reopened to container ships on Monday after a three-week closure. "
        "Officials wrote <script>window.__xss = 1</script> and <img src=x onerror=\"window.__xss = 2\"> in the notice.\n",
        encoding="utf-8")
    page.get_by_role("tab", name="Articles").click()
    page.set_input_files("#upload input[type=file]", str(article))
    page.wait_for_function("document.querySelector('#upload-status').innerText.includes('1 added')")
    assert "Bandar Abbas harbour reopens" in page.locator("#articles").inner_text()
    assert "6 articles" in page.locator("#mode-indicator").inner_text()
    page.get_by_role("tab", name="Chat").click()
    ask(page, "When did the harbour of Bandar Abbas reopen to container ships?")
    page.wait_for_selector("#src-1")
    assert "Bandar Abbas harbour reopens" in page.locator("#src-1").inner_text()
    ask(page, "What did officials write in the notice?")
    page.wait_for_selector("#src-1")
    card = page.locator("#src-1").inner_text()
    assert "<script>window.__xss = 1</script>" in card and 'onerror="window.__xss = 2"' in card  # shown as text
    assert "<script>" in page.locator("#chat").inner_text()
    assert page.evaluate("window.__xss") is None
    assert page.locator("#sources script, #sources img, #chat img[src='x']").count() == 0


def test_llm_mode_streams_checked_answers_and_shows_failures(chromium, llm_server):
    url, fake = llm_server

    def reply(request):
        n = next(n for n, text in sources_in(request).items() if "disappointment with Moscow" in text)
        return f"Iran's disappointment with Moscow became more apparent [{n}]. Pigs can fly [{n}]."

    fake.reply = reply
    context, page = _open_page(chromium, url)
    try:
        assert "LLM mode: gpt-4o-mini" in page.locator("#mode-indicator").inner_text()
        ask(page, "Why is Iran disappointed with Russia?")
        page.wait_for_selector("#src-1")
        chat = page.locator("#chat").inner_text()
        assert "Iran's disappointment with Moscow became more apparent. [1]" in chat
        assert "Not supported by the cited sources" in chat and "Pigs can fly" in chat
        assert "Two months later" in page.locator("#src-1 mark").first.inner_text()
        fake.then(status=500)
        ask(page, "What did Sergey Mardan say on Russian state radio?")
        page.wait_for_function("document.querySelector('#chat').innerText.includes('The language model failed')")
        assert "offline extractive answer instead" in page.locator("#chat").inner_text()
        assert "Sergey Mardan" in page.locator("#sources").inner_text()
    finally:
        context.close()
