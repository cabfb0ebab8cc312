"""redisprep bench: what the server and a Python client can do, and the leaderboard at scale."""
