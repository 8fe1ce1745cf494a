"""Settings shared by every environment; everything that differs comes from the environment."""

from __future__ import annotations

from pathlib import Path

import dj_database_url

from config.env import cache_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY", "")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "marketplace.accounts",
    "marketplace.notifications",
    "marketplace.payments",
    "marketplace.catalogue",
    "marketplace.bookings",
    "marketplace.sampletesting",
    "marketplace.residency",
    "marketplace.inquiries",
    "marketplace.vouchers",
    "marketplace.oversight",
    "marketplace.sharing",
    "cms",
    "search",
    "wagtail.contrib.forms",
    "wagtail.contrib.simple_translation",
    "wagtail.locales",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.table_block",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "axes",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Oversized or too deeply nested bodies are refused before anything reads them.
    "config.middleware.RequestLimitsMiddleware",
    # django-csp, with inline script allowed only inside the Wagtail admin.
    "config.middleware.SiteCSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Public pages for visitors who are not logged in, from the shared cache (config/page_cache.py):
    # inside the CSP and security headers (added again to every hit), ahead of sessions, CSRF
    # and authentication, which a hit never needs.
    "config.page_cache.AnonymousPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Wagtail's Site and site root paths from the per-process cache (cms/sites.py).
    "cms.sites.SiteLookupMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
    # Last, as django-axes asks: turns a locked-out login attempt into the lockout answer.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
                "config.context_processors.site",
            ],
            "builtins": ["marketplace.payments.templatetags.money_tags"],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# Embedded default: a SQLite file in the project. Scale-out: DATABASE_URL=postgres://...
DEFAULT_SQLITE_URL = f"sqlite:///{BASE_DIR / 'db.sqlite3'}"
DATABASE_URL = env_str("DATABASE_URL", DEFAULT_SQLITE_URL)


def database_config(url: str) -> dict:
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # IMMEDIATE takes the write lock at BEGIN, so two writers queue on the busy timeout
        # instead of one failing with "database is locked" halfway through a transaction.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_config(DATABASE_URL)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
# Django's database sessions, read by a statement compiled once per process (config/sessions.py).
SESSION_ENGINE = "config.sessions"
# django-axes first: it refuses a locked-out username/address pair before any password check.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # Django's ModelBackend, its read of the signed-in user compiled once per process.
    "marketplace.accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "marketplace.accounts.password_validation.MinimumLength",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
# locale_wagtail: Chinese for Wagtail admin words its own zh_Hans catalogue lacks ("0 Images").
LOCALE_PATHS = [BASE_DIR / "locale", BASE_DIR / "locale_wagtail"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True
WAGTAIL_CONTENT_LANGUAGES = LANGUAGES
# The one language management commands write their help, output and errors in (the site's, by
# default: the people who run them run the site); `--language` changes it for one run
# (marketplace/commands.py).
COMMAND_LANGUAGE = env_str("COMMAND_LANGUAGE", LANGUAGE_CODE)
if COMMAND_LANGUAGE not in dict(LANGUAGES):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"COMMAND_LANGUAGE must be one of {', '.join(dict(LANGUAGES))}, got {COMMAND_LANGUAGE!r}"
    )

