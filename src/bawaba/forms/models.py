"""What a citizen has filled in so far, and the files they uploaded for it.

A draft belongs to an account, not a browser: the citizen resumes it on another device. It records the version
of the service it was started under as plain values (this app does not know the catalogue), so a form changed
meanwhile is noticed and the answers are checked against the new one.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bawaba.core.models import BaseModel


class Draft(BaseModel):
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_drafts"
    )
    # The person the application will be for: the account holder, or someone they act for under a delegation.
    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    service_code = models.CharField(_("service code"), max_length=120)
    version_number = models.PositiveIntegerField(_("service version"))
    version_hash = models.CharField(_("service version content hash"), max_length=64)
    answers = models.JSONField(_("answers so far"), default=dict)
    step = models.CharField(_("current step"), max_length=60, blank=True)
    # Prefilled answers the citizen says are wrong: kept for the agency and the registry that holds them.
    reports = models.JSONField(_("reported prefilled answers"), default=list)
    # Issued when the review page is shown: the same key submitted twice files one application.
    submission_key = models.CharField(_("submission key"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    warned_at = models.DateTimeField(_("expiry warning sent at"), null=True, blank=True)
    # Once filed, the draft is kept a little while so that a retried submission finds what it filed.
    application = models.UUIDField(_("application filed"), null=True, blank=True)
    reference = models.CharField(_("reference of the application filed"), max_length=20, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("draft")
        verbose_name_plural = _("drafts")
        ordering = ["-updated_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["filed_by", "applicant", "service_code"], name="forms_one_draft_per_service"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.service_code} ({self.filed_by_id})"

    @property
    def submitted(self) -> bool:
        return self.application is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class Attachment(BaseModel):
    """An uploaded file: stored under a random name, checked by its content, readable by its uploader."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="form_attachments"
    )
    draft = models.ForeignKey(
        Draft, on_delete=models.SET_NULL, null=True, blank=True, related_name="attachments"
    )
    field = models.CharField(_("question"), max_length=100)
    file = models.FileField(_("file"), max_length=200)
    name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    # Set when the application is filed: from then on it is the application's document and the agency's staff
    # may read it; until then an attachment no draft refers to is an orphan, deleted by the sweep.
    application = models.UUIDField(_("application"), null=True, blank=True, db_index=True)
    agency = models.SlugField(_("agency code"), max_length=60, blank=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.name
