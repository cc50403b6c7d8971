"""Signing in with external OpenID Connect providers (the national digital ID, bank apps).

Providers come from settings (BAWABA_OIDC_PROVIDERS): issuer, client id and secret, the assurance level they
prove. The authorization code flow uses PKCE (S256), a nonce and state kept in the session; the ID token's
signature, issuer, audience, expiry and nonce are checked against the provider's published keys.
"""

from dataclasses import dataclass
from functools import cache

from authlib.integrations.django_client import OAuth
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bawaba.audit.services import audit_record

from .assurance import Level
from .models import LinkedIdentity, User
from .national_id import clean

__all__ = ["Provider", "oidc_client", "oidc_sign_in", "provider_get", "providers"]


@dataclass(frozen=True)
class Provider:
    key: str
    name_ar: str
    name_en: str
    issuer: str
    client_id: str
    client_secret: str
    level: Level
    # The `acr` values in an ID token that prove that level; empty when the provider sends none.
    acr: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        return f"oidc:{self.key}"


def providers() -> list[Provider]:
    return [
        Provider(
            key=key,
            name_ar=config["name"]["ar"],
            name_en=config["name"]["en"],
            issuer=config["issuer"].rstrip("/"),
            client_id=config["client_id"],
            client_secret=config["client_secret"],
            level=Level.named(config.get("level", "substantial")),
            acr=tuple(config.get("acr", ())),
        )
        for key, config in settings.BAWABA_OIDC_PROVIDERS.items()
        if config.get("client_secret")
    ]


def provider_get(key: str) -> Provider | None:
    return next((p for p in providers() if p.key == key), None)


@cache
def oidc_client(provider: Provider):
    """One client per provider configuration: it fetches the discovery document and keys once, not per sign-in."""
    oauth = OAuth()
    return oauth.register(
        name=provider.key,
        client_id=provider.client_id,
        client_secret=provider.client_secret,
        server_metadata_url=f"{provider.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile national_id", "code_challenge_method": "S256", "timeout": 10},
    )


@transaction.atomic
def oidc_sign_in(*, provider: Provider, claims: dict) -> User:
    """The account for a verified identity: the one linked before, else the one with the same national ID
    number (linked now), else a new citizen account made from what the provider vouches for."""
    if claims.get("iss", "").rstrip("/") != provider.issuer:
        raise ValueError("token from another issuer")
    if provider.acr and claims.get("acr") not in provider.acr:
        # The provider signed the person in by weaker means than the level the platform would grant.
        raise ValueError("authentication context below the provider's level")
    subject = str(claims["sub"])
    link = (
        LinkedIdentity.objects.select_related("user").filter(provider=provider.key, subject=subject).first()
    )
    if link is None:
        national_id = clean(str(claims.get("national_id", "")))
        user = User.objects.filter(national_id=national_id).first() if national_id else None
        if user is None:
            user = User(
                username=f"citizen-{national_id or provider.key + '-' + subject}",
                national_id=national_id or None,
            )
            user.set_unusable_password()
        user.first_name = user.first_name or claims.get("name", "")[:150]
        if birthdate := claims.get("birthdate"):
            user.birth_date = user.birth_date or birthdate
        user.is_active = True
        user.save()
        link = LinkedIdentity.objects.create(user=user, provider=provider.key, subject=subject)
        audit_record(
            action="accounts.identity.linked",
            actor=f"user:{user.uuid}",
            subject_type="user",
            subject_id=str(user.uuid),
            data={"provider": provider.key},
        )
    link.last_used_at = timezone.now()
    link.save(update_fields=["last_used_at"])
    return link.user
