from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    default = True
    name = "bawaba.accounts"
    label = "accounts"
    verbose_name = "Accounts"


class BawabaAdminConfig(admin_apps.AdminConfig):
    """Django's admin with the platform's own site: platform administrators with a second factor only."""

    default = False
    default_site = "bawaba.accounts.admin_site.BawabaAdminSite"
