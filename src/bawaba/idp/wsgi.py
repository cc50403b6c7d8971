"""WSGI entry point of the demo identity provider: `bawaba idp serve` runs it with gunicorn."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bawaba.idp.settings")

application = get_wsgi_application()
