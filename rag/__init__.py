"""newsrag: answers about a corpus of news articles, every claim citing the exact sentence it came from.

``from rag import Assistant`` is the entry point. Heavy modules load on first use, so the command line starts fast.
"""

from typing import TYPE_CHECKING

__all__ = ["Assistant", "Answer", "Citation", "Settings", "RagError"]

if TYPE_CHECKING:
    from rag.assistant import Assistant
    from rag.errors import RagError
    from rag.settings import Settings
    from rag.types import Answer, Citation


def __getattr__(name: str):
    if name == "Assistant":
        from rag.assistant import Assistant

        return Assistant
    if name in ("Answer", "Citation"):
        from rag import types

        return getattr(types, name)
    if name == "Settings":
        from rag.settings import Settings

        return Settings
    if name == "RagError":
        from rag.errors import RagError

        return RagError
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
