"""Root URLs: language-prefixed pages (/ar/…, /en/…), the versioned API, health and admin."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from bawaba.api.urls import api
from bawaba.core.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("api/v1/", api.urls),
]
urlpatterns += i18n_patterns(
    path("", include("bawaba.portal.urls")),
    path("staff/", include("bawaba.backoffice.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)
