"""The errors newsrag raises on purpose. Each message says what went wrong and how to fix it.

The CLI (and later the UI) print ``str(error)`` as one line; anything else is a bug.
"""


class RagError(Exception):
    """Base class: a problem the user can fix."""


class QuestionError(RagError, ValueError):
    """The question cannot be asked as given (empty, not text)."""


class CorpusError(RagError):
    """A path to ingest is missing or unusable."""


class StoreError(RagError):
    """The store directory cannot be opened, read or written."""


class ConfigError(RagError):
    """The settings are inconsistent or incomplete."""


class NotFoundError(RagError, KeyError):
    """An article id that is not in the store."""

    def __str__(self) -> str:  # KeyError would add quotes
        return str(self.args[0]) if self.args else "not found"


class LLMError(RagError):
    """The chat or embeddings server failed: unreachable, too slow, rate-limited, erroring, or refusing the key."""
