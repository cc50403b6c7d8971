"""The provider's logic: signing key, registered clients, people, codes, tokens. No HTTP here."""

import base64
import hashlib
import hmac
import json
import secrets
import time
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.cache import cache as store
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

CODE_SECONDS = 60
TOKEN_SECONDS = 300


@dataclass(frozen=True)
class Profile:
    """What the provider is: its names on the page, the level it asserts (acr) and how people prove it (amr)."""

    title_ar: str
    title_en: str
    acr: str
    amr: tuple[str, ...]
    # Each provider gives a person its own subject identifier, as real ones do.
    subject_prefix: str


PROFILES = {
    "national-id": Profile(
        "الهوية الرقمية الوطنية", "National digital ID", "urn:bawaba:loa:high", ("pin", "hwk"), "ng-"
    ),
    "bank": Profile(
        "تطبيق البنك التجريبي", "Demo bank app", "urn:bawaba:loa:substantial", ("pin", "mfa"), "bk-"
    ),
}


def profile() -> Profile:
    return PROFILES[settings.IDP_PROFILE]


@cache
def signing_key() -> RSAKey:
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"})
    key.ensure_kid()
    return key


def jwks() -> dict:
    return KeySet([signing_key()]).as_dict(private=False)


def discovery() -> dict:
    issuer = settings.IDP_ISSUER
    return {
        "issuer": issuer,
        "authorization_endpoint": f"{issuer}/authorize",
        "token_endpoint": f"{issuer}/token",
        "userinfo_endpoint": f"{issuer}/userinfo",
        "jwks_uri": f"{issuer}/jwks",
        "response_types_supported": ["code"],
        "grant_types_supported": ["authorization_code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "profile", "national_id"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        "code_challenge_methods_supported": ["S256"],
        "claims_supported": ["sub", "name", "name_en", "birthdate", "national_id", "phone_number", "acr"],
        "acr_values_supported": [profile().acr],
    }


@cache
def _people() -> dict[str, dict]:
    return {person["national_id"]: person for person in json.loads(settings.IDP_IDENTITIES.read_text())}


def person_check(national_id: str, pin: str) -> dict | None:
    person = _people().get(national_id.strip())
    if person and hmac.compare_digest(person["pin"], pin.strip()):
        return person
    return None


def subject(person: dict) -> str:
    return profile().subject_prefix + person["national_id"]


def client_get(client_id: str) -> dict | None:
    return settings.IDP_CLIENTS.get(client_id)


def client_authenticates(client_id: str, secret: str) -> bool:
    client = client_get(client_id)
    return client is not None and hmac.compare_digest(client["secret"].encode(), secret.encode())


@dataclass(frozen=True)
class Grant:
    client_id: str
    redirect_uri: str
    sub: str
    nonce: str
    code_challenge: str
    auth_time: int


def code_issue(grant: Grant) -> str:
    code = secrets.token_urlsafe(32)
    store.set(f"code:{code}", grant, CODE_SECONDS)
    return code


def code_redeem(code: str) -> Grant | None:
    """A code works once: it is removed as it is read."""
    grant = store.get(f"code:{code}")
    store.delete(f"code:{code}")
    return grant


def pkce_matches(verifier: str, challenge: str) -> bool:
    digest = hashlib.sha256(verifier.encode()).digest()
    return hmac.compare_digest(base64.urlsafe_b64encode(digest).rstrip(b"=").decode(), challenge)


def tokens_issue(grant: Grant) -> dict:
    person = next(p for p in _people().values() if subject(p) == grant.sub)
    now = int(time.time())
    claims = {
        "iss": settings.IDP_ISSUER,
        "sub": grant.sub,
        "aud": grant.client_id,
        "iat": now,
        "exp": now + TOKEN_SECONDS,
        "auth_time": grant.auth_time,
        "nonce": grant.nonce,
        "acr": profile().acr,
        "amr": list(profile().amr),
        "name": person["name"],
        "name_en": person["name_en"],
        "birthdate": person["birthdate"],
        "national_id": person["national_id"],
        "phone_number": person["phone_number"],
    }
    key = signing_key()
    id_token = jwt.encode({"alg": "RS256", "kid": key.kid}, claims, key)
    access_token = secrets.token_urlsafe(32)
    store.set(
        f"access:{access_token}",
        {k: claims[k] for k in ("sub", "name", "name_en", "birthdate", "national_id")},
        TOKEN_SECONDS,
    )
    return {
        "access_token": access_token,
        "token_type": "Bearer",
        "expires_in": TOKEN_SECONDS,
        "id_token": id_token,
    }


def userinfo(access_token: str) -> dict | None:
    return store.get(f"access:{access_token}")
