"""What the platform asks to be paid and what the gateway says of it.

An intent is one sum owed for one purpose (an application's fees, a fine, a bill), paid through one gateway
payment; the gateway's signed events are kept once each, so a webhook sent twice is recorded once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.core.models import BaseModel


class Intent(BaseModel):
    class Status(models.TextChoices):
        OPEN = "open", _("waiting for payment")
        SUCCEEDED = "succeeded", _("paid")
        FAILED = "failed", _("cancelled")
        MISMATCH = "mismatch", _("paid a different amount")  # held for finance staff, never counted as paid

    purpose = models.CharField(
        _("purpose"), max_length=120, help_text=_("What is paid for, e.g. application:<uuid>.")
    )
    reference = models.CharField(_("reference"), max_length=64, help_text=_("Given to the gateway."))
    description = models.CharField(_("description"), max_length=200, blank=True)
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("payer"), on_delete=models.PROTECT, related_name="+"
    )
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    gateway = models.CharField(_("gateway"), max_length=40)
    gateway_payment = models.CharField(_("gateway payment id"), max_length=120, blank=True)
    pay_url = models.URLField(_("payment page"), max_length=2000, blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    last_sequence = models.PositiveIntegerField(_("last gateway event"), default=0)
    decline_reason = models.CharField(_("last decline"), max_length=60, blank=True)
    paid_at = models.DateTimeField(_("paid at"), null=True, blank=True)
    paid_amount = models.PositiveBigIntegerField(_("amount the gateway took"), null=True, blank=True)
    receipt_number = models.CharField(_("receipt number"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("payment intent")
        verbose_name_plural = _("payment intents")
        constraints = [
            # One sum owed at a time for a purpose: paying it twice is never possible.
            models.UniqueConstraint(
                fields=["purpose"], condition=models.Q(status="open"), name="payments_one_open_intent"
            ),
            models.UniqueConstraint(
                fields=["purpose"], condition=models.Q(status="succeeded"), name="payments_paid_once"
            ),
            models.UniqueConstraint(
                fields=["gateway", "gateway_payment"],
                condition=~models.Q(gateway_payment=""),
                name="payments_gateway_payment_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} {self.amount} {self.currency}: {self.status}"


class GatewayEvent(models.Model):
    """A gateway's event as it came, kept once: a webhook delivered twice is recognised by its id."""

    gateway = models.CharField(_("gateway"), max_length=40)
    event_id = models.CharField(_("event id"), max_length=120)
    intent = models.ForeignKey(Intent, on_delete=models.CASCADE, related_name="events", null=True)
    payload = models.JSONField(_("payload"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)

    class Meta:
        verbose_name = _("gateway event")
        verbose_name_plural = _("gateway events")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="payments_gateway_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.event_id}"
