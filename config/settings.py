"""Settings for Safeguarding Panels, read top to bottom, configured from the environment.

DJANGO_ENV chooses the defaults: "development" (the default: DEBUG on, SQLite, in-memory
channel layer, console email), "test" (what pytest uses) or "production" (DEBUG off,
secure cookies, HSTS, SMTP email; SECRET_KEY must be given). Every variable is listed in
the README under "Configuration".
"""

import os
import sys
from datetime import time, timedelta
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def refuse_to_start(message: str) -> None:
    """Stop the process with one clear line rather than a traceback."""
    sys.stderr.write(f"Safeguarding Panels cannot start: {message}\n")
    raise SystemExit(2)


def env_time(name: str, default: str) -> time:
    value = os.environ.get(name, "").strip() or default
    try:
        return time.fromisoformat(value)
    except ValueError:
        refuse_to_start(f"{name} must be a time such as {default}, got {value!r}")


# Under pytest the default is "test", so a bare `pytest` behaves like `make test`.
DJANGO_ENV = (
    os.environ.get("DJANGO_ENV", "test" if "pytest" in sys.modules else "development")
    .strip()
    .lower()
)
if DJANGO_ENV not in {"development", "test", "production"}:
    refuse_to_start(f"DJANGO_ENV must be development, test or production, not {DJANGO_ENV!r}.")
PRODUCTION = DJANGO_ENV == "production"
DEBUG = env_bool("DEBUG", DJANGO_ENV == "development")

