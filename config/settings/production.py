"""Production: every secret and host from the environment; HTTPS everywhere."""

from config.env import env_bool, env_int, env_list, env_required, env_str

from .base import *  # noqa: F403

DEBUG = False
SECRET_KEY = env_required("SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS") or [env_required("ALLOWED_HOSTS")]
# Public links (canonical, feeds, sitemap, emails) never point at a laptop address: without
# SITE_URL they use the first allowed host over HTTPS.
_public_host = ALLOWED_HOSTS[0].lstrip(".")
SITE_URL = env_str("SITE_URL") or (
    env_required("SITE_URL") if _public_host in ("", "*") else f"https://{_public_host}"
)
WAGTAILADMIN_BASE_URL = SITE_URL

# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# /healthz is polled by load balancers over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
# Off unless asked for: on a shared government domain, includeSubDomains and preload would force
# HTTPS on sibling sites this deployment does not control (and preload is hard to undo).
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Leaving them off is this deployment's decision, not an oversight the deploy check must flag.
SILENCED_SYSTEM_CHECKS = [
    check
    for check, on in (
        ("security.W005", SECURE_HSTS_INCLUDE_SUBDOMAINS),
        ("security.W021", SECURE_HSTS_PRELOAD),
    )
    if not on
]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
}
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
# Mail and other side effects never run inside a request: they are queued in the database and
# sent by `manage.py db_worker` (run one next to the app servers; docs/deploy.md).
TASK_BACKEND = env_str("TASK_BACKEND", "database")
TASKS = tasks_config(TASK_BACKEND)
