"""/api/v1/services: the published catalogue for other systems and apps."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.decorators import decorate_view
from ninja.pagination import PageNumberPagination, paginate

from bawaba.catalogue import selectors
from bawaba.catalogue.export import service_export
from bawaba.core.response_cache import anonymous_response_cache

from .schemas import ChannelName, Error, ServiceDetail, ServiceSummary

router = Router(tags=["services"])


class ServiceFilters(Schema):
    agency: str | None = None
    category: str | None = None
    life_event: str | None = None
    channel: ChannelName | None = None


class ServicePage(PageNumberPagination):
    """Page numbers with a bounded page size; only the page's rows are read and exported."""

    class Input(Schema):
        page: int = 1
        page_size: int = 50

    def paginate_queryset(self, queryset, pagination, **params):
        pagination.page_size = max(1, min(pagination.page_size, 200))
        pagination.page = max(1, pagination.page)
        offset = (pagination.page - 1) * pagination.page_size
        rows = queryset[offset : offset + pagination.page_size]
        return {"items": [service_export(service) for service in rows], "count": self._items_count(queryset)}


def catalogue_cache(*, params: tuple[str, ...] = ()):
    return decorate_view(anonymous_response_cache(version=selectors.catalogue_revision, params=params))


@router.get("", response=list[ServiceSummary], summary="List published services")
@catalogue_cache(params=("agency", "category", "life_event", "channel", "page", "page_size"))
@paginate(ServicePage)
def list_services(request, filters: Query[ServiceFilters]):
    return selectors.service_list(**filters.dict()).select_related("current_version")


@router.get("/{code}", response={200: ServiceDetail, 404: Error}, summary="One published service")
@catalogue_cache()
def get_service(request, code: str):
    service = selectors.service_get(code=code)
    if service is None:
        return Status(404, {"detail": _("There is no service with this code.")})
    definition = service.definition
    return {
        **service_export(service),
        "description": definition["description"],
        "eligibility": definition.get("eligibility"),
        "documents": definition.get("documents", []),
        "faqs": definition.get("faqs", []),
        "synonyms": definition.get("synonyms", {}),
        "keywords": definition.get("keywords", {}),
    }
