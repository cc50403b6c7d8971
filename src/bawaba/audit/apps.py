from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "bawaba.audit"
    label = "audit"
    verbose_name = "Audit"
