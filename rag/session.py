"""A conversation: the answers so far, exported together with their sources de-duplicated."""

from __future__ import annotations

from rag.types import Answer


class ChatSession:
    """Made by ``Assistant.chat()``. Each session keeps its own history; sessions never share one."""

    def __init__(self, assistant):
        self.assistant = assistant
        self.turns: list[Answer] = []

    def ask(self, question: str) -> Answer:
        answer = self.assistant.ask(question)
        self.turns.append(answer)
        return answer

    def clear(self) -> None:
        self.turns = []

    def export(self, fmt: str, accessed=None) -> str:
        """Every answer of the conversation, with one reference per cited article across all turns."""
        from rag.export import export_answers

        return export_answers(self.turns, fmt, accessed)
