"""The citizen portal's public pages: home, browsing the catalogue, service pages, search and help."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bawaba.accounts.assurance import Level, needs_step_up
from bawaba.accounts.delegation import acting_for, delegation_allows
from bawaba.accounts.session_assurance import session_level
from bawaba.cases.service_parts import FILEABLE_KINDS
from bawaba.catalogue import selectors
from bawaba.catalogue.models import Channel
from bawaba.core.i18n import current_language
from bawaba.core.paging import page_get
from bawaba.core.response_cache import anonymous_response_cache

from . import apply_views, bill_views

PAGE_SIZE = 24


def anonymous_page_cache(*, params: tuple[str, ...] = ()):
    """Anonymous pages are cached until the published catalogue changes."""
    return anonymous_response_cache(version=selectors.catalogue_revision, params=params)


@anonymous_page_cache()
def home(request):
    return render(
        request,
        "portal/home.html",
        {
            "popular": selectors.services_popular(limit=8),
            "life_events": selectors.life_event_list(),
            "categories": selectors.category_list(),
            "agencies": selectors.agency_list(language=current_language()),
        },
    )


def _page(request, services):
    return page_get(services, request.GET.get("page"), PAGE_SIZE)


@anonymous_page_cache(params=("page", "channel"))
def service_list(request):
    channel = request.GET.get("channel") or None
    if channel not in (None, *Channel.values):
        channel = None
    return render(
        request,
        "portal/service_list.html",
        {
            "page": _page(request, selectors.service_list(channel=channel)),
            "channel": channel,
            "channels": Channel.choices,
        },
    )


@anonymous_page_cache()
def service_detail(request, code: str):
    service = selectors.service_get(code=code)
    if service is None:
        raise Http404(_("There is no service with this code."))
    return render(
        request, "portal/service_detail.html", {"service": service, "definition": service.definition}
    )


@login_required
def service_start(request, code: str):
    service = selectors.service_get(code=code)
    if service is None:
        raise Http404(_("There is no service with this code."))
    if needs_step_up(session_level(request), Level.named(service.assurance)):
        query = urlencode({"level": service.assurance, "next": request.get_full_path()})
        return redirect(f"{reverse('portal:step_up')}?{query}")
    delegation = acting_for(request)
    if delegation and not delegation_allows(delegation, service_code=service.code):
        return render(
            request,
            "portal/service_not_delegated.html",
            {"service": service, "delegation": delegation},
            status=403,
        )
    if service.definition.get("bills"):
        return bill_views.bills_page(request, service)
    if service.kind in FILEABLE_KINDS:
        return apply_views.start_page(request, service)
    return render(
        request, "portal/service_start.html", {"service": service, "definition": service.definition}
    )


@anonymous_page_cache()
def agency_list(request):
    return render(
        request, "portal/agency_list.html", {"agencies": selectors.agency_list(language=current_language())}
    )


@anonymous_page_cache(params=("page",))
def agency_detail(request, code: str):
    agency = selectors.agency_get(code=code)
    if agency is None:
        raise Http404(_("There is no agency with this code."))
    page = _page(request, selectors.service_list(agency=code))
    return render(request, "portal/agency_detail.html", {"agency": agency, "page": page})


@anonymous_page_cache()
def category_list(request):
    return render(request, "portal/category_list.html", {"categories": selectors.category_list()})


@anonymous_page_cache(params=("page",))
def category_detail(request, code: str):
    category = selectors.category_get(code=code)
    if category is None:
        raise Http404(_("There is no category with this code."))
    page = _page(request, selectors.service_list(category=code))
    return render(request, "portal/category_detail.html", {"category": category, "page": page})


@anonymous_page_cache()
def life_event_list(request):
    return render(request, "portal/life_event_list.html", {"life_events": selectors.life_event_list()})


@anonymous_page_cache(params=("page",))
def life_event_detail(request, code: str):
    life_event = selectors.life_event_get(code=code)
    if life_event is None:
        raise Http404(_("There is no life event with this code."))
    page = _page(request, selectors.service_list(life_event=code))
    return render(request, "portal/life_event_detail.html", {"life_event": life_event, "page": page})


@anonymous_page_cache(params=("q",))
def search(request):
    query = request.GET.get("q", "").strip()[:200]
    results = list(selectors.service_lookup(query=query)) if query else []
    return render(
        request,
        "portal/search.html",
        {
            "query": query,
            "results": results,
            "categories": selectors.category_list() if not results else None,
        },
    )


@anonymous_page_cache()
def help_page(request):
    return render(request, "portal/help.html")
