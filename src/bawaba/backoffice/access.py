"""Who gets past the door of a staff page: signed-in staff with a second factor, then the page's own rule."""

from dataclasses import dataclass
from functools import wraps

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from bawaba.accounts.permissions import is_staff_member, staff_needs_second_factor
from bawaba.accounts.session_assurance import session_level
from bawaba.catalogue.selectors import agency_get


@dataclass(frozen=True)
class AgencyShown:
    code: str
    name: str
    short_name: str


def agency_shown(code: str) -> AgencyShown:
    """An agency as pages name it: its catalogue names in the current language, else its code."""
    agency = agency_get(code=code)
    if agency is None:
        return AgencyShown(code, code, code)
    return AgencyShown(code, agency.name, agency.short_name or agency.name)


def forbidden(request):
    # The same page for every refusal: it tells a visitor nothing about what lies behind it.
    return render(request, "backoffice/forbidden.html", status=403)


def to_staff_sign_in(request):
    query = urlencode({"next": request.get_full_path()})
    return redirect(f"{reverse('portal:staff_sign_in')}?{query}")


def staff_page(view):
    """Staff only, and never on a password alone: anyone else signs in as staff or is refused."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        user = request.user
        if not user.is_authenticated:
            return to_staff_sign_in(request)
        if not is_staff_member(user):
            return forbidden(request)
        if staff_needs_second_factor(user, session_level=session_level(request)):
            return to_staff_sign_in(request)
        return view(request, *args, **kwargs)

    return wrapper


def agency_page(permission):
    """A page about one agency (the `agency` URL argument), for those `permission(user, agency=…)` lets in."""

    def decorate(view):
        @staff_page
        @wraps(view)
        def wrapper(request, agency: str, *args, **kwargs):
            if not permission(request.user, agency=agency):
                return forbidden(request)
            return view(request, agency_shown(agency), *args, **kwargs)

        return wrapper

    return decorate
