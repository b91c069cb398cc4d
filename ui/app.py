"""The Gradio web app. It renders what ``rag`` returns; it decides nothing about answers itself."""

from __future__ import annotations

import ipaddress
import os
import tempfile
from pathlib import Path

import gradio as gr

from rag.errors import ConfigError, RagError
from rag.export import FORMATS, SUFFIXES, check_format
from rag.uploads import save_uploads
from store.loader import SUPPORTED
from ui import render

EXAMPLES = [
    "Why is Iran disappointed with Russia?",
    "What did Seyed Mohammad Sadr claim about Russia?",
    "Which fighter jets is Russia expected to provide to Iran?",
    "What deal did Gazprom sign with the Iranian Oil Company?",
]
_HEADERS = ["Title", "Outlet", "Author", "Published", "Id"]


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_binding(host: str, auth: tuple[str, str] | None, allow_no_auth: bool) -> None:
    """Refuse to serve beyond this machine without a login, unless the user opted out explicitly."""
    if not is_loopback(host) and auth is None and not allow_no_auth:
        raise ConfigError(f"refusing to serve on {host} without a login: set RAG_UI__USERNAME and RAG_UI__PASSWORD, "
                          "or pass --allow-no-auth if your own access control protects this address")


def _example_text(evt: gr.SelectData) -> str:
    return evt.value["text"]


def build_app(bot) -> gr.Blocks:
    settings = bot.settings
    export_dir = Path(tempfile.mkdtemp(prefix="newsrag-exports-"))
    upload_dir = Path(settings.store_dir) / "uploads"

    def mode() -> str:
        answerer = bot.answerer
        return render.mode_html(answerer.mode, getattr(answerer, "model", None), bot.store.catalog.count())

    def respond(question, history, session):
        history = list(history or [])
        session = session or bot.chat()
        shown = history + [{"role": "user", "content": render.md_text(question or "")}]
        written = ""
        try:
            for item in session.stream(question):
                if isinstance(item, str):  # the answer as it is being written
                    written += item
                    yield shown + [{"role": "assistant", "content": render.md_text(written)}], "", gr.update(), gr.update(), session
                    continue
                history = shown + [{"role": "assistant", "content": render.answer_markdown(item)}]
                yield history, "", render.searched_line(item), render.sources_html(item, lambda aid: bot.article(aid).text), session
        except RagError as e:
            gr.Warning(str(e))
            yield history, question, gr.update(), gr.update(), session

    def export(fmt, session, whole: bool):
        if session is None or not session.turns:
            gr.Warning("Ask a question first: there is nothing to export yet.")
            return None
        try:
            fmt = check_format(fmt)
            text = session.export(fmt) if whole else session.turns[-1].export(fmt)
        except RagError as e:
            gr.Warning(str(e))
            return None
        name = f"newsrag-{'conversation' if whole else 'answer'}{SUFFIXES[fmt]}"
        path = export_dir / f"{len(session.turns)}-{fmt}" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return str(path)

    def clear():
        return [], None, "", render.sources_html(None, None), None

    def upload(files, progress=gr.Progress()):
        files = files or []
        max_bytes = int(settings.ui.max_upload_mb * (1 << 20))
        pairs = [(Path(f).name, Path(f)) for f in files]  # Gradio keeps the uploaded name as the file name
        progress(0.1, desc="checking files")
        saved, refused = save_uploads(pairs, upload_dir, max_bytes)
        lines = [f"- refused **{render.md_text(name)}**: {render.md_text(reason)}" for name, reason in refused]
        if saved:
            progress(0.4, desc=f"ingesting {len(saved)} file(s)")
            try:
                report = bot.ingest(saved)
            except RagError as e:
                gr.Warning(str(e))
                return gr.update(), mode(), render.md_text(str(e)), None
            lines.insert(0, render.md_text(report.summary().splitlines()[0]))
            lines += [f"- skipped **{render.md_text(Path(p).name)}**: {render.md_text(r)}" for p, r in report.skipped]
        progress(1.0, desc="done")
        return render.articles_rows(bot.articles()), mode(), "\n".join(lines) or "No files.", None

    with gr.Blocks(title="newsrag", analytics_enabled=False) as app:
        session = gr.State(None)
        gr.Markdown("## newsrag \u2014 ask the news articles; every claim cites its sentence")
        mode_box = gr.HTML(mode(), elem_id="mode")
        with gr.Tabs():
            with gr.Tab("Chat", id="chat-tab"):
                with gr.Row():
                    with gr.Column(scale=3):
                        chatbot = gr.Chatbot(
                            label="Conversation", elem_id="chat", height=460, feedback_options=None, buttons=["copy"],
                            examples=[{"text": q} for q in EXAMPLES], sanitize_html=True, allow_tags=False,
                            placeholder="Ask a question about the articles, or pick an example. Answers quote the "
                                        "articles; click a [n] marker to see its source.",
                        )
                        with gr.Row():
                            question = gr.Textbox(placeholder="Ask about the articles\u2026", show_label=False, scale=5,
                                                  elem_id="question", max_length=2000)
                            ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                        searched = gr.Markdown(elem_id="searched")
                        with gr.Row():
                            fmt = gr.Dropdown(list(FORMATS), value="bibtex", label="Export format", elem_id="export-format", scale=2)
                            export_answer = gr.Button("Export last answer", elem_id="export-answer", scale=1)
                            export_all = gr.Button("Export conversation", elem_id="export-conversation", scale=1)
                            clear_btn = gr.Button("Clear conversation", elem_id="clear", scale=1)
                        export_file = gr.File(label="Download", elem_id="export-file", interactive=False)
                    with gr.Column(scale=2):
                        gr.Markdown("### Sources")
                        sources = gr.HTML(render.sources_html(None, None), elem_id="sources")
            with gr.Tab("Articles", id="articles-tab"):
                table = gr.Dataframe(render.articles_rows(bot.articles()), headers=_HEADERS, interactive=False,
                                     elem_id="articles", wrap=True)
                files = gr.File(label=f"Add articles ({', '.join(sorted(SUPPORTED))}; up to {settings.ui.max_upload_mb:g} MB each)",
                                file_count="multiple", file_types=sorted(SUPPORTED), elem_id="upload")
                upload_status = gr.Markdown(elem_id="upload-status")

        outputs = [chatbot, question, searched, sources, session]
        question.submit(respond, [question, chatbot, session], outputs)
        ask.click(respond, [question, chatbot, session], outputs)
        chatbot.example_select(_example_text, None, question).then(respond, [question, chatbot, session], outputs)
        export_answer.click(lambda f, s: export(f, s, False), [fmt, session], export_file)
        export_all.click(lambda f, s: export(f, s, True), [fmt, session], export_file)
        clear_btn.click(clear, None, [chatbot, session, searched, sources, export_file])
        chatbot.clear(clear, None, [chatbot, session, searched, sources, export_file])  # the chat's own bin icon
        files.upload(upload, files, [table, mode_box, upload_status, files])
    return app


