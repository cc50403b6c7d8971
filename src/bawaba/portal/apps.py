from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bawaba.portal"
    label = "portal"
    verbose_name = "Citizen portal"
