from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "bawaba.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self):
        from datetime import timedelta

        from bawaba.core.periodic import periodic_register

        from . import bills  # noqa: F401  (its event subscriber)
        from .tasks import settlement_reconcile

        periodic_register(settlement_reconcile, every=timedelta(days=1))
