"""Reading the published catalogue. Everything here is public: no personal data lives in the catalogue."""

from django.db.models import Count, Prefetch, Q, QuerySet

from bawaba.core.text import words

from .models import Agency, Category, LifeEvent, Service, ServiceChannel
from .revision import current as catalogue_revision

__all__ = [
    "agency_get",
    "agency_list",
    "catalogue_revision",
    "category_get",
    "category_list",
    "life_event_get",
    "life_event_list",
    "service_get",
    "service_list",
    "service_lookup",
    "service_to_file",
    "services_popular",
]


def _active() -> QuerySet[Service]:
    return (
        Service.objects.filter(status=Service.Status.ACTIVE)
        .select_related("agency", "category")
        .prefetch_related(Prefetch("channels", queryset=ServiceChannel.objects.order_by("id")))
    )


def service_list(
    *,
    agency: str | None = None,
    category: str | None = None,
    life_event: str | None = None,
    channel: str | None = None,
) -> QuerySet[Service]:
    services = _active()
    if agency:
        services = services.filter(agency__code=agency)
    if category:
        services = services.filter(category__code=category)
    if life_event:
        services = services.filter(life_events__code=life_event)
    if channel:
        services = services.filter(channels__channel=channel)
    return services.order_by("-popularity", "code").distinct()


def service_get(*, code: str) -> Service | None:
    return (
        _active().select_related("current_version").prefetch_related("life_events").filter(code=code).first()
    )


def service_to_file(*, code: str) -> Service | None:
    """The service with what filing it reads (agency, current version), without the catalogue page's lists."""
    return (
        Service.objects.filter(status=Service.Status.ACTIVE, code=code)
        .select_related("agency", "current_version")
        .first()
    )


def services_popular(*, limit: int = 8) -> QuerySet[Service]:
    return _active().order_by("-popularity", "code")[:limit]


def service_lookup(*, query: str, limit: int = 50) -> QuerySet[Service]:
    """Plain lookup: every normalised word of the query appears in the service's search text."""
    terms = words(query)[:8]
    if not terms:
        return Service.objects.none()
    condition = Q()
    for term in terms:
        condition &= Q(search_text__contains=term)
    return _active().filter(condition).order_by("-popularity", "code")[:limit]


def _with_counts(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        service_count=Count("services", filter=Q(services__status=Service.Status.ACTIVE), distinct=True)
    )


# Aggregating queries drop Meta.ordering, so each list states its order.
def agency_list(*, language: str = "ar") -> QuerySet[Agency]:
    return _with_counts(Agency.objects.all()).filter(service_count__gt=0).order_by(f"name_{language}", "code")


def agency_get(*, code: str) -> Agency | None:
    return Agency.objects.filter(code=code).first()


def category_list() -> QuerySet[Category]:
    return _with_counts(Category.objects.all()).order_by("order", "code")


def category_get(*, code: str) -> Category | None:
    return Category.objects.filter(code=code).first()


def life_event_list() -> QuerySet[LifeEvent]:
    return _with_counts(LifeEvent.objects.all()).filter(service_count__gt=0).order_by("order", "code")


def life_event_get(*, code: str) -> LifeEvent | None:
    return LifeEvent.objects.filter(code=code).first()
