"""Interview mode: staged mock system-design interviews whose answers are checked, not just read."""
