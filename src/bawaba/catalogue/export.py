"""A published service as plain data: the shape of `catalogue export` and of the public API."""

from .models import Service


def service_export(service: Service) -> dict:
    definition = service.definition
    return {
        "code": service.code,
        "name_ar": service.name_ar,
        "name_en": service.name_en,
        "summary_ar": service.summary_ar,
        "summary_en": service.summary_en,
        "agency": service.agency.code,
        "category": service.category.code,
        "life_events": list(definition.get("life_events", [])),
        "kind": service.kind,
        "audience": list(definition.get("audience", [])),
        "channels": [c.channel for c in service.channels.all()],
        "assurance": service.assurance,
        "sla_working_days": service.sla_working_days,
        "fees": definition.get("fees", {"currency": None, "rules": []}),
        "documents": definition.get("documents", []),
        "version": service.current_version.number if service.current_version_id else None,
    }
