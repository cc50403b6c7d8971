"""What the platform asks to be paid and what the gateway says of it.

An intent is one sum owed for one purpose (an application's fees, a fine, a bill), paid through one gateway
payment; the gateway's signed events are kept once each, so a webhook sent twice is recorded once.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from bawaba.core.models import BaseModel


class Bill(BaseModel):
    """A sum an agency says is owed and anyone may pay by reference: a traffic fine, an electricity bill.

    The agency's system is the record; the platform keeps what it was sent (`bawaba payments bills-load`) so
    citizens can look their bills up by account (a plate number, a subscriber number) and pay them.
    """

    class Status(models.TextChoices):
        OPEN = "open", _("unpaid")
        PAID = "paid", _("paid")
        CANCELLED = "cancelled", _("cancelled by the agency")

    biller = models.CharField(_("biller"), max_length=40, help_text=_("Who issued it, e.g. traffic-fines."))
    reference = models.CharField(_("bill number"), max_length=40)
    account = models.CharField(
        _("account"), max_length=40, help_text=_("What it is looked up by: a plate or subscriber number.")
    )
    holder = models.CharField(_("account holder"), max_length=200, blank=True)
    label = models.JSONField(_("what it is for"), help_text=_('{"ar": …, "en": …}'))
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    issued_on = models.DateField(_("issued on"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    paid_by = models.ForeignKey(
        "Intent", verbose_name=_("paid by"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("bill")
        verbose_name_plural = _("bills")
        constraints = [
            models.UniqueConstraint(fields=["biller", "reference"], name="payments_bill_reference_once")
        ]
        indexes = [models.Index(fields=["biller", "account", "status"], name="payments_bill_lookup")]

    def __str__(self) -> str:
        return f"{self.biller} {self.reference}: {self.amount} {self.currency}"


class BillLine(models.Model):
    """A bill an intent pays, with the late penalty charged on it then."""

    intent = models.ForeignKey("Intent", on_delete=models.CASCADE, related_name="bill_lines")
    bill = models.ForeignKey(Bill, on_delete=models.PROTECT, related_name="lines")
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    penalty = models.PositiveBigIntegerField(_("late penalty (minor units)"), default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["intent", "bill"], name="payments_bill_line_once")]

    def __str__(self) -> str:
        return f"{self.bill.reference}: {self.amount} + {self.penalty}"


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


class SettlementRun(BaseModel):
    """One gateway's settlement file for one UTC day, compared with our paid intents; run again, it is updated.

    The totals are the file's, per currency, as a list of {"currency", "count", "gross", "fees", "net"} in
    minor units: a gateway may settle more than one currency in a day.
    """

    gateway = models.CharField(_("gateway"), max_length=40)
    day = models.DateField(_("day (UTC)"))
    ran_at = models.DateTimeField(_("last run at"))
    ran_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("run by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    times_run = models.PositiveIntegerField(_("times run"), default=1)
    settled_count = models.PositiveIntegerField(_("payments settled by the gateway"), default=0)
    recorded_count = models.PositiveIntegerField(_("payments we recorded"), default=0)
    matched_count = models.PositiveIntegerField(_("payments that agree"), default=0)
    missing_count = models.PositiveIntegerField(_("missing from the file"), default=0)
    extra_count = models.PositiveIntegerField(_("not recorded by us"), default=0)
    amount_count = models.PositiveIntegerField(_("amounts that differ"), default=0)
    totals = models.JSONField(_("totals per currency"), default=list)

    class Meta:
        verbose_name = _("settlement run")
        verbose_name_plural = _("settlement runs")
        ordering = ["-day", "gateway"]
        constraints = [
            models.UniqueConstraint(fields=["gateway", "day"], name="payments_settlement_run_once_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.gateway} {self.day:%Y-%m-%d}"


class SettlementMismatch(BaseModel):
    """A difference between the settlement file and our records, open until finance staff resolve it."""

    class Kind(models.TextChoices):
        MISSING = "missing", _("paid with us, not settled by the gateway")
        EXTRA = "extra", _("settled by the gateway, not paid with us")
        AMOUNT = "amount", _("amount or currency differs")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        RESOLVED = "resolved", _("resolved")

    run = models.ForeignKey(SettlementRun, on_delete=models.CASCADE, related_name="mismatches")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind)
    # The gateway payment id, or "intent:<uuid>" for a paid intent without one: what makes a finding the
    # same finding when the day is run again.
    key = models.CharField(_("finding key"), max_length=160)
    intent = models.ForeignKey(
        Intent,
        verbose_name=_("payment intent"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    gateway_payment = models.CharField(_("gateway payment id"), max_length=120, blank=True)
    reference = models.CharField(_("reference"), max_length=64, blank=True)
    recorded_amount = models.PositiveBigIntegerField(_("amount we recorded"), null=True, blank=True)
    recorded_currency = models.CharField(_("currency we recorded"), max_length=3, blank=True)
    settled_amount = models.PositiveBigIntegerField(_("amount settled"), null=True, blank=True)
    settled_currency = models.CharField(_("currency settled"), max_length=3, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.OPEN)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("resolved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolution_note = models.TextField(_("resolution note"), blank=True)

    class Meta:
        verbose_name = _("settlement mismatch")
        verbose_name_plural = _("settlement mismatches")
        ordering = ["kind", "key"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "kind", "key"],
                condition=models.Q(status="open"),
                name="payments_settlement_mismatch_open_once",
            ),
            models.CheckConstraint(
                condition=models.Q(status="open")
                | (
                    models.Q(resolved_by__isnull=False, resolved_at__isnull=False)
                    & ~models.Q(resolution_note="")
                ),
                name="payments_settlement_mismatch_resolved_with_note",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run}: {self.kind} {self.key}"


class Shift(BaseModel):
    """A service-centre agent's turn at the counter: the cash drawer opened with a float, the payments taken,
    and the cash counted at close against what the payments say should be there.

    Once closed, a shift is a record: it takes no payment and is never reopened or edited. The centre is a code
    or a name for now; the service-centre registry will give it a key of its own.
    """

    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("agent"), on_delete=models.PROTECT, related_name="+"
    )
    centre = models.CharField(_("service centre"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3)
    opening_float = models.PositiveBigIntegerField(_("opening float (minor units)"))
    opened_at = models.DateTimeField(_("opened at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Written once, at close: what the payments said and what was counted.
    cash_taken = models.PositiveBigIntegerField(_("cash taken (minor units)"), null=True, blank=True)
    terminal_taken = models.PositiveBigIntegerField(_("card terminal (minor units)"), null=True, blank=True)
    expected_cash = models.PositiveBigIntegerField(_("cash expected (minor units)"), null=True, blank=True)
    counted_cash = models.PositiveBigIntegerField(_("cash counted (minor units)"), null=True, blank=True)
    difference = models.BigIntegerField(_("difference (minor units)"), null=True, blank=True)
    # Also written at close; a shift closed before cash refunds were paid out of drawers gave none back.
    cash_refunded = models.PositiveBigIntegerField(_("cash refunded (minor units)"), default=0)
    close_note = models.TextField(_("note on the difference"), blank=True)

    class Meta:
        verbose_name = _("counter shift")
        verbose_name_plural = _("counter shifts")
        ordering = ["-opened_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agent"], condition=models.Q(closed_at__isnull=True), name="payments_one_open_shift"
            ),
            models.CheckConstraint(
                condition=models.Q(closed_at__isnull=True)
                | models.Q(
                    cash_taken__isnull=False,
                    terminal_taken__isnull=False,
                    expected_cash__isnull=False,
                    counted_cash__isnull=False,
                    difference__isnull=False,
                ),
                name="payments_shift_closed_with_its_count",
            ),
            models.CheckConstraint(
                condition=models.Q(difference__isnull=True)
                | models.Q(difference=0)
                | ~models.Q(close_note=""),
                name="payments_shift_difference_explained",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.centre} {self.agent_id} {self.opened_at:%Y-%m-%d %H:%M}"

    @property
    def difference_size(self) -> int | None:
        """How far over or short the count was, whichever it was."""
        return None if self.difference is None else abs(self.difference)


class CounterPayment(models.Model):
    """How a paid intent was taken at a counter: in cash (what was handed over and the change) or on a card
    terminal (its slip's approval number), in which shift and so by whom."""

    class Method(models.TextChoices):
        CASH = "cash", _("cash")
        TERMINAL = "terminal", _("card terminal")

    intent = models.OneToOneField(Intent, on_delete=models.PROTECT, related_name="counter")
    shift = models.ForeignKey(Shift, on_delete=models.PROTECT, related_name="payments")
    method = models.CharField(_("method"), max_length=10, choices=Method)
    received = models.PositiveBigIntegerField(_("received (minor units)"))
    change_given = models.PositiveBigIntegerField(_("change (minor units)"), default=0)
    terminal_slip = models.CharField(_("terminal slip number"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("counter payment")
        verbose_name_plural = _("counter payments")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(method="cash") | (~models.Q(terminal_slip="") & models.Q(change_given=0)),
                name="payments_terminal_payment_has_its_slip",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.received}"


class Refund(BaseModel):
    """Part or all of a paid intent given back: asked for by one member of staff, approved or rejected by
    another, then made through the intent's gateway (or handed over in cash at a counter, out of the approver's
    open shift: `shift`)."""

    class Status(models.TextChoices):
        REQUESTED = "requested", _("awaiting approval")
        APPROVED = "approved", _("approved, being sent to the gateway")
        SUCCEEDED = "succeeded", _("refunded")
        FAILED = "failed", _("refused by the gateway")
        REJECTED = "rejected", _("rejected")

    class Method(models.TextChoices):
        GATEWAY = "gateway", _("to the card it was paid with")
        CASH = "cash", _("in cash at the counter")

    intent = models.ForeignKey(
        Intent, verbose_name=_("payment"), on_delete=models.PROTECT, related_name="refunds"
    )
    amount = models.PositiveBigIntegerField(_("amount (minor units)"))
    currency = models.CharField(_("currency"), max_length=3)
    method = models.CharField(_("how it is given back"), max_length=10, choices=Method)
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.REQUESTED)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("requested by"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("requested at"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("approved by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("rejected by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    rejected_at = models.DateTimeField(_("rejected at"), null=True, blank=True)
    note = models.TextField(_("approver's note"), blank=True)
    idempotency_key = models.CharField(_("idempotency key"), max_length=64, unique=True)
    gateway_refund = models.CharField(_("gateway refund id"), max_length=120, blank=True)
    refunded_at = models.DateTimeField(_("refunded at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("tries at the gateway"), default=0)
    last_error = models.CharField(_("last gateway error"), max_length=400, blank=True)
    shift = models.ForeignKey(
        Shift,
        verbose_name=_("paid out in shift"),
        on_delete=models.PROTECT,
        related_name="refunds",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        permissions = [
            ("can_request_refunds", _("Can request refunds")),
            ("can_approve_refunds", _("Can approve or reject refunds")),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payments_refund_positive"),
            # Four eyes, held by the database too: no one approves their own request.
            models.CheckConstraint(
                condition=models.Q(approved_by__isnull=True)
                | ~models.Q(approved_by=models.F("requested_by")),
                name="payments_refund_not_self_approved",
            ),
            models.UniqueConstraint(
                fields=["gateway_refund"], condition=~models.Q(gateway_refund=""), name="payments_refund_once"
            ),
            # Only cash leaves a drawer.
            models.CheckConstraint(
                condition=models.Q(shift__isnull=True) | models.Q(method="cash"),
                name="payments_refund_shift_only_for_cash",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.intent_id} −{self.amount} {self.currency}: {self.status}"
