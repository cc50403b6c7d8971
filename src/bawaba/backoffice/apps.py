from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "bawaba.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
