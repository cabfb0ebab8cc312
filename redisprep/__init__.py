"""redisprep: runnable Redis drills, explain mode, flashcards and graded practice."""

__version__ = "0.1.0"

__all__ = ["__version__"]