# --- Secrets and hosts -------------------------------------------------------------------
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if DEBUG or DJANGO_ENV == "test":
        SECRET_KEY = "development-only-insecure-key-never-use-in-production"  # noqa: S105
    else:
        refuse_to_start("SECRET_KEY is not set. Set SECRET_KEY to a long random string.")

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", "" if PRODUCTION else "localhost,127.0.0.1,[::1],testserver"
)
if PRODUCTION and not ALLOWED_HOSTS:
    refuse_to_start("ALLOWED_HOSTS is not set. List the host names this service answers on.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

# --- Applications --------------------------------------------------------------------------
INSTALLED_APPS = [
    "daphne",
    "config.apps.BreakFixAdminConfig",  # django.contrib.admin, superuser break-fix only
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "csp",
    "crispy_forms",
    "crispy_forms_gds",
    # Second factors (agencies.two_factor): authenticator apps, recovery codes, passkeys.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django_otp_webauthn",
    "django_filters",
    "agencies",
    "referrals",
    "panels",
    "notifications",
    # Allocation, caseloads and the triple lock; the board's dashboard (issue 17).
    "casework",
    "board",
    "missing",
    "intelligence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.PrivacyHeadersMiddleware",  # before WhiteNoise, to see static files too
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session has passed a second factor.
    "django_otp.middleware.OTPMiddleware",
    "access.middleware.AccessScopeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After the two above: ends a session past its idle or absolute limit, with a message.
    "agencies.session_timeout.SessionTimeoutMiddleware",
    # After it: a signed-in session that has not passed its second factor reaches only the
    # second-factor pages (agencies.two_factor_middleware).
    "agencies.two_factor_middleware.SecondFactorRequiredMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "agencies.middleware.AuditRefusalsMiddleware",
    # Last, as django-axes asks: it turns a sign-in that locked the account into the locked page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "agencies.context_processors.signed_in_person",
                "agencies.context_processors.service_navigation",
                "agencies.session_timeout.context",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]

# --- Data --------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
# CONN_MAX_AGE keeps a connection per daphne worker thread between requests (with a health
# check); 0 (the default) opens one per request.
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, for the test database too: the browser tests' daphne process
    # must read what the test wrote.
    # Named per test run (pytest-xdist adds _gw0, _gw1), so two runs never share a file.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / f".test-db-{os.getppid()}.sqlite3")}
    # A live meeting writes from several requests and sockets at once. IMMEDIATE takes the
    # write lock at BEGIN, so a second writer waits (up to the busy timeout) instead of being
    # refused "database is locked" when both had read first; WAL lets readers go on meanwhile.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }
elif DJANGO_ENV == "test":
    # One test database per test run, so two runs on one server never share one.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getppid()}"}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT compilation: the policy's OR of EXISTS makes PostgreSQL estimate a page's query
    # above jit_above_cost, and compiling it cost 250 to 300 ms a query on pages that run in
    # 40 ms without it (the referral list at 100,000 referrals: 934 ms against 190 ms;
    # benchmarks/README.md, issue 13). These are short OLTP queries: JIT never pays back.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
# In production each process takes its PostgreSQL connections from a psycopg pool: a request
# borrows one and gives it back at its end instead of connecting anew (the health check above
# becomes the pool's check on lending). The largest size bounds this process's connections:
# times the daphne processes, plus the reminders timer, it must stay under the server's
# max_connections. DATABASE_POOL=off goes back to one connection per request (CONN_MAX_AGE).
# The pool's sizes and wait unless set (benchmarks/meeting_fanout_settings.py runs with them).
DATABASE_POOL_DEFAULTS = {"min_size": 2, "max_size": 10, "timeout": 5}
DATABASE_POOL = (
    PRODUCTION
    and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    and env_bool("DATABASE_POOL", True)
)
if DATABASE_POOL:

    def pool_size(name: str, default: int) -> int:
        value = os.environ.get(name, "").strip() or str(default)
        if not value.isdigit():
            refuse_to_start(f"{name} must be a whole number of connections, got {value!r}.")
        return int(value)

    pool_min_size = pool_size("DATABASE_POOL_MIN_SIZE", DATABASE_POOL_DEFAULTS["min_size"])
    pool_max_size = pool_size("DATABASE_POOL_MAX_SIZE", DATABASE_POOL_DEFAULTS["max_size"])
    if pool_max_size < 1 or pool_min_size > pool_max_size:
        refuse_to_start(
            "DATABASE_POOL_MAX_SIZE must be at least 1 and at least DATABASE_POOL_MIN_SIZE "
            f"(got {pool_min_size} and {pool_max_size})."
        )
    if DATABASES["default"]["CONN_MAX_AGE"]:
        refuse_to_start(
            "CONN_MAX_AGE must be 0 while the database pool is on (the pool keeps the "
            "connections); unset it, or set DATABASE_POOL=off to keep one per thread."
        )
    # How long a request waits for a connection. psycopg's default of 30 s would also make a
    # database that is down take 30 s to show in /healthz and the start-up check.
    pool_timeout = pool_size("DATABASE_POOL_TIMEOUT_SECONDS", DATABASE_POOL_DEFAULTS["timeout"])
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": pool_min_size,
        "max_size": pool_max_size,
        "timeout": pool_timeout,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Real time ---------------------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
# Each pytest-xdist worker has its own test database, so it gets its own Redis keys too.
CHANNEL_PREFIX = os.environ.get("CHANNEL_PREFIX") or (
    f"asgi-test-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}" if DJANGO_ENV == "test" else "asgi"
)
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # Reads wait longer than the layer's own 5 s receive, so an idle socket is
                # not mistaken for a dead one (django/channels_redis#422).
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15}],
                "prefix": CHANNEL_PREFIX,
            },
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}

# --- Authentication and access -----------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked username or address before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None  # guardian: no anonymous user row; anonymous people see nothing.
GUARDIAN_RAISE_403 = False
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Judges nothing: User.save() calls every validator's password_changed() after a new
    # password is saved, by any path (pages, admin, `manage.py changepassword`), and this one
    # closes the person's open sockets then (agencies.sockets).
    {"NAME": "agencies.sockets.RecheckSocketsOnPasswordChange"},
]
# Argon2id for new and changed passwords; older hashes are still read, and upgraded to Argon2
# the next time their owner signs in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
if DJANGO_ENV == "test":
    # Hashing cost is a production concern; tests sign many people in.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# A "forgotten password" link works once and for this long (agencies.password_reset). The