def serve(bot, host: str | None = None, port: int | None = None, allow_no_auth: bool | None = None, block: bool = True):
    """Start the web app. Binds 127.0.0.1 unless told otherwise; elsewhere a login is required."""
    ui = bot.settings.ui
    host = host or ui.host
    port = ui.port if port is None else port
    auth = (ui.username, ui.password.get_secret_value()) if ui.username and ui.password else None
    check_binding(host, auth, ui.allow_no_auth if allow_no_auth is None else allow_no_auth)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    app = build_app(bot)
    app.queue(default_concurrency_limit=4)
    try:
        return app.launch(
            server_name=host, server_port=port or None, auth=auth, prevent_thread_lock=not block, show_error=False,
            max_file_size=int(ui.max_upload_mb * (1 << 20)), ssr_mode=False, quiet=False, css=render.CSS, head=render.HEAD,
            theme=gr.themes.Default(font=["system-ui", "sans-serif"], font_mono=["ui-monospace", "monospace"]),
            footer_links=[], allowed_paths=[],
        )
    except OSError as e:  # Gradio raises OSError for a port in use or an address it cannot bind
        raise ConfigError(f"cannot serve on {host}:{port or 'any port'} ({e.strerror or str(e).split('.')[0]}); "
                          "pass --port N (or set RAG_UI__PORT), or stop what is using it") from None
