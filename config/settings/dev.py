"""Local development: `make run` — SQLite, database search, offline payments, inline tasks."""

from config.env import env_list, env_str

from .base import *  # noqa: F403

DEBUG = True
# A fixed key is fine for a laptop; production.py refuses to start without its own.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production-7f3a9c")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])

# A laptop demo shows what a deployed footer looks like; these numbers are placeholders, and a
# deployment's own come from the environment (production and test default to none).
SITE_OWNER = env_str("SITE_OWNER", "云南省科学技术厅（演示）")
SITE_ORGANISER = env_str("SITE_ORGANISER", "双创资源共享平台运营中心（演示）")
SITE_ID_CODE = env_str("SITE_ID_CODE", "5300000001")
ICP_RECORD = env_str("ICP_RECORD", "滇ICP备00000000号-1")
PSB_RECORD = env_str("PSB_RECORD", "滇公网安备53010202000001号")
SITE_CONTACT = env_str("SITE_CONTACT", "0871-00000000")
