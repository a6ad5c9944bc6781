"""Settings of the daphne process that benchmarks/submit_referral.py starts: the project's own,
plus one URL for the bare view it is compared with (benchmarks/submit_urls.py), and the
database connections production has (psycopg's pool with production's sizes, as
config/settings.py sets it when DJANGO_ENV=production; BENCH_DATABASE=per-call for a new
connection per request). No production URL is added: this module is used by the benchmark
only."""

import os

from config.settings import *  # noqa: F403
from config.settings import DATABASE_POOL_DEFAULTS, DATABASES

if os.environ.get("BENCH_DATABASE", "pool") == "pool":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = dict(DATABASE_POOL_DEFAULTS)

ROOT_URLCONF = "benchmarks.submit_urls"
