from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "bawaba.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from .lanes import lanes_register

        lanes_register()
