"""Local development: `make run` — SQLite, database search, offline payments, inline tasks."""

from config.env import env_list, env_str

from .base import *  # noqa: F403

DEBUG = True
# A fixed key is fine for a laptop; production.py refuses to start without its own.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-7f3a9c")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
