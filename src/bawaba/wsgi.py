"""WSGI entry point for gunicorn: `gunicorn bawaba.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bawaba.settings.production")

application = get_wsgi_application()