# --- Static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
# Business plans and test reports: never under MEDIA_ROOT (which is served publicly); they are
# only handed out by views that check who is asking.
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(BASE_DIR / "private-media")))
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
# Object storage in production: MEDIA_STORAGE_BACKEND=storages.backends.s3.S3Storage (with
# django-storages installed and its own AWS_* variables); local files by default.
STORAGES = {
    "default": {
        "BACKEND": env_str("MEDIA_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage")
    },
    "staticfiles": {
        "BACKEND": env_str(
            "STATICFILES_STORAGE_BACKEND",
            "django.contrib.staticfiles.storage.StaticFilesStorage",
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Request bodies (config.middleware.RequestLimitsMiddleware): anything larger is a 413 before a
# byte of it is read; the default leaves room for one attachment plus the form around it. JSON
# bodies have their own, smaller cap and a nesting limit.
REQUEST_MAX_BYTES = env_int("REQUEST_MAX_BYTES", ATTACHMENT_MAX_BYTES + 1024 * 1024)
JSON_MAX_BYTES = env_int("JSON_MAX_BYTES", 1024 * 1024)
JSON_MAX_DEPTH = env_int("JSON_MAX_DEPTH", 32)
# PDF checks run in a child process with these limits (marketplace/uploads.py).
PDF_CHECK_SECONDS = env_int("PDF_CHECK_SECONDS", 5)
PDF_CHECK_MEMORY_MB = env_int("PDF_CHECK_MEMORY_MB", 512)
PDF_MAX_PAGES = env_int("PDF_MAX_PAGES", 2000)
# How many PDF uploads one user may have checked per hour.
UPLOADS_PER_USER_PER_HOUR = env_int("UPLOADS_PER_USER_PER_HOUR", 30)

# --- Search ---------------------------------------------------------------------------------
# Unset → the embedded database engine; set → Elasticsearch (the public search engine).
ELASTICSEARCH_URL = env_str("ELASTICSEARCH_URL")
ELASTICSEARCH_INDEX_PREFIX = env_str("ELASTICSEARCH_INDEX_PREFIX", "shuangchuang")
ELASTICSEARCH_TIMEOUT = env_int("ELASTICSEARCH_TIMEOUT", 5)
SEARCH_ENGINE = "elasticsearch" if ELASTICSEARCH_URL else "database"
# Wagtail's own admin search stays on the database; the public engine lives in search/.
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}

# --- Payments -------------------------------------------------------------------------------
# Unset STRIPE_SECRET_KEY → offline payments (对公转账) only. STRIPE_API_BASE points the
# official library at stripe-mock in tests.
STRIPE_SECRET_KEY = env_str("STRIPE_SECRET_KEY")
STRIPE_WEBHOOK_SECRET = env_str("STRIPE_WEBHOOK_SECRET")
STRIPE_API_BASE = env_str("STRIPE_API_BASE")
PAYMENT_METHODS = ["stripe", "offline"] if STRIPE_SECRET_KEY else ["offline"]
PAYMENT_CURRENCY = "CNY"
# The platform's share of an online payment to an institution with its own Stripe account.
PLATFORM_FEE_PERCENT = env_str("PLATFORM_FEE_PERCENT", "5")
# Holds: an unpaid booking keeps its slot this long; an unanswered request this long.
BOOKING_PAYMENT_HOLD_MINUTES = env_int("BOOKING_PAYMENT_HOLD_MINUTES", 30)
BOOKING_APPROVAL_WINDOW_HOURS = env_int("BOOKING_APPROVAL_WINDOW_HOURS", 48)
# Quotas per user and instrument against slot hoarding (an instrument may set its own): at
# most this many active bookings, and this many booked hours per ISO week (Asia/Shanghai).
BOOKING_MAX_ACTIVE_PER_USER = env_int("BOOKING_MAX_ACTIVE_PER_USER", 4)
BOOKING_MAX_HOURS_PER_USER_WEEK = env_int("BOOKING_MAX_HOURS_PER_USER_WEEK", 20)
# A bank transfer (对公转账) takes days, not minutes: once the payer chooses it, the booking is
# held this long for the money to arrive — never past the slot's start.
OFFLINE_PAYMENT_HOLD_HOURS = env_int("OFFLINE_PAYMENT_HOLD_HOURS", 72)

# --- Cache ----------------------------------------------------------------------------------
# Throttles and rate limits must count once for the whole site, not per worker: the database
# cache by default (nothing to install), CACHE_URL=redis://… when scaled out (config.env).
CACHES = {
    "default": cache_config(env_str("CACHE_URL")),
    # Per process, for small values every page reads (the footer's site identity): no round
    # trip to the shared cache on each request; they live a minute, so servers agree soon.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shuangchuang-local",
    },
    # The anonymous page cache (config/page_cache.py): shared, because every app server must
    # see a purge at once and one server's rendering serves them all; a table of its own
    # (`django_page_cache`, created by a migration) or PAGE_CACHE_URL=redis://…, so a flood of
    # distinct search URLs culls pages, never the throttle counters kept in "default".
    "pages": cache_config(env_str("PAGE_CACHE_URL", "db://django_page_cache")),
}
PAGE_CACHE_ALIAS = "pages"
# Each process keeps copies of the pages it served (config/page_cache.py), checked against the
# tags' versions in the shared store on every hit: a hit reads a few short rows, not the page.
# Up to PAGE_CACHE_LOCAL_ENTRIES pages of at most PAGE_CACHE_LOCAL_MAX_BYTES each per process
# (the default, 500 × 512 KB, is a bound; list and detail pages are 10–100 KB).
# PAGE_CACHE_LOCAL_ENTRIES=0 keeps none (every hit reads the page from the shared store).
PAGE_CACHE_LOCAL_ENTRIES = env_int("PAGE_CACHE_LOCAL_ENTRIES", 500)
PAGE_CACHE_LOCAL_MAX_BYTES = env_int("PAGE_CACHE_LOCAL_MAX_BYTES", 512 * 1024)
PAGE_CACHE_LOCAL_ALIAS = "pages_local" if PAGE_CACHE_LOCAL_ENTRIES > 0 else None
if PAGE_CACHE_LOCAL_ALIAS:
    CACHES[PAGE_CACHE_LOCAL_ALIAS] = {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "shuangchuang-pages",
        "OPTIONS": {"MAX_ENTRIES": PAGE_CACHE_LOCAL_ENTRIES},
    }
# PAGE_CACHE=0 turns the page cache off (every page rendered for every visitor).
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE", True)
# How long a page may be served from the cache at most; changes purge it sooner (precisely), so
# this bounds only what changes with time alone (an instrument's free slots as the day moves).
PAGE_CACHE_SECONDS = env_int("PAGE_CACHE_SECONDS", 120)
# s-maxage for a reverse proxy or CDN in front (it hears of no purge, so keep this short).
PAGE_CACHE_PROXY_SECONDS = env_int("PAGE_CACHE_PROXY_SECONDS", 30)
# The catalogue lists' totals (`count`) kept in the page cache's store under the `listings`
# tag's version (marketplace/catalogue/paging.py): counted once per catalogue change, not per
# request. CATALOGUE_COUNT_CACHE=0 counts on every request.
CATALOGUE_COUNT_CACHE = env_bool("CATALOGUE_COUNT_CACHE", True)
# What the CMS pages list (the home page's latest items, the news and policy libraries' first
# pages and filter menus) kept per process under the `cms` tag's version
# (cms.page_cache.kept): read again after a publish, unpublish or department change, not per
# request. CMS_KEPT_LISTS=0 reads them on every request.
CMS_KEPT_LISTS = env_bool("CMS_KEPT_LISTS", True)

# --- Background tasks -----------------------------------------------------------------------
# TASK_BACKEND=immediate (runs inline; the embedded default for `make run`) or database (a
# worker on any machine runs `manage.py db_worker`; production's default, so no request waits
# for a mail server).
_TASK_BACKENDS = {
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    "database": "django_tasks_db.DatabaseBackend",
    "dummy": "django_tasks.backends.dummy.DummyBackend",
}


def tasks_config(backend: str) -> dict:
    if backend not in _TASK_BACKENDS:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"TASK_BACKEND must be one of {', '.join(_TASK_BACKENDS)}, got {backend!r}"
        )
    return {"default": {"BACKEND": _TASK_BACKENDS[backend]}}


