"""Production settings plus the benchmark's URLs (the project's pages and a minimal baseline view).

Used only by bench/run.py, with /work/main (the project folder) on PYTHONPATH.
"""

from bawaba.settings.production import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
