"""The web app's pieces that need no browser: escaping, upload checks, and who may reach it."""

import os
import socket
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from rag.errors import ConfigError
from rag.types import Answer, Citation, Quote
from rag.uploads import safe_name, save_uploads
from tests.conftest import SEEDS, free_port, run_cli, start_server, stop_server
from ui import render
from ui.app import check_binding, is_loopback

EVIL = 'Officials wrote <script>alert(1)</script> and <img src=x onerror="alert(2)"> **bold** [link](http://x)'


def _answer():
    c = Citation(1, "a1", "<b>Title</b>", "Out&let", None, "2024-01-02", "javascript:alert(1)", "/p", EVIL, 0, len(EVIL), 0.9,
                 (Quote(0, len(EVIL), EVIL),))
    return Answer("<i>why</i>?", f"{EVIL} [1]", True, [c], query="<i>why</i>?")


def test_answer_markdown_neutralises_html_and_markdown_but_links_markers():
    md = render.answer_markdown(_answer())
    assert "<script>" not in md and "<img" not in md and "&lt;script&gt;" in md
    assert "\\*\\*bold\\*\\*" in md and "\\[link\\]" in md
    assert md.endswith('<a href="#src-1" class="cite">[1]</a>')


def test_source_card_escapes_everything_and_highlights_the_quote():
    text = "First paragraph.\n\n" + EVIL + "\n\nLast paragraph."
    ans = _answer()
    c = ans.citations[0]
    start = text.index(EVIL)
    card = render.source_card(Citation(**{**c.__dict__, "start": start, "end": start + len(EVIL),
                                          "quotes": (Quote(start, start + len(EVIL), EVIL),)}), text)
    assert "<script>" not in card and "<img" not in card and "<b>Title" not in card
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in card and "&lt;b&gt;Title&lt;/b&gt;" in card
    assert "javascript:" not in card  # only http(s) links to originals
    assert card.count("<mark>") == 2  # in its paragraph, and in the full article
    context = card.split('class="src-context">')[1].split("</blockquote>")[0]
    assert "First paragraph" not in context and "Last paragraph" not in context


def test_safe_names_defeat_traversal():
    assert safe_name("../../x.txt") == "x.txt"
    assert safe_name("..\\..\\evil.html") == "evil.html"
    assert safe_name("/etc/passwd") == "passwd"
    assert safe_name("na<me>|?.TXT") == "na_me.txt"
    assert safe_name("...") == "upload"


def test_uploads_are_checked_for_type_and_size_and_never_overwrite(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    good, other, exe, big = src / "a.txt", src / "b.txt", src / "c.exe", src / "d.txt"
    good.write_text("one")
    other.write_text("two")
    exe.write_bytes(b"MZ")
    big.write_bytes(b"x" * 2048)
    dest = tmp_path / "uploads"
    saved, refused = save_uploads([("../../a.txt", good), ("a.txt", other), ("c.exe", exe), ("d.txt", big)], dest, 1024)
    assert [p.parent for p in saved] == [dest, dest] and saved[0].name == "a.txt" and saved[1].name.startswith("a-")
    assert {n for n, _ in refused} == {"c.exe", "d.txt"}
    assert "unsupported file type '.exe'" in dict(refused)["c.exe"] and "upload limit" in dict(refused)["d.txt"]
    assert not (tmp_path / "a.txt").exists()


@pytest.mark.parametrize("host,ok", [("127.0.0.1", True), ("localhost", True), ("::1", True), ("0.0.0.0", False), ("192.168.1.5", False)])
def test_binding_beyond_loopback_needs_a_login_or_an_explicit_opt_out(host, ok):
    assert is_loopback(host) == ok
    if ok:
        check_binding(host, None, False)
    else:
        with pytest.raises(ConfigError, match="RAG_UI__USERNAME"):
            check_binding(host, None, False)
        check_binding(host, ("u", "p"), False)
        check_binding(host, None, True)


def test_serve_refuses_a_public_address_without_login(tmp_path):
    res = run_cli("serve", "--host", "0.0.0.0", "--port", "0", cwd=tmp_path,
                  env_extra={"RAG_STORE_DIR": str(tmp_path / "s"), "RAG_CORPUS_DIR": str(SEEDS)})
    assert res.returncode != 0 and "refusing to serve on 0.0.0.0 without a login" in res.stderr
    assert "Traceback" not in res.stderr


def test_serve_on_a_port_in_use_is_one_line_without_traceback(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        res = run_cli("serve", "--port", str(port), cwd=tmp_path,
                      env_extra={"RAG_STORE_DIR": str(tmp_path / "s"), "RAG_CORPUS_DIR": str(SEEDS)})
    assert res.returncode == 1, res.stderr
    assert f"cannot serve on 127.0.0.1:{port}" in res.stderr and "--port" in res.stderr
    assert "Traceback" not in res.stderr


@pytest.mark.server
def test_configured_login_is_required(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_")}
    env.update(RAG_STORE_DIR=str(tmp_path / "s"), RAG_CORPUS_DIR=str(SEEDS), RAG_UI__USERNAME="ann", RAG_UI__PASSWORD="s3cret")
    base = f"http://127.0.0.1:{port}"
    proc = start_server([str(Path(sys.executable).parent / "rag"), "serve", "--port", str(port)], base + "/",
                        tmp_path / "serve.log", env, tmp_path)
    try:
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(base + "/config", timeout=5)
        assert err.value.code in (401, 403)
        login = urllib.request.Request(base + "/login", data=b"username=ann&password=s3cret", method="POST",
                                       headers={"Content-Type": "application/x-www-form-urlencoded"})
        assert urllib.request.urlopen(login, timeout=5).status == 200
    finally:
        stop_server(proc)
