"""WSGI entry point of the sandbox payment gateway: `bawaba paygw serve` runs it with gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bawaba.paygw.settings")

application = get_wsgi_application()

from . import webhooks  # noqa: E402 (needs the settings above)

# The webhook sender runs in the serving process, beside the request threads.
webhooks.start()
