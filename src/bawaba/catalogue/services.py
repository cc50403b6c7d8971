"""Publishing the catalogue: taxonomy, agencies and services, each change versioned, audited and announced."""

from dataclasses import dataclass, field

from django.db import transaction

from bawaba.audit.services import audit_record
from bawaba.core.text import normalise
from bawaba.events.services import event_emit

from . import revision
from .definitions_loader import AgencyFile, Catalogue, Taxonomy, definition_hash
from .models import Agency, Category, Channel, LifeEvent, Service, ServiceChannel, ServiceVersion

__all__ = ["PublishReport", "catalogue_publish"]


@dataclass
class PublishReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    withdrawn: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.withdrawn)


def catalogue_publish(*, catalogue: Catalogue, actor: str) -> PublishReport:
    """Publish every valid file of a read catalogue; each agency file in its own transaction."""
    report = PublishReport()
    if catalogue.taxonomy is None:
        return report
    _taxonomy_publish(taxonomy=catalogue.taxonomy, actor=actor)
    for agency_file in catalogue.files:
        _agency_file_publish(agency_file=agency_file, actor=actor, report=report)
    return report


@transaction.atomic
def _taxonomy_publish(*, taxonomy: Taxonomy, actor: str) -> None:
    changed = _upsert_entries(Category, taxonomy.categories) | _upsert_entries(
        LifeEvent, taxonomy.life_events
    )
    if changed:
        audit_record(
            action="catalogue.taxonomy.published",
            actor=actor,
            subject_type="taxonomy",
            subject_id="taxonomy",
            data={"changed": sorted(changed)},
        )
        transaction.on_commit(revision.bump)


def _upsert_entries(model, entries: list[dict]) -> set[str]:
    changed = set()
    for entry in entries:
        values = {
            "name_ar": entry["name"]["ar"],
            "name_en": entry["name"]["en"],
            "description_ar": entry["description"]["ar"],
            "description_en": entry["description"]["en"],
            "icon": entry["icon"],
            "order": entry.get("order", 100),
        }
        obj, created = model.objects.get_or_create(code=entry["code"], defaults=values)
        if created or any(getattr(obj, k) != v for k, v in values.items()):
            for key, value in values.items():
                setattr(obj, key, value)
            obj.save()
            changed.add(f"{model._meta.model_name}:{entry['code']}")
    return changed


@transaction.atomic
def _agency_file_publish(*, agency_file: AgencyFile, actor: str, report: PublishReport) -> None:
    data = agency_file.agency
    agency_values = {
        "name_ar": data["name"]["ar"],
        "name_en": data["name"]["en"],
        "short_name_ar": data.get("short_name", {}).get("ar", ""),
        "short_name_en": data.get("short_name", {}).get("en", ""),
        "description_ar": data["description"]["ar"],
        "description_en": data["description"]["en"],
        "website": data.get("website", ""),
        "phone": data.get("phone", ""),
        "email": data.get("email", ""),
    }
    agency, _ = Agency.objects.update_or_create(code=data["code"], defaults=agency_values)
    categories = {c.code: c for c in Category.objects.all()}
    life_events = {e.code: e for e in LifeEvent.objects.all()}
    existing = {s.code: s for s in Service.objects.filter(agency=agency).select_related("current_version")}
    source = agency_file.path.name

    for definition in agency_file.services:
        code = definition["code"]
        service = (
            existing.pop(code, None)
            or Service.objects.filter(code=code).select_related("current_version").first()
        )
        digest = definition_hash(definition)
        if (
            service
            and service.current_version
            and service.current_version.content_hash == digest
            and service.status == Service.Status.ACTIVE
            and service.agency_id == agency.pk
        ):
            report.unchanged.append(code)
            continue
        is_new = service is None
        service = service or Service(code=code)
        _project(service, definition, agency, categories[definition["category"]])
        service.save()
        if is_new or service.current_version is None or service.current_version.content_hash != digest:
            number = (service.current_version.number if service.current_version else 0) + 1
            version = ServiceVersion.objects.create(
                service=service,
                number=number,
                definition=definition,
                content_hash=digest,
                source=source,
                published_by=actor,
            )
            service.current_version = version
            service.save(update_fields=["current_version"])
        service.life_events.set([life_events[e] for e in definition.get("life_events", [])])
        ServiceChannel.objects.filter(service=service).delete()
        # Rows in the platform's channel order, so every page lists channels the same way.
        channels = [c for c in Channel.values if c in definition["channels"]]
        ServiceChannel.objects.bulk_create(ServiceChannel(service=service, channel=c) for c in channels)
        (report.created if is_new else report.updated).append(code)
        audit_record(
            action="catalogue.service.published",
            actor=actor,
            subject_type="service",
            subject_id=code,
            data={"version": service.current_version.number, "hash": digest, "source": source},
        )
        event_emit(
            name="catalogue.service.published",
            payload={"code": code, "version": service.current_version.number, "agency": agency.code},
        )

    for code, service in existing.items():
        if service.status != Service.Status.WITHDRAWN:
            service.status = Service.Status.WITHDRAWN
            service.save(update_fields=["status", "updated_at"])
            report.withdrawn.append(code)
            audit_record(
                action="catalogue.service.withdrawn",
                actor=actor,
                subject_type="service",
                subject_id=code,
                data={"source": source},
            )
            event_emit(name="catalogue.service.withdrawn", payload={"code": code, "agency": agency.code})
    transaction.on_commit(revision.bump)


def _project(service: Service, definition: dict, agency: Agency, category: Category) -> None:
    """Copy what listing and filtering need from the definition onto the service row."""
    service.agency = agency
    service.category = category
    service.status = Service.Status.ACTIVE
    service.name_ar, service.name_en = definition["name"]["ar"], definition["name"]["en"]
    service.summary_ar, service.summary_en = definition["summary"]["ar"], definition["summary"]["en"]
    service.kind = definition["kind"]
    service.assurance = definition["assurance"]
    service.sla_working_days = definition["sla_working_days"]
    service.popularity = definition.get("popularity", 0)
    service.search_text = normalise(" ".join(_search_words(definition)))


def _search_words(definition: dict) -> list[str]:
    words = [definition["code"].replace(".", " ").replace("-", " ")]
    words += [definition["name"]["ar"], definition["name"]["en"]]
    for key in ("synonyms", "keywords", "phrasings"):
        for language in ("ar", "en"):
            words += definition.get(key, {}).get(language, [])
    return words
