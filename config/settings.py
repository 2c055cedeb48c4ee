"""Shouhu settings: one module, read from the environment only (see ``config/env.py``).

Environment variables (all optional in development, see docs/operations.md for production):
SHOUHU_ENV, DEBUG, SECRET_KEY, SHOUHU_FIELD_KEY, SHOUHU_HASH_KEY, SHOUHU_AUDIT_KEY,
DATABASE_URL, REDIS_URL, ALLOWED_HOSTS, CSRF_TRUSTED_ORIGINS, SHOUHU_VAR_DIR,
SESSION_IDLE_MINUTES, LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES, SECURE_PROXY_SSL_HEADER,
SECURE_SSL_REDIRECT, SECURE_HSTS_SECONDS, SHOUHU_PROXY_COUNT, SHOUHU_LOG_LEVEL, SHOUHU_DEMO_CITY.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url

from config.env import ENVIRONMENTS, Env, read_secrets

BASE_DIR = Path(__file__).resolve().parent.parent
env = Env()

SHOUHU_ENV = env.choice("SHOUHU_ENV", ENVIRONMENTS, "development")
PRODUCTION = SHOUHU_ENV == "production"
TESTING = SHOUHU_ENV == "test"
VAR_DIR = Path(env.text("SHOUHU_VAR_DIR") or BASE_DIR / "var")

DEBUG = env.flag("DEBUG", default=SHOUHU_ENV == "development")
if PRODUCTION and DEBUG:
    env.problems.append("DEBUG is on; production must run with DEBUG=0")

_secrets = read_secrets(env, production=PRODUCTION, var_dir=VAR_DIR) if not TESTING else {}
SECRET_KEY = _secrets.get("SECRET_KEY") or "test-only-secret-key-" + "x" * 40
# Key of the field encryption of identity numbers (Fernet key derived from it).
SHOUHU_FIELD_KEY = _secrets.get("SHOUHU_FIELD_KEY") or "test-only-field-key-" + "y" * 40
# Key of the keyed hash (HMAC) used for exact look-up of identity numbers.
SHOUHU_HASH_KEY = _secrets.get("SHOUHU_HASH_KEY") or "test-only-hash-key-" + "z" * 40
# Key of the HMAC chain of the access log; kept out of the database so that a
# database-only attacker cannot rewrite the chain.
SHOUHU_AUDIT_KEY = _secrets.get("SHOUHU_AUDIT_KEY") or "test-only-audit-key-" + "w" * 40

ALLOWED_HOSTS = env.items("ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    env.problems.append("ALLOWED_HOSTS is empty; list the host names the site answers to")
CSRF_TRUSTED_ORIGINS = env.items("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Shouhu apps first, lowest layer first (imports go one way: see pyproject.toml), so that
    # their translations and templates take precedence over those of Django and third parties.
    "shouhu.core",
    "shouhu.regions",
    "shouhu.accounts",
    "shouhu.audit",
    "shouhu.policy",
    "shouhu.registry",
    "shouhu.matching",
    "shouhu.intake",
    "shouhu.api",
    "shouhu.dashboards",
    "shouhu.demo",
    "shouhu.core.admin_site.SystemAdminConfig",  # django.contrib.admin, superusers only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "auditlog",
    "django_htmx",
    "huey.contrib.djhuey",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "auditlog.middleware.AuditlogMiddleware",
    "shouhu.accounts.middleware.SecurityGateMiddleware",
    # Axes last, as its documentation requires.
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
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shouhu.core.context_processors.shell",
            ],
        },
    },
]

# Database: SQLite in var/ for the embedded mode; PostgreSQL in production.
_default_db = f"sqlite:///{VAR_DIR / 'shouhu.sqlite3'}"
DATABASE_URL = env.text("DATABASE_URL", _default_db) or _default_db
try:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60)}
except ValueError as exc:
    env.problems.append(f"DATABASE_URL cannot be read: {exc}")
    DATABASES = {"default": dj_database_url.parse(_default_db)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    if PRODUCTION:
        env.problems.append("DATABASE_URL points at SQLite; production runs on PostgreSQL (postgres://…)")
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;"}
    )
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.text("REDIS_URL")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background jobs: Huey on SQLite (embedded) or Redis; immediate mode in tests.
if REDIS_URL:
    HUEY: dict[str, Any] = {"huey_class": "huey.RedisHuey", "name": "shouhu", "url": REDIS_URL, "immediate": TESTING}
else:
    HUEY = {
        "huey_class": "huey.SqliteHuey",
        "name": "shouhu",
        "filename": str(VAR_DIR / "huey.sqlite3"),
        "immediate": TESTING,
    }
HUEY["consumer"] = {"workers": 2, "worker_type": "thread"}
# Periodic tasks' crontabs are read in local time: Django sets the process's TZ to TIME_ZONE, so
# "01:30" is 01:30 in Asia/Shanghai (Huey's default would read them in UTC: 09:30 local).
HUEY["utc"] = False

# Accounts, log-in and sessions.
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "dashboards:home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "shouhu.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "shouhu.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
]
SESSION_IDLE_MINUTES = env.integer("SESSION_IDLE_MINUTES", default=30, minimum=1)
SESSION_COOKIE_AGE = SESSION_IDLE_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True  # the expiry slides with activity: an idle timeout
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
FORM_RENDERER = "shouhu.core.forms.BootstrapFormRenderer"
CSRF_FAILURE_VIEW = "shouhu.core.views.csrf_failure"
AXES_FAILURE_LIMIT = env.integer("LOGIN_FAILURE_LIMIT", default=5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env.integer("LOGIN_LOCKOUT_MINUTES", default=15, minimum=1))
# Lock the account, not the address: offices reach the server from one NAT address, and an
# address lock-out would shut out a whole township office after one user's typos.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
# A failure during a lock-out does not extend it: otherwise anyone could keep an account locked
# for ever by trying once in a while, and the end time shown to the user would be wrong.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "shouhu.accounts.views.locked_out"
AXES_VERBOSE = False
OTP_TOTP_ISSUER = "Shouhu 守护"

if PRODUCTION:
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_HSTS_SECONDS = env.integer("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_SSL_REDIRECT = env.flag("SECURE_SSL_REDIRECT", default=True)
    if env.flag("SECURE_PROXY_SSL_HEADER", default=True):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Number of reverse proxies (nginx) in front of the application whose X-Forwarded-For entries are
# trusted; the client address of the access log and of the log-in lock-out is read from there.
SHOUHU_PROXY_COUNT = env.integer("SHOUHU_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "shouhu.core.net.client_ip"
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

# Languages: Chinese first; English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it even before collectstatic
WHITENOISE_USE_FINDERS = not PRODUCTION  # serve app static files straight from the source tree
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES: dict[str, dict[str, Any]] = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": VAR_DIR / "files"}},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Uploaded and generated files (imports, exports) are private: served only through views
# that check access, never from a public URL.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "shouhu.api.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "shouhu.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute", "anon": "30/minute"},
    "EXCEPTION_HANDLER": "shouhu.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shouhu API",
    "DESCRIPTION": "Child welfare and protection platform (守护). All data is scoped to the caller's jurisdiction.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

AUDITLOG_INCLUDE_ALL_MODELS = False
AUDITLOG_DISABLE_REMOTE_ADDR = False

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.text("SHOUHU_LOG_LEVEL", "INFO").upper()},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Demo data (make run) is refused in production.
SHOUHU_DEMO_CITY = env.text("SHOUHU_DEMO_CITY", "3709")

env.fail_if_problems()
