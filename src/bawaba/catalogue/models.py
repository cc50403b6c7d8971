"""The service catalogue: agencies, categories, life events, services and their published versions."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.core.i18n import BilingualMixin
from bawaba.core.models import BaseModel


class Kind(models.TextChoices):
    INFORMATION = "information", _("Information")
    INQUIRY = "inquiry", _("Instant inquiry")
    APPLICATION = "application", _("Application")
    PAYMENT = "payment", _("Payment")


class Channel(models.TextChoices):
    ONLINE = "online", _("Online")
    MOBILE = "mobile", _("Mobile app")
    KIOSK = "kiosk", _("Kiosk")
    CENTRE = "centre", _("Service centre")
    ABROAD = "abroad", _("From abroad")


class Assurance(models.TextChoices):
    LOW = "low", _("Low")
    SUBSTANTIAL = "substantial", _("Substantial")
    HIGH = "high", _("High")


class Agency(BilingualMixin, BaseModel):
    bilingual_fields = ("name", "short_name", "description")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    short_name_ar = models.CharField(_("short name (Arabic)"), max_length=100, blank=True)
    short_name_en = models.CharField(_("short name (English)"), max_length=100, blank=True)
    description_ar = models.TextField(_("description (Arabic)"))
    description_en = models.TextField(_("description (English)"))
    website = models.URLField(_("website"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.code


class TaxonomyEntry(BilingualMixin, BaseModel):
    """A heading services are filed under: a category or a life event, from taxonomy.yaml."""

    bilingual_fields = ("name", "description")

    code = models.SlugField(_("code"), max_length=60, unique=True)
    name_ar = models.CharField(_("name (Arabic)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)
    description_ar = models.TextField(_("description (Arabic)"))
    description_en = models.TextField(_("description (English)"))
    icon = models.CharField(_("icon"), max_length=40)
    order = models.IntegerField(_("order"), default=100)

    class Meta:
        abstract = True
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.code


class Category(TaxonomyEntry):
    class Meta(TaxonomyEntry.Meta):
        verbose_name = _("category")
        verbose_name_plural = _("categories")


class LifeEvent(TaxonomyEntry):
    class Meta(TaxonomyEntry.Meta):
        verbose_name = _("life event")
        verbose_name_plural = _("life events")


class Service(BilingualMixin, BaseModel):
    """A service's stable identity and a projection of its current version, for listing and filtering."""

    bilingual_fields = ("name", "summary")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    code = models.CharField(_("code"), max_length=120, unique=True)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="services")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="services")
    life_events = models.ManyToManyField(LifeEvent, related_name="services", blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status, default=Status.ACTIVE, db_index=True
    )
    current_version = models.ForeignKey(
        "ServiceVersion", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    name_ar = models.CharField(_("name (Arabic)"), max_length=300)
    name_en = models.CharField(_("name (English)"), max_length=300)
    summary_ar = models.TextField(_("summary (Arabic)"))
    summary_en = models.TextField(_("summary (English)"))
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    assurance = models.CharField(_("minimum assurance level"), max_length=12, choices=Assurance)
    sla_working_days = models.PositiveSmallIntegerField(_("time to complete (working days)"))
    popularity = models.PositiveSmallIntegerField(_("popularity"), default=0, db_index=True)
    search_text = models.TextField(_("normalised search text"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("service")
        verbose_name_plural = _("services")

    def __str__(self) -> str:
        return self.code

    @property
    def definition(self) -> dict:
        return self.current_version.definition if self.current_version_id else {}


class ServiceChannel(models.Model):
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="channels")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["service", "channel"], name="catalogue_channel_once")]
        indexes = [models.Index(fields=["channel", "service"])]

    def __str__(self) -> str:
        return f"{self.service_id}:{self.channel}"


class ServiceVersion(BaseModel):
    """One published definition of a service; never changed once written (applications point here)."""

    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    content_hash = models.CharField(_("content hash"), max_length=64)
    source = models.CharField(_("source file"), max_length=300, blank=True)
    published_by = models.CharField(_("published by"), max_length=200)

    class Meta:
        ordering = ["service", "number"]
        constraints = [
            models.UniqueConstraint(fields=["service", "number"], name="catalogue_version_number_once")
        ]
        verbose_name = _("service version")
        verbose_name_plural = _("service versions")

    def __str__(self) -> str:
        return f"{self.service_id} v{self.number}"
