"""Settings for microcert, read from the environment.

Every value has a safe development default so ``make run`` needs nothing; production sets
``DEBUG=false`` and real secrets (see ``docs/deploy.md``); ``check --deploy`` is then clean.
"""

from pathlib import Path

import environ
from django.utils.translation import gettext_lazy as _

SRC_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = SRC_DIR.parent
VAR_DIR = Path(environ.Env().str("MICROCERT_VAR_DIR", default=str(BASE_DIR / "var")))

VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()
env.smart_cast = False

DEBUG = env.bool("DEBUG", default=True)

# A fixed key is fine for development only; production refuses to start without its own.
_DEV_SECRET_KEY = "dev-only-insecure-key-6f1c9b1e0a7d4c2e8b3f5a9d7c1e2b4f6a8c0d2e4f"  # noqa: S105
SECRET_KEY = env.str("SECRET_KEY", default=_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("SECRET_KEY must be set when DEBUG is false")

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# The public address of the platform: stable URIs (frameworks, credentials) are built from it.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Key-encryption keys for the issuers' signing keys, "id:base64url-32-bytes" separated by
# commas; the first one encrypts new keys, the others still decrypt older ones (KEK rotation).
# Development derives one from SECRET_KEY; production must set its own.
KEY_ENCRYPTION_KEYS = env.list("KEY_ENCRYPTION_KEYS", default=[])
if not KEY_ENCRYPTION_KEYS and not DEBUG:
    raise environ.ImproperlyConfigured("KEY_ENCRYPTION_KEYS must be set when DEBUG is false")

# How long a fetched DID document or status list of another issuer is trusted (seconds).
CREDENTIALS_REMOTE_CACHE_SECONDS = env.int("CREDENTIALS_REMOTE_CACHE_SECONDS", default=300)

INSTALLED_APPS = [
    # modeltranslation must come before the admin so it can patch translated fields in.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "microcert.core",
    "microcert.accounts",
    "microcert.network",
    "microcert.news",
    "microcert.frameworks",
    "microcert.catalog",
    "microcert.credentials",
    "microcert.recognition",
    "microcert.classrooms",
    "microcert.learning",
    "microcert.lms",
    "microcert.privacy",
    "microcert.web",
    "microcert.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "microcert.core.ratelimit.RateLimitMiddleware",
    "csp.middleware.CSPMiddleware",
]

ROOT_URLCONF = "microcert.urls"
WSGI_APPLICATION = "microcert.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        # Project-level overrides of third-party templates (allauth) come first.
        "DIRS": [SRC_DIR / "microcert" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "microcert.learning.context_processors.roles",
            ],
        },
    },
]

# SQLite in WAL mode is the embedded default; DATABASE_URL points at PostgreSQL in production.
_SQLITE_PATH = VAR_DIR / "microcert.sqlite3"
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{_SQLITE_PATH}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            # Take the write lock at BEGIN so concurrent writers queue instead of deadlocking.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=60))
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://microcert")}

# Budgets per client address (or per signed-in person) on the doors anyone can knock on; see
# microcert.core.ratelimit. Behind N reverse proxies set TRUSTED_PROXIES=N so the address is
# the one the nearest proxy saw.
RATE_LIMITS_ENABLED = env.bool("RATE_LIMITS_ENABLED", default=True)
TRUSTED_PROXIES = env.int("TRUSTED_PROXIES", default=0)
RATE_LIMITS = {
    "verify": {
        "methods": ["POST"],
        "path": r"^/(credentials/verify|presentations/verify|verify/)",
        "rate": env.str("RATE_LIMIT_VERIFY", default="120/m"),
    },
    "api": {"path": r"^/api/", "rate": env.str("RATE_LIMIT_API", default="600/m"), "per": "user"},
    "sign-in": {
        "methods": ["POST"],
        "path": r"^/accounts/(login|signup|password/reset)/",
        "rate": env.str("RATE_LIMIT_SIGN_IN", default="30/m"),
    },
    "public-forms": {
        "methods": ["POST"],
        "path": r"^/network/join/",
        "rate": env.str("RATE_LIMIT_PUBLIC_FORMS", default="10/h"),
    },
    "pages": {
        "methods": ["GET", "HEAD"],
        "path": r"^/",
        "rate": env.str("RATE_LIMIT_PAGES", default="1200/m"),
    },
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "web:dashboard"

# allauth: the e-mail address is the identity; a person may hold several, each verified.
ACCOUNT_ADAPTER = "microcert.accounts.adapter.AccountAdapter"  # mails through the mail task
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="mandatory")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = False
ACCOUNT_MAX_EMAIL_ADDRESSES = 5
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,5/5m/key"}
# Two-factor sign-in (TOTP apps and one-time recovery codes), offered to everyone and
# recommended to those who decide about others' credentials (see the dashboard's nudge).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = env.str("MFA_TOTP_ISSUER", default="microcert")

# Internationalisation: the interface and every piece of content in four languages.
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", _("English")),
    ("vi", _("Vietnamese")),
    ("zh-hans", _("Simplified Chinese")),
    ("fr", _("French")),
]
LOCALE_PATHS = [SRC_DIR / "microcert" / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Our own date formats where Django's read badly inside translated sentences.
FORMAT_MODULE_PATH = ["microcert.formats"]

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "vi", "zh-hans", "fr")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploaded files live outside the web root and are only ever served through permission checks.
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))

# Evidence uploads: the largest file a teacher may submit (bytes).
EVIDENCE_MAX_UPLOAD_BYTES = env.int("EVIDENCE_MAX_UPLOAD_BYTES", default=20 * 1024 * 1024)
# National PD reports hide every group of fewer people than this, wherever they are published.
REPORT_MIN_GROUP_SIZE = env.int("REPORT_MIN_GROUP_SIZE", default=5)
# PD plans are due by this day of the year (MM-DD) where no country deadline is set.
PD_PLAN_DEFAULT_DEADLINE = env.str("PD_PLAN_DEFAULT_DEADLINE", default="12-31")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="microcert <no-reply@localhost>")

# Background work: in-process by default so one command runs everything; a broker URL moves
# tasks onto Celery workers.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A task taken by a worker that then dies (kill -9, lost machine) goes back on the queue once
# it has been unacknowledged this long; keep it above the longest task, or a slow task is
# started a second time while it still runs (harmless, tasks are idempotent, but wasted).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # How often (seconds) a worker looks for such tasks.
    "unacked_restore_interval": env.int("CELERY_RESTORE_INTERVAL", default=60),
    "unacked_restore_throttle": 1,
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# For `celery beat` (one process per deployment): status lists are re-signed before they
# expire (they are also refreshed when read), and lists left unsigned by a stopped bulk job
# are published.
CELERY_BEAT_SCHEDULE = {
    "refresh-status-lists": {
        "task": "microcert.credentials.refresh_status_lists",
        "schedule": 3600.0,
    },
    "publish-status-lists": {
        "task": "microcert.credentials.publish_status_lists",
        "schedule": 900.0,
    },
}

# Security headers that apply everywhere; transport security only where TLS is in front.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy: everything from the platform itself, no inline script or style
# (templates link static files; core/tests/test_security_headers.py keeps it that way). Images
# may be data: URIs (the two-factor QR code); nothing may frame the pages.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}
