"""People who sign in: citizens and staff share one account model."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    """Citizens sign in with their national ID number; staff accounts have none."""

    uuid = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=[("ar", "العربية"), ("en", "English")], default="ar"
    )
    national_id = models.CharField(_("national ID number"), max_length=20, unique=True, null=True, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    sex = models.CharField(
        _("sex"), max_length=6, choices=[("male", _("male")), ("female", _("female"))], blank=True
    )
    # Not unique: a family often shares one phone.
    mobile = models.CharField(_("mobile number"), max_length=20, blank=True, db_index=True)
    mobile_verified_at = models.DateTimeField(_("mobile number verified at"), null=True, blank=True)
    email_verified_at = models.DateTimeField(_("e-mail verified at"), null=True, blank=True)
    # Part of every session's auth hash: raising it signs the account out of every session, in every process.
    session_generation = models.PositiveIntegerField(default=0)

    def get_session_auth_hash(self) -> str:
        return salted_hmac(
            "bawaba.accounts.session", f"{self.password}:{self.session_generation}", algorithm="sha256"
        ).hexdigest()

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")


class OneTimeCode(models.Model):
    """A code sent to a phone or mailbox. Only its keyed hash is stored; it expires and works once."""

    class Purpose(models.TextChoices):
        VERIFY_MOBILE = "verify-mobile", _("verify a mobile number")
        VERIFY_EMAIL = "verify-email", _("verify an e-mail address")
        SIGN_IN = "sign-in", _("sign in")
        STEP_UP = "step-up", _("confirm it is you")
        # An account opened for someone else (a staff member, a citizen at a service centre): its owner sets
        # their own password with this code.
        ACTIVATE = "activate", _("activate an account")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    purpose = models.CharField(_("purpose"), max_length=20, choices=Purpose)
    destination = models.CharField(_("sent to"), max_length=254, db_index=True)
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, null=True, blank=True, related_name="one_time_codes"
    )
    code_hash = models.CharField(_("code hash"), max_length=64)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")
        indexes = [models.Index(fields=["destination", "purpose", "created_at"])]

    def __str__(self) -> str:
        return f"{self.purpose} → {self.destination}"


class UserSession(models.Model):
    """A signed-in session as its owner sees it: when, from where, on what device."""

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="signed_in_sessions")
    methods = models.JSONField(_("ways in"), default=list)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    device = models.CharField(_("device"), max_length=300, blank=True)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")

    def __str__(self) -> str:
        return f"{self.user_id} {self.started_at:%Y-%m-%d %H:%M}"


class Authenticator(models.Model):
    """An authenticator app (time-based codes, RFC 6238) bound to the account. Its key is sealed at rest."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="authenticator")
    sealed_secret = models.BinaryField(_("sealed key"))
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    last_used_step = models.BigIntegerField(_("last time step used"), default=0)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    def __str__(self) -> str:
        return f"authenticator of {self.user_id}"


class StaffRole(models.TextChoices):
    OFFICER = "officer", _("officer")
    SUPERVISOR = "supervisor", _("supervisor")
    AGENCY_ADMIN = "agency-admin", _("agency administrator")
    CENTRE_AGENT = "centre-agent", _("service-centre agent")
    AUDITOR = "auditor", _("auditor")
    FINANCE = "finance", _("finance officer")
    PLATFORM_ADMIN = "platform-admin", _("platform administrator")


class StaffMembership(models.Model):
    """A staff member's role in one agency (and optionally one office or service centre).

    Agencies are named by their catalogue code, the platform's stable public identifier for them.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="staff_memberships")
    role = models.CharField(_("role"), max_length=20, choices=StaffRole)
    agency = models.SlugField(
        _("agency code"), max_length=60, blank=True, help_text=_("Empty for platform-wide roles.")
    )
    office = models.CharField(_("office or centre"), max_length=100, blank=True)
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    granted_by = models.CharField(_("granted by"), max_length=200)

    class Meta:
        verbose_name = _("staff membership")
        verbose_name_plural = _("staff memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "role", "agency", "office"], name="accounts_membership_once"
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=["auditor", "finance", "platform-admin"]) | ~models.Q(agency=""),
                name="accounts_membership_agency_roles_name_an_agency",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} {self.agency or '*'}"


class Delegation(models.Model):
    """The right of one person (the agent) to act for another (the principal): a child, an adult, a company."""

    class Kind(models.TextChoices):
        MINOR_CHILD = "minor-child", _("parent or guardian of a minor child")
        MANDATE = "mandate", _("mandate from an adult")
        COMPANY = "company", _("representative of a company")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind)
    agent = models.ForeignKey(User, on_delete=models.CASCADE, related_name="delegations_held")
    principal = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delegations_given",
        help_text=_("The person acted for, when they have an account."),
    )
    principal_identifier = models.CharField(
        _("national ID or company registry number of the person acted for"), max_length=30
    )
    principal_name = models.CharField(_("name of the person acted for"), max_length=200)
    services = models.JSONField(
        _("services"), default=list, help_text=_("Service codes; empty means every service.")
    )
    valid_from = models.DateTimeField(_("valid from"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    recorded_by = models.CharField(_("recorded by"), max_length=200)
    evidence = models.CharField(_("evidence"), max_length=300, blank=True)

    class Meta:
        ordering = ["-valid_from"]
        verbose_name = _("delegation")
        verbose_name_plural = _("delegations")

    def __str__(self) -> str:
        return f"{self.agent_id} for {self.principal_identifier} ({self.kind})"


class LinkedIdentity(models.Model):
    """An account at an external identity provider (the national digital ID, a bank app) linked to this one."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="linked_identities")
    provider = models.CharField(_("provider"), max_length=40)
    subject = models.CharField(_("subject at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("linked identity")
        verbose_name_plural = _("linked identities")
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="accounts_identity_once")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.subject}"


class Passkey(models.Model):
    """A passkey (WebAuthn credential) made on the citizen's device: signing in with it needs the device and its
    PIN or biometric, so it counts as two factors. Only its public key is stored; a removed one is kept, refused.
    """

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="passkeys")
    name = models.CharField(_("name"), max_length=60)
    # base64url, as browsers send it; at most 1023 bytes (WebAuthn), so at most 1364 characters.
    credential_id = models.CharField(_("credential id"), max_length=1364, unique=True)
    public_key = models.BinaryField(_("public key (COSE)"))
    sign_count = models.BigIntegerField(_("signature counter"), default=0)
    transports = models.JSONField(_("transports"), default=list, blank=True)
    aaguid = models.CharField(_("authenticator model (AAGUID)"), max_length=36, blank=True)
    backed_up = models.BooleanField(_("synced to the cloud"), default=False)
    created_at = models.DateTimeField(_("added at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("passkey")
        verbose_name_plural = _("passkeys")

    def __str__(self) -> str:
        return f"{self.name} ({self.user_id})"