# set-password link a new person is emailed keeps Django's PASSWORD_RESET_TIMEOUT (3 days).
PASSWORD_RESET_LINK_MINUTES = int(os.environ.get("PASSWORD_RESET_LINK_MINUTES", "60"))
# Reset links: at most this many emailed for one address an hour, and this many requests from
# one client address an hour; beyond either the page says the same and nothing is sent.
PASSWORD_RESET_LINKS_PER_PERSON_PER_HOUR = int(
    os.environ.get("PASSWORD_RESET_LINKS_PER_PERSON_PER_HOUR", "3")
)
PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR = int(
    os.environ.get("PASSWORD_RESET_REQUESTS_PER_CLIENT_PER_HOUR", "20")
)

# Sign-in lockout (django-axes): after SIGN_IN_FAILURE_LIMIT failures within the cool-off, a
# username, and separately an address, is refused for SIGN_IN_LOCKOUT_MINUTES after its last
# failure, on the sign-in page and the Django admin alike; a system administrator can unlock
# it sooner (/manage/sign-in-lockouts/). Every failure and locked attempt is audited.
AXES_FAILURE_LIMIT = int(os.environ.get("SIGN_IN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("SIGN_IN_LOCKOUT_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = [["username"], ["ip_address"]]
# The address by the project's one rule (TRUSTED_PROXY_COUNT), as the audit trail records it.
AXES_CLIENT_IP_CALLABLE = "agencies.audit.client_address"
AXES_HANDLER = "agencies.sign_in_guard.AuditedAxesHandler"
AXES_LOCKOUT_CALLABLE = "agencies.sign_in_guard.locked_out_response"
# Not on success: that would also clear the failures from the person's address, which an
# attacker holding one account could use to reset their guesses at everyone else's.
AXES_RESET_ON_SUCCESS = False
AXES_DISABLE_ACCESS_LOG = True  # the audit trail is the record; no second log of sign-ins
AXES_ENABLE_ADMIN = False  # the Django admin is break-fix only: unlocking is audited, in /manage/
AXES_VERBOSE = False  # no banner at start-up: a process that cannot start says so in one line
# Django's test client signs in without a request, which axes refuses: the tests of the lockout
# (tests/security/test_sign_in_lockout.py) switch it on.
AXES_ENABLED = DJANGO_ENV != "test"

# Second factor (agencies.two_factor, docs/sign-in.md): after the password every person passes
# an authenticator app's code, a passkey or a recovery code before any other page; break glass,
# exports and the sign-in security page ask again when the last one is older than this.
SECOND_FACTOR_STEP_UP_SECONDS = int(os.environ.get("SECOND_FACTOR_STEP_UP_SECONDS", "300"))
if SECOND_FACTOR_STEP_UP_SECONDS <= 0:
    refuse_to_start("SECOND_FACTOR_STEP_UP_SECONDS must be more than 0.")
OTP_TOTP_ISSUER = "Safeguarding Panels"
# Each wrong code in a row doubles the wait before the next is tried: 1 s, 2 s, 4 s ... (8.5
# minutes after ten), per authenticator and for the recovery codes.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Passkeys (django-otp-webauthn) as a second factor only, never instead of the password. The
# relying party is the host the person signed in at (checked against ALLOWED_HOSTS), unless
# WEBAUTHN_RP_ID names it; passkeys answer only from WEBAUTHN_ORIGINS (in production by
# default https:// and each of ALLOWED_HOSTS; outside it http://localhost on any port too).
OTP_WEBAUTHN_RP_NAME = "Safeguarding Panels"
OTP_WEBAUTHN_RP_ID_CALLABLE = "agencies.two_factor_passkeys.relying_party_id"
OTP_WEBAUTHN_HELPER_CLASS = "agencies.two_factor_passkeys.PasskeyHelper"
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False
WEBAUTHN_RP_ID = os.environ.get("WEBAUTHN_RP_ID", "").strip()
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "WEBAUTHN_ORIGINS",
    ",".join(f"https://{host}" for host in ALLOWED_HOSTS if host[0] not in ".*[")
    if PRODUCTION
    else "http://localhost:8000",
)

# A session ends after SESSION_IDLE_TIMEOUT_SECONDS without a request, and in any case
# SESSION_ABSOLUTE_LIMIT_SECONDS after sign-in (agencies.session_timeout, on the server); the
# warning dialog shows SESSION_TIMEOUT_WARNING_SECONDS before the idle limit. The absolute
# limit was SESSION_COOKIE_AGE, still read as its default.
SESSION_IDLE_TIMEOUT_SECONDS = int(os.environ.get("SESSION_IDLE_TIMEOUT_SECONDS", str(30 * 60)))
SESSION_ABSOLUTE_LIMIT_SECONDS = int(
    os.environ.get("SESSION_ABSOLUTE_LIMIT_SECONDS")
    or os.environ.get("SESSION_COOKIE_AGE")
    or str(8 * 60 * 60)
)
SESSION_TIMEOUT_WARNING_SECONDS = int(os.environ.get("SESSION_TIMEOUT_WARNING_SECONDS", "120"))
if not 0 < SESSION_TIMEOUT_WARNING_SECONDS < SESSION_IDLE_TIMEOUT_SECONDS:
    refuse_to_start(
        "SESSION_TIMEOUT_WARNING_SECONDS must be more than 0 and less than "
        "SESSION_IDLE_TIMEOUT_SECONDS."
    )
if SESSION_ABSOLUTE_LIMIT_SECONDS <= 0:
    refuse_to_start("SESSION_ABSOLUTE_LIMIT_SECONDS must be more than 0.")
# The stored session row goes no later than the absolute limit (clearsessions removes it).
SESSION_COOKIE_AGE = SESSION_ABSOLUTE_LIMIT_SECONDS
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

# --- Security headers --------------------------------------------------------------------
# No inline script or style anywhere: every page's script and style is a served file.
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
X_FRAME_OPTIONS = "DENY"
# Permissions-Policy, and Cache-Control: no-store on every page and API answer, come from
# config.middleware.PrivacyHeadersMiddleware. Messages (which may quote a case note given
# back after a refused edit) live in the session: Django's default would put them in a cookie.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# --- Email -------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "safeguarding-panels@localhost")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

# --- Approved minutes' documents -----------------------------------------------------------
# "background": the chair's approval commits and answers; the PDFs are rendered after it by
# the process's rendering thread (panels/minutes_rendering.py), and send_reminders renders
# any a stopped process left. "inline": rendered in the approval's call (the tests).
MINUTES_RENDERING = os.environ.get(
    "MINUTES_RENDERING", "inline" if DJANGO_ENV == "test" else "background"
)
if MINUTES_RENDERING not in {"background", "inline"}:
    refuse_to_start(f"MINUTES_RENDERING must be background or inline, not {MINUTES_RENDERING!r}.")


# --- The garbage collector of a daphne process (config/garbage_collection.py) ---------------
# A process holding a thousand meeting sockets keeps about half a million objects; CPython's
# default thresholds (700, 10, 10) promoted every fan-out's short-lived objects and ran a full
# collection every second or two, each pausing the process 350 to 480 ms mid-delivery.
# "50000,20,100" lets them die young; "700,10,10" restores CPython's defaults.
def _gc_thresholds(value: str) -> tuple[int, int, int]:
    try:
        numbers = tuple(int(part) for part in value.split(","))
    except ValueError:
        numbers = ()
    if len(numbers) != 3 or any(number < 0 for number in numbers):
        refuse_to_start(
            f"GC_THRESHOLDS must be three whole numbers such as 50000,20,100, not {value!r}"
        )
    return numbers


GC_THRESHOLDS = _gc_thresholds(os.environ.get("GC_THRESHOLDS", "50000,20,100"))
# Objects alive once the application is built (modules, classes, settings) are never garbage:
# frozen once at start, the full collections no longer walk them.
GC_FREEZE_AT_START = env_bool("GC_FREEZE_AT_START", True)

# --- Static files ------------------------------------------------------------------------
STATIC_URL = "static/"
# collectstatic gathers files here in production; elsewhere they are served from their folders.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles")) if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production daphne serves static files straight from the source folders.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "var" / "uploads"))

# --- Forms -------------------------------------------------------------------------------
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"
CRISPY_GDS_FRONTEND_VERSION = "5.8.0"
GOVUK_FRONTEND_VERSION = "5.8.0"

# --- Locale ------------------------------------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Logging: one line a record, to stderr, for journald -------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "line"}},
    "root": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Access ------------------------------------------------------------------------------
# Panel members keep access to a closed case for this many days (to finish its actions).
PANEL_ACCESS_GRACE_DAYS = int(os.environ.get("PANEL_ACCESS_GRACE_DAYS", "28"))
# How long a "break glass" access to a case lasts.
BREAK_GLASS_HOURS = int(os.environ.get("BREAK_GLASS_HOURS", "4"))
# How many reverse proxies in front of the app append to X-Forwarded-For and are trusted; the
# audit trail takes the client address that many hops from the right (0: the peer's address,
# the header is ignored).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Refusals of people not signed in are counted per address and hour, not audited one by one;
# beyond this many in a minute from one address the answer is 429 Too Many Requests.
ANONYMOUS_REFUSALS_PER_MINUTE = int(os.environ.get("ANONYMOUS_REFUSALS_PER_MINUTE", "30"))
# New referrals are numbered PREFIX-YEAR-NNNNNN.
REFERRAL_REFERENCE_PREFIX = os.environ.get("REFERRAL_REFERENCE_PREFIX", "REF")

# --- Missing children (missing/) ----------------------------------------------------------
# The trigger: this many missing episodes of one child within this many days (or one graded
# high risk) flags the child and gives the panel coordinators a task (docs/clocks.md).
MISSING_TRIGGER_EPISODES = int(os.environ.get("MISSING_TRIGGER_EPISODES", "3"))
MISSING_TRIGGER_DAYS = int(os.environ.get("MISSING_TRIGGER_DAYS", "30"))
# A return home interview is due this many clock hours after the return (through nights,
# weekends and bank holidays); the team is reminded this many hours before it runs out.
RETURN_INTERVIEW_HOURS = int(os.environ.get("RETURN_INTERVIEW_HOURS", "72"))
RETURN_INTERVIEW_WARNING_HOURS = int(os.environ.get("RETURN_INTERVIEW_WARNING_HOURS", "24"))
# The team that offers return home interviews (its name; the first active one so named).
RETURN_INTERVIEW_TEAM = os.environ.get("RETURN_INTERVIEW_TEAM", "Return home interviews")
# Missing episodes are numbered PREFIX-YEAR-NNNNNN.
MISSING_REFERENCE_PREFIX = os.environ.get("MISSING_REFERENCE_PREFIX", "MIS")
# Uploads larger than this are refused before they reach the attachment checks.
DATA_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 11 * 1024 * 1024

# --- API for partner agencies' own systems ----------------------------------------------
# Requests a minute one API token may send (0: no limit); beyond them the answer is 429.
API_TOKEN_REQUESTS_PER_MINUTE = int(os.environ.get("API_TOKEN_REQUESTS_PER_MINUTE", "120"))
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "referrals.api.authentication.HashedTokenAuthentication",
        # A browser session counts only once it has passed its second factor.
        "agencies.two_factor_middleware.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "referrals.api.pagination.ApiPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": ["referrals.api.authentication.TokenRateThrottle"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Safeguarding Panels API",
    "DESCRIPTION": "Referrals and contributions for partner agencies' own systems. "
    "OFFICIAL-SENSITIVE. Token authentication per person; the same access rules as the pages. "
    "Each token may send a limited number of requests a minute: beyond them the answer is 429 "
    "with Retry-After.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}
# Actions: "due soon" within this many working days; escalated when overdue by more.
ACTION_DUE_SOON_WORKING_DAYS = int(os.environ.get("ACTION_DUE_SOON_WORKING_DAYS", "2"))
ACTION_ESCALATE_AFTER_WORKING_DAYS = int(os.environ.get("ACTION_ESCALATE_AFTER_WORKING_DAYS", "5"))
# Working hours for the screening clocks, Europe/London, where a hub sets none of its own.
WORKING_DAY_START = env_time("WORKING_DAY_START", "09:00")
WORKING_DAY_END = env_time("WORKING_DAY_END", "17:00")
if WORKING_DAY_START >= WORKING_DAY_END:
    refuse_to_start("WORKING_DAY_START must be earlier than WORKING_DAY_END")
