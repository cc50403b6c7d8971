from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "bawaba.demo"
    label = "demo"
    verbose_name = "Demo data"
