"""Production settings plus the benchmark's URLs (the project's pages and two baseline views), its one table and
Server-Timing middleware (see bench/middleware.py). wrk plays the load balancer: it appends each simulated
visitor's address to X-Forwarded-For, which the platform trusts from one proxy as in production.

Used only by bench/run.py, with /work/main (the project folder) on PYTHONPATH.
"""

from bawaba.settings.production import *  # noqa: F403
from bawaba.settings.production import INSTALLED_APPS, MIDDLEWARE

ROOT_URLCONF = "bench.urls"
INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
MIDDLEWARE = ["bench.middleware.ServerTiming", *MIDDLEWARE]
BAWABA_TRUSTED_PROXIES = 1
