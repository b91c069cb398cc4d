"""Regenerate the README's screenshots: `python docs/screenshots.py` (needs Chromium; starts its own server)."""

import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests import browser  # noqa: E402

HERE = Path(__file__).resolve().parent


def main() -> None:
    from playwright.sync_api import sync_playwright

    store = Path(tempfile.mkdtemp()) / "store"
    env = {"RAG_STORE_DIR": str(store), "PATH": "/usr/bin:/bin", "GRADIO_ANALYTICS_ENABLED": "False"}
    proc = subprocess.Popen([str(Path(sys.executable).parent / "rag"), "serve", "--port", "7899"], env=env,
                            cwd=HERE.parent, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen("http://127.0.0.1:7899/", timeout=2)
                break
            except OSError:
                time.sleep(0.3)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=browser.find(), args=browser.ARGS)
            page = b.new_page(viewport={"width": 1400, "height": 900})
            page.goto("http://127.0.0.1:7899/")
            page.wait_for_selector("#question textarea")
            page.screenshot(path=str(HERE / "start.png"))
            for q in ("What did Seyed Mohammad Sadr claim about Russia?", "What else did he claim?"):
                n = page.locator("#chat [data-testid=bot]").count()
                page.fill("#question textarea", q)
                page.click("#ask")
                page.wait_for_function("(n) => document.querySelectorAll('#chat [data-testid=bot]').length > n && "
                                       "!document.querySelector('.pending, .generating')", arg=n)
            page.click("#export-conversation")
            page.locator("#export-file a").first.wait_for()
            page.locator("#src-1 summary").click()
            page.screenshot(path=str(HERE / "answer.png"), full_page=True)
            page.get_by_role("tab", name="Articles").click()
            page.wait_for_selector("#articles")
            page.screenshot(path=str(HERE / "articles.png"))
            b.close()
    finally:
        proc.terminate()


if __name__ == "__main__":
    main()
