"""The ``rag`` command: ingest, ask, chat, articles. Errors print one line and exit non-zero."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap

EXIT_USAGE, EXIT_ERROR = 2, 1


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="rag", description="Ask questions of a corpus of news articles; every claim cites its sentence.")
    p.add_argument("--store", metavar="DIR", help="store folder (default: $RAG_STORE_DIR or ./.rag)")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    ing = sub.add_parser("ingest", help="add or update articles from files and folders (default: the seeds)")
    ing.add_argument("paths", nargs="*", metavar="PATH", help=".txt, .md, .html or .pdf files, or folders of them")
    ing.add_argument("--prune", action="store_true", help="also remove stored articles whose files no longer exist")
    ing.add_argument("--json", action="store_true", help="print the ingest report as JSON")

    ask = sub.add_parser("ask", help="answer one question, with numbered sources")
    ask.add_argument("question", help="the question, in quotes")
    ask.add_argument("--json", action="store_true", help="print the answer and citations as JSON")
    ask.add_argument("--export", metavar="FORMAT", help="also export the citations: bibtex, ris, csl-json, markdown or json")
    ask.add_argument("-o", "--output", metavar="FILE", help="write the export to FILE instead of printing it")

    exp = sub.add_parser("export", help="export the bibliography of every stored article")
    exp.add_argument("--format", required=True, metavar="FORMAT", help="bibtex, ris, csl-json, markdown or json")
    exp.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of printing")

    sub.add_parser("chat", help="ask questions one after another (empty line or Ctrl-D ends)")

    srv = sub.add_parser("serve", help="start the web app (ingests the seeds into an empty store first)")
    srv.add_argument("--host", help="address to bind (default 127.0.0.1; others need a login or --allow-no-auth)")
    srv.add_argument("--port", type=int, help="port (default 7860)")
    srv.add_argument("--allow-no-auth", action="store_true", help="serve a non-loopback address without a login")

    arts = sub.add_parser("articles", help="list the stored articles and their metadata")
    arts.add_argument("--json", action="store_true", help="print as JSON")
    return p


def _open(args, auto_ingest: bool = True):
    from rag.assistant import Assistant

    bot = Assistant.open(store_dir=args.store, auto_ingest=auto_ingest, progress=sys.stderr.isatty())
    if bot.first_ingest is not None:
        print(f"First start: ingested {bot.settings.default_corpus()} into {bot.settings.store_dir}. "
              + bot.first_ingest.summary().splitlines()[0], file=sys.stderr)
    return bot


def format_answer(ans, with_text: bool = True) -> str:
    """The answer, then a numbered source list: title, outlet, date, and the quoted sentence."""
    width = 100
    out = [textwrap.fill(ans.text, width)] if with_text else []
    if ans.notice:
        out.append(f"Note: {ans.notice}")
    if ans.unsupported:
        out.append("Not supported by the cited sources: " + " | ".join(ans.unsupported))
    if ans.citations:
        out.append("")
        out.append("Sources:")
        for c in ans.citations:
            head = " \u00b7 ".join(x for x in (c.title, c.source, c.published) if x)
            out.append(f"[{c.number}] {head}")
            for q in c.quotes:
                out.append(textwrap.fill(f"\u201c{' '.join(q.text.split())}\u201d", width, initial_indent="    ", subsequent_indent="    "))
            out.append(f"    ({c.article_id}, characters {c.start}\u2013{c.end})")
    return "\n".join(out)


def _cmd_ingest(args) -> int:
    bot = _open(args, auto_ingest=False)
    paths = args.paths or [bot.settings.default_corpus()]
    if paths == [None]:
        raise _UsageError("no paths given and no seeds/ folder here: name the files or folders to ingest")
    report = bot.ingest(paths, prune=args.prune, progress=sys.stderr.isatty() and not args.json)
    print(json.dumps(report.to_dict(), indent=2) if args.json else report.summary())
    return 0


def _emit(text: str, output: str | None) -> None:
    """Print an export, or write it to ``output`` and say so."""
    if output:
        from rag.export import write_export

        print(f"wrote {write_export(text, output)}")
    else:
        sys.stdout.write(text)


def _cmd_ask(args) -> int:
    from rag.export import check_format

    fmt = check_format(args.export) if args.export else None  # a bad format fails before the work
    if args.output and not fmt:
        raise _UsageError("-o/--output goes with --export FORMAT")
    bot = _open(args)
    if args.json or (fmt and not args.output):
        ans = bot.ask(args.question)
        print(json.dumps(ans.to_dict(), indent=2, ensure_ascii=False) if args.json else ans.export(fmt), end="" if fmt and not args.json else "\n")
        return 0
    ans = _print_stream(bot.stream(args.question))
    if fmt:
        _emit(ans.export(fmt), args.output)
    return 0


def _print_stream(items) -> object:
    """Print the answer as it is written, then its sources; return the finished answer. When checking the
    citations changed the text (markers renumbered or dropped), the checked text is printed too."""
    from rag.types import Answer

    streamed = ""
    for item in items:
        if isinstance(item, Answer):
            if " ".join(item.text.split()) != " ".join(streamed.split()):
                print(("\n\nChecked against the sources:\n" if streamed else "") + item.text)
            elif streamed:
                print()
            tail = format_answer(item, with_text=False).strip("\n")
            if tail:
                print("\n" + tail)
            return item
        streamed += item
        print(item, end="", flush=True)
    return None


def _cmd_export(args) -> int:
    from rag.export import check_format

    fmt = check_format(args.format)
    _emit(_open(args).export_bibliography(fmt), args.output)
    return 0


def _cmd_chat(args) -> int:
    from rag.errors import RagError
    from rag.export import check_format

    bot = _open(args)
    session = bot.chat()
    n = bot.store.catalog.count()
    mode = "offline extractive mode" if bot.answerer.mode == "extractive" else f"LLM mode ({bot.answerer.model})"
    print(f"newsrag \u00b7 {mode} \u00b7 {n} articles. Ask a question; an empty line ends.")
    print("Try: Why is Iran disappointed with Russia?   \u00b7   /export FORMAT [FILE] saves this conversation's sources.")
    while True:
        try:
            line = input("\n? ").strip()
        except EOFError:
            break
        if not line:
            break
        try:
            if line.startswith("/export"):
                parts = line.split(maxsplit=2)
                fmt = check_format(parts[1] if len(parts) > 1 else "")
                _emit(session.export(fmt), parts[2] if len(parts) > 2 else None)
            else:
                ans = _print_stream(session.stream(line))
                if ans.query != ans.question:
                    print(f"(searched for: {ans.query})")
        except RagError as e:
            print(f"error: {e}")
    return 0


def _cmd_serve(args) -> int:
    bot = _open(args)
    from ui.app import serve

    serve(bot, host=args.host, port=args.port, allow_no_auth=args.allow_no_auth or None)
    return 0


def _cmd_articles(args) -> int:
    bot = _open(args)
    arts = bot.articles()
    if args.json:
        print(json.dumps([a.meta() for a in arts], indent=2, ensure_ascii=False))
        return 0
    for a in arts:
        print(f"{a.article_id}\n    {a.title}\n    " + " \u00b7 ".join(x for x in (a.source, a.author, a.published, a.url) if x))
    print(f"{len(arts)} articles")
    return 0


class _UsageError(Exception):
    """The command line was used wrongly; printed as one line, exit code 2."""


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from rag.errors import RagError

    handler = {"ingest": _cmd_ingest, "ask": _cmd_ask, "chat": _cmd_chat, "articles": _cmd_articles,
               "export": _cmd_export, "serve": _cmd_serve}[args.command]
    try:
        return handler(args)
    except _UsageError as e:
        print(f"rag: {e}", file=sys.stderr)
        return EXIT_USAGE
    except RagError as e:
        print(f"rag: error: {e}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
