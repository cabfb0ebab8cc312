"""Flashcards: deck loading and validation, FSRS scheduling, the progress store, judging, sessions.

Import the submodules directly (``redisprep.quiz.deck``, ``.session``, ...); this package imports
nothing heavy so the CLI stays fast to start.
"""
