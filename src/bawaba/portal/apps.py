from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "bawaba.portal"
    label = "portal"
    verbose_name = "Citizen portal"

    def ready(self):
        from . import draft_messages  # noqa: F401 (registers its event subscriber)
