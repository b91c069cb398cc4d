"""A conversation: the answers so far, exported together with their sources de-duplicated."""

from __future__ import annotations

from rag.types import Answer, finished


class ChatSession:
    """Made by ``Assistant.chat()``. Each session keeps its own history; sessions never share one."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.turns: list[Answer] = []

    def stream(self, question: str):
        """Like :meth:`ask`, yielding the answer's text in pieces before the finished answer."""
        from rag.assistant import clean_question
        from rag.errors import LLMError
        from rag.followup import is_followup, rewrite, wants_more

        question = clean_question(question)
        query, focus = rewrite(question, self.turns)
        model_rewrite = getattr(self.assistant.answerer, "rewrite", None)
        if self.turns and model_rewrite and is_followup(question):
            try:
                query = focus = model_rewrite(question, self.turns)
            except LLMError:
                pass  # the offline rewrite stands
        exclude = self.quoted() if self.turns and wants_more(question) else frozenset()
        for item in self.assistant.stream(question, query=query, exclude=exclude, focus=focus):
            if isinstance(item, Answer):
                self.turns.append(item)
            yield item

    def ask(self, question: str) -> Answer:
        """Answer with the conversation in mind: a follow-up is rewritten into a standalone query (on
        ``answer.query``), and "what else" skips the sentences already quoted."""
        return finished(self.stream(question))

    def quoted(self) -> frozenset[tuple[str, int]]:
        """``(article_id, start)`` of every sentence quoted so far."""
        return frozenset((c.article_id, q.start) for a in self.turns for c in a.citations for q in c.quotes)

    def clear(self) -> None:
        self.turns = []

    def export(self, fmt: str, accessed=None) -> str:
        """Every answer of the conversation, with one reference per cited article across all turns."""
        from rag.export import export_answers

        return export_answers(self.turns, fmt, accessed)
