"""Applications: what a citizen filed, under which version of the service, where it stands, and its history."""

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.catalogue.models import Service, ServiceVersion
from bawaba.core.models import BaseModel
from bawaba.workflows.engine import Clock


class Application(BaseModel):
    reference = models.CharField(_("reference"), max_length=20, unique=True)
    service = models.ForeignKey(Service, on_delete=models.PROTECT, related_name="applications")
    # The version filed under: its form, workflow and fees stay those the citizen saw.
    service_version = models.ForeignKey(ServiceVersion, on_delete=models.PROTECT, related_name="applications")
    agency = models.SlugField(_("agency code"), max_length=60, db_index=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications",
        help_text=_("The person the application is for."),
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="applications_filed",
        help_text=_("Who filed it: the applicant, a parent, a representative or a service-centre agent."),
    )
    workflow = models.CharField(_("workflow"), max_length=60)
    state = models.CharField(_("state"), max_length=60, db_index=True)
    state_since = models.DateTimeField(_("in this state since"))
    answers = models.JSONField(_("answers"), default=dict)
    fees_due = models.PositiveIntegerField(_("fees due (minor units)"), default=0)
    fees_paid = models.BooleanField(_("fees paid"), default=False)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), db_index=True)
    # The agency's last working day under the SLA, while its clock runs: the work queue sorts by it.
    due_on = models.DateField(_("due on"), null=True, blank=True)
    # What the SLA clock does in the current state, so the queue can tell paused work from decided work.
    clock = models.CharField(
        _("SLA clock"),
        max_length=10,
        choices=[
            (Clock.RUNNING.value, _("running")),
            (Clock.PAUSED.value, _("paused")),
            (Clock.STOPPED.value, _("stopped")),
        ],
        default=Clock.RUNNING.value,
    )
    # When it reached a final state; open applications have none.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set once, by the SLA sweep, when the due date passed: the escalation the supervisor sees.
    sla_breached_at = models.DateTimeField(_("SLA breached at"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications_assigned",
    )
    # The officer who proposed an approval that a second officer must confirm (four eyes).
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Bumped by every change: two officers acting on the same version, one wins and the other is told.
    revision = models.PositiveIntegerField(_("revision"), default=1)
    # The same submission sent twice (a double click, a retried request) is one application.
    submission_key = models.CharField(_("submission key"), max_length=64)

    class Meta:
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["filed_by", "submission_key"], name="cases_submitted_once"),
        ]
        indexes = [
            models.Index(fields=["applicant", "-submitted_at"], name="cases_by_applicant"),
            models.Index(fields=["agency", "state", "due_on"], name="cases_queue"),
            models.Index(fields=["clock", "due_on"], name="cases_sla_sweep"),
            models.Index(fields=["agency", "assignee", "closed_at"], name="cases_workload"),
        ]

    def __str__(self) -> str:
        return self.reference


class TimelineEntry(models.Model):
    """One step of an application's history, in the order it happened."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField(_("at"))
    action = models.CharField(_("action"), max_length=60)
    from_state = models.CharField(_("from state"), max_length=60, blank=True)
    to_state = models.CharField(_("to state"), max_length=60)
    actor = models.CharField(_("actor"), max_length=200)
    role = models.CharField(_("role"), max_length=20)
    # What the person wrote: the reason for a decision, the question to the citizen, their answer.
    text = models.TextField(_("text"), blank=True)
    visible_to_applicant = models.BooleanField(_("visible to the applicant"), default=True)

    class Meta:
        verbose_name = _("timeline entry")
        verbose_name_plural = _("timeline entries")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.from_state} → {self.to_state}"


class InternalNote(models.Model):
    """What staff write about an application for each other; the applicant never sees it."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField(_("at"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("text"))

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.application_id}: {self.text[:40]}"
