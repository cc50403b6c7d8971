"""Platform admins see the catalogue; changes are published from definition files, not edited here."""

from django.contrib import admin

from .models import Agency, Category, LifeEvent, Service, ServiceVersion


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_ar", "name_en"]
    search_fields = ["code", "name_ar", "name_en"]


@admin.register(Category, LifeEvent)
class TaxonomyAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_ar", "name_en", "order"]


@admin.register(Service)
class ServiceAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_ar", "agency", "kind", "status", "current_version"]
    list_filter = ["kind", "status", "agency"]
    search_fields = ["code", "name_ar", "name_en"]


@admin.register(ServiceVersion)
class ServiceVersionAdmin(ReadOnlyAdmin):
    list_display = ["service", "number", "published_by", "created_at"]
    list_filter = ["service__agency"]
