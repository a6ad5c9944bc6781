"""Settings of the daphne process that benchmarks/http_pages.py starts: the project's own, plus
the bare views it is compared with (benchmarks/http_urls.py). No production URL is added: this
module is used by the benchmark only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.http_urls"
