"""Catalogue factories, with a trait per lifecycle state of a service."""

import factory

from bawaba.catalogue.definitions_loader import definition_hash
from bawaba.catalogue.models import Agency, Category, Service, ServiceChannel, ServiceVersion


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name_ar = factory.Sequence(lambda n: f"الجهة {n}")
    name_en = factory.Sequence(lambda n: f"Agency {n}")
    description_ar = "جهة حكومية"
    description_en = "A government agency"


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"category-{n}")
    name_ar = factory.Sequence(lambda n: f"فئة {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")
    description_ar = "وصف"
    description_en = "Description"
    icon = "info"


def _definition(service: Service) -> dict:
    return {
        "code": service.code,
        "name": {"ar": service.name_ar, "en": service.name_en},
        "summary": {"ar": service.summary_ar, "en": service.summary_en},
        "description": {"ar": "وصف الخدمة", "en": "What the service does"},
        "category": service.category.code,
        "kind": service.kind,
        "audience": ["citizen"],
        "channels": ["online"],
        "assurance": service.assurance,
        "sla_working_days": service.sla_working_days,
        "fees": {
            "currency": "EGP",
            "rules": [{"kind": "fixed", "label": {"ar": "رسم", "en": "Fee"}, "amount": 5000}],
        },
    }


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"test.service-{n}.issue")
    agency = factory.SubFactory(AgencyFactory)
    category = factory.SubFactory(CategoryFactory)
    name_ar = factory.Sequence(lambda n: f"خدمة تجريبية {n}")
    name_en = factory.Sequence(lambda n: f"Test service {n}")
    summary_ar = "ملخص"
    summary_en = "Summary"
    kind = "application"
    assurance = "substantial"
    sla_working_days = 5
    popularity = 10

    class Params:
        withdrawn = factory.Trait(status=Service.Status.WITHDRAWN)

    @factory.post_generation
    def published(self, create, extracted, **kwargs):
        if not create:
            return
        definition = _definition(self)
        self.current_version = ServiceVersion.objects.create(
            service=self,
            number=1,
            definition=definition,
            content_hash=definition_hash(definition),
            published_by="test",
        )
        self.save(update_fields=["current_version"])
        ServiceChannel.objects.create(service=self, channel="online")
