from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "bawaba.payments"
    label = "payments"
    verbose_name = "Payments"
