from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FormsConfig(AppConfig):
    name = "bawaba.forms"
    label = "forms"
    verbose_name = _("E-forms")

    def ready(self):
        from bawaba.core.periodic import periodic_register

        from .tasks import drafts_sweep

        # Hourly: a warning goes out within the hour a draft enters its last days, and nothing waits long.
        periodic_register(drafts_sweep, every=timedelta(hours=1))