TASK_BACKEND = env_str("TASK_BACKEND", "immediate")
TASKS = tasks_config(TASK_BACKEND)

# --- Email ----------------------------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a silent mail server is given up on (Django's default is to wait forever).
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "双创资源共享平台 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Wagtail --------------------------------------------------------------------------------
WAGTAIL_SITE_NAME = "双创资源共享平台"
# The public address: canonical links, feeds, sitemap and emails use it whenever the Wagtail
# site's own hostname is still a local one (localhost, 127.0.0.1).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILIMAGES_MAX_UPLOAD_SIZE = 10 * 1024 * 1024
WAGTAILIMAGES_MAX_IMAGE_PIXELS = 40_000_000
WAGTAILDOCS_EXTENSIONS = ["pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "ofd", "txt", "zip"]

# --- CMS (双创专区) ---------------------------------------------------------------------------
# Settings of the cms app live in this block.
# Site identity (网站标识), shown in every page's footer; SiteIDCode also in every <head>.
# These are the defaults: an editor can override each one in the admin (设置 › 网站设置).
# Blank means "not shown" — a real deployment sets its own filing numbers.
SITE_OWNER = env_str("SITE_OWNER", "")  # 主办单位
SITE_ORGANISER = env_str("SITE_ORGANISER", "")  # 承办单位
SITE_ID_CODE = env_str("SITE_ID_CODE", "")  # 政府网站标识码, 10 digits
ICP_RECORD = env_str("ICP_RECORD", "")  # ICP备案号, e.g. 滇ICP备12345678号
PSB_RECORD = env_str("PSB_RECORD", "")  # 公安机关备案号, e.g. 滇公网安备53010202000001号
SITE_CONTACT = env_str("SITE_CONTACT", "")  # 联系方式
# Wagtail i18n: Chinese pages are the originals, English pages are translations of them.
WAGTAIL_I18N_ENABLED = True
# 索引号 formats, chosen per issuing body (Department.index_number_format). Yunnan's index
# numbers are 21 digits in six parts: 区划代码(6)-机构代码(3)-年份(4)-类别(2)-序号(4)-版本(2).
CMS_INDEX_NUMBER_FORMATS = {
    "yunnan": {
        "label": "云南省（21位，六段）",
        "parts": [6, 3, 4, 2, 4, 2],
        "separator": "-",
        "example": "530000-001-2017-04-0080-01",
    },
    "free": {"label": "不限格式", "parts": [], "separator": "-", "example": ""},
}
CMS_DEFAULT_INDEX_NUMBER_FORMAT = env_str("CMS_DEFAULT_INDEX_NUMBER_FORMAT", "yunnan")

# --- API ------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Tokens expire (API_TOKEN_HOURS) and die with a password change or a logout.
        "marketplace.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "marketplace.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "config.api.exception_handler",
    # DRF's JSONRenderer, its bytes made by orjson (the same bytes, a tenth of the time).
    "DEFAULT_RENDERER_CLASSES": ["config.api.JSONRenderer"],
    # DRF's, with the common Accept headers answered without parsing them.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.api.ContentNegotiation",
    "DEFAULT_PARSER_CLASSES": ["config.api.JSONParser"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "双创资源共享平台 API",
    "DESCRIPTION": "Public catalogue reads, accounts and workflows. 公开目录、账户与业务流程接口。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "PREPROCESSING_HOOKS": ["config.api.only_public_api"],
    "ENUM_NAME_OVERRIDES": {
        "InstitutionTypeEnum": "marketplace.accounts.models.InstitutionType",
        "IncubatorTypeEnum": "marketplace.catalogue.vocabularies.IncubatorType",
        "BookingStatusEnum": "marketplace.bookings.models.Status",
        "InstrumentStatusEnum": "marketplace.catalogue.vocabularies.InstrumentStatus",
        "SampleOrderStatusEnum": "marketplace.sampletesting.models.Status",
        "ResidencyApplicationStatusEnum": "marketplace.residency.models.Status",
        "PaymentStatusEnum": "marketplace.payments.models.PaymentStatus",
        "PaymentMethodEnum": "marketplace.payments.models.PaymentMethod",
        "PaymentKindEnum": "marketplace.payments.models.PaymentKind",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security (docs/security.md) -------------------------------------------------------------
# How many reverse proxies stand in front of the app. 0 (the default): X-Forwarded-For is
# ignored and the connecting address is the client — nobody can pick a new address per try.
# N: the N-th address from the right of X-Forwarded-For, the one the outermost trusted proxy saw.
NUM_PROXIES = env_int("NUM_PROXIES", 0)
REST_FRAMEWORK["NUM_PROXIES"] = NUM_PROXIES

# django-axes: wrong passwords lock the username-and-address pair out of every login path
# (/accounts/login/, /admin/login/, /django-admin/login/, /api/v1/auth/token/).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = env_int("LOGIN_LOCKOUT_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "config.security.client_ip"
AXES_LOCKOUT_CALLABLE = "config.security.lockout_response"
AXES_HTTP_RESPONSE_CODE = 429
# The login form's own field names; no GET or POST data is copied into the attempt log.
AXES_SENSITIVE_PARAMETERS = ["username", "ip_address", "password"]

# API tokens expire this many hours after they were issued (a new login issues a new one).
API_TOKEN_HOURS = env_int("API_TOKEN_HOURS", 24 * 30)

# Password reset links are valid this long (Django's default is three days).
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_MINUTES", 60) * 60

# Content-Security-Policy (django-csp): scripts only from this site, never inline. Styles allow
# inline attributes because the Wagtail admin sets them. CSP_FRAME_SRC / CSP_IMG_SRC add hosts
# (e.g. video embeds or object storage); CSP_REPORT_ONLY=1 only reports.
_CSP_DIRECTIVES = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *env_list("CSP_IMG_SRC")],
    "font-src": ["'self'", "data:"],
    "connect-src": ["'self'"],
    "frame-src": ["'self'", *env_list("CSP_FRAME_SRC")],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
    # A payment form posts here and is redirected on to Stripe Checkout; browsers apply
    # form-action to that redirect too.
    "form-action": [
        "'self'",
        *(["https://checkout.stripe.com"] if STRIPE_SECRET_KEY else []),
        *env_list("CSP_FORM_ACTION"),
    ],
    "frame-ancestors": ["'none'"],
}
if env_bool("CSP_REPORT_ONLY", False):
    CONTENT_SECURITY_POLICY_REPORT_ONLY = {"DIRECTIVES": _CSP_DIRECTIVES}
    CONTENT_SECURITY_POLICY = None
else:
    CONTENT_SECURITY_POLICY = {"DIRECTIVES": _CSP_DIRECTIVES}

# /healthz says only ok / degraded / down to the public; staff (and everyone, with
# HEALTHZ_DETAILS=1) also see each check and its error.
HEALTHZ_DETAILS = env_bool("HEALTHZ_DETAILS", False)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "elastic_transport": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "wagtail": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
    },
}
