from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "bawaba.events"
    label = "events"
    verbose_name = "Events"
