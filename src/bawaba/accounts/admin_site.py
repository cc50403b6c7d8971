"""Django's admin, opened only to platform administrators signed in with a second factor."""

from django.contrib.admin import AdminSite
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from .permissions import can_use_django_admin
from .session_assurance import session_level


class BawabaAdminSite(AdminSite):
    site_header = "Bawaba"
    site_title = "Bawaba"

    def has_permission(self, request):
        return can_use_django_admin(request.user, session_level=session_level(request))

    def login(self, request, extra_context=None):
        # Staff always sign in through the staff sign-in, which asks for the second factor.
        target = request.GET.get("next") or reverse("admin:index")
        return redirect(f"{reverse('portal:staff_sign_in')}?{urlencode({'next': target})}")
