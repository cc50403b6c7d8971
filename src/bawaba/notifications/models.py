"""The message outbox, the wording of each notice, and what each person wants to receive.

Every message is stored before it is sent, in the transaction of the write that causes it, so none is lost; a
dispatcher claims the due ones in batches and records what became of each (see dispatch.py).
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    EMAIL = "email", _("e-mail")
    INAPP = "inapp", _("in the portal")


class Message(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", _("waiting to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("handed to the provider")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")

    class Priority(models.IntegerChoices):
        NORMAL = 0, _("normal")
        URGENT = 1, _("urgent")  # codes: a lane of their own that no bulk sending can hold up

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="messages",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel)
    to = models.CharField(_("to"), max_length=254, db_index=True)
    kind = models.CharField(
        _("kind"), max_length=60, help_text=_("What the message is about, e.g. application.submitted.")
    )
    language = models.CharField(_("language"), max_length=2, default="ar")
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("body"), blank=True)
    sealed_body = models.BinaryField(_("sealed body"), null=True, blank=True)
    values = models.JSONField(
        _("values"), default=dict, blank=True, help_text=_("What filled the notice's placeholders.")
    )
    reference = models.CharField(_("application reference"), max_length=30, blank=True, db_index=True)
    priority = models.PositiveSmallIntegerField(_("priority"), choices=Priority, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.QUEUED)
    due_at = models.DateTimeField(
        _("due at"), default=timezone.now, help_text=_("Not sent before (quiet hours, a retry's wait).")
    )
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    claimed_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    provider = models.CharField(_("provider"), max_length=40, blank=True)
    provider_reference = models.CharField(_("provider reference"), max_length=120, blank=True)
    segments = models.PositiveSmallIntegerField(_("SMS parts"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    group = models.UUIDField(_("notice group"), null=True, blank=True, db_index=True)
    fallback_from = models.OneToOneField(
        "self",
        verbose_name=_("sent instead of"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="fallback",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [
            # What the dispatcher claims: the due messages of a channel, most urgent first.
            models.Index(fields=["channel", "status", "priority", "due_at"], name="notif_message_due"),
            models.Index(fields=["provider", "provider_reference"], name="notif_message_provider_ref"),
            models.Index(fields=["recipient", "channel", "read_at"], name="notif_message_inbox"),
            models.Index(fields=["status", "created_at"], name="notif_message_status"),
        ]

    def __str__(self) -> str:
        return f"{self.channel} {self.kind} → {self.to}: {self.status}"


class Template(models.Model):
    """An administrator's wording of one notice in one language; without one, the shipped wording is used."""

    notice = models.CharField(_("notice"), max_length=60)
    language = models.CharField(_("language"), max_length=2)
    sms = models.TextField(_("SMS text"))
    subject = models.CharField(
        _("title"), max_length=200, help_text=_("The e-mail's subject, the inbox title.")
    )
    body = models.TextField(_("e-mail and inbox text"))
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    updated_by = models.CharField(_("updated by"), max_length=200)

    class Meta:
        verbose_name = _("notice template")
        verbose_name_plural = _("notice templates")
        constraints = [
            models.UniqueConstraint(fields=["notice", "language"], name="notif_template_once_per_language")
        ]

    def __str__(self) -> str:
        return f"{self.notice} ({self.language})"


class Preference(models.Model):
    """How a person wants to hear from the portal. The inbox in the portal always keeps a copy."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    sms = models.BooleanField(_("by SMS"), default=True)
    email = models.BooleanField(_("by e-mail"), default=True)
    quiet_hours = models.BooleanField(_("quiet hours"), default=True)
    quiet_from = models.TimeField(_("quiet from"), default="22:00")
    quiet_until = models.TimeField(_("quiet until"), default="07:00")

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"preferences of {self.user_id}"
