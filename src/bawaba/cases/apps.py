from datetime import timedelta

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "bawaba.cases"
    verbose_name = _("Applications")

    def ready(self):
        from bawaba.core.periodic import periodic_register

        from . import payments, refunds  # noqa: F401 (register their event subscribers)
        from .tasks import sla_sweep

        periodic_register(sla_sweep, every=timedelta(minutes=settings.BAWABA_SLA_SWEEP_MINUTES))
