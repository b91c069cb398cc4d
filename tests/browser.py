"""Finds Debian's Chromium for the browser tests; ``python -m tests.browser`` installs it when missing and allowed.

Playwright drives it with ``executable_path``; Playwright's own browser download does not work offline.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
# Flags that keep Chromium off the network and quiet in a sandbox-less container.
ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-features=Translate"]


def find() -> str | None:
    env = os.environ.get("RAG_TEST_CHROMIUM")
    if env and os.path.exists(env):
        return env
    return next((p for p in CANDIDATES if os.path.exists(p)), None) or shutil.which("chromium")


def main() -> int:
    if find():
        print(f"browser tests: using {find()}")
        return 0
    if hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("apt-get"):
        print("browser tests: installing Debian's chromium (apt-get install chromium)...", flush=True)
        quiet = {"stdout": subprocess.DEVNULL}
        ok = subprocess.run(["apt-get", "update", "-qq"], **quiet).returncode == 0 and \
            subprocess.run(["apt-get", "install", "-y", "-qq", "chromium"], env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}, **quiet).returncode == 0
        if ok and find():
            return 0
    print("browser tests: Chromium not found and not installable here; install it (Debian: sudo apt-get install chromium) "
          "or set RAG_TEST_CHROMIUM. The browser tests will be skipped (and fail on CI).", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
