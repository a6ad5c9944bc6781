"""Settings of the daphne process that benchmarks/submit_referral.py starts: the project's own,
plus one URL for the bare view it is compared with (benchmarks/submit_urls.py). No production
URL is added: this module is used by the benchmark only."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "benchmarks.submit_urls"
