from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    name = "bawaba.catalogue"
    label = "catalogue"
    verbose_name = "Service catalogue"
