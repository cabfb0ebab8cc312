"""Practice: learners implement a pattern; the grader runs the drill's own checks against their module."""
