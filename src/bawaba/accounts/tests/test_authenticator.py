"""Authenticator apps: a real TOTP code works once, replay and guessing are refused."""

import pyotp
import pytest

from bawaba.accounts.authenticator import (
    AuthenticatorRefused,
    authenticator_begin,
    authenticator_check,
    authenticator_confirm,
    has_authenticator,
)
from bawaba.accounts.models import Authenticator, User

pytestmark = pytest.mark.django_db
NOW = 1_800_000_000.0


@pytest.fixture
def user():
    return User.objects.create_user("citizen-totp", password="x" * 12, national_id="29103090104240")


def set_up(user) -> pyotp.TOTP:
    secret, qr = authenticator_begin(user=user)
    assert qr.startswith("data:image/svg+xml")
    totp = pyotp.TOTP(secret)
    authenticator_confirm(user=user, code=totp.at(NOW), now=NOW)
    return totp


def test_setting_up_and_using_an_authenticator(user):
    totp = set_up(user)
    assert has_authenticator(user)
    authenticator_check(user=user, code=totp.at(NOW + 30), now=NOW + 30)


def test_the_key_is_sealed_at_rest(user):
    secret, _ = authenticator_begin(user=user)
    assert secret.encode() not in bytes(Authenticator.objects.get(user=user).sealed_secret)


def test_a_code_cannot_be_replayed(user):
    totp = set_up(user)
    authenticator_check(user=user, code=totp.at(NOW + 60), now=NOW + 60)
    with pytest.raises(AuthenticatorRefused):
        authenticator_check(user=user, code=totp.at(NOW + 60), now=NOW + 61)


def test_an_old_or_wrong_code_is_refused_and_guessing_locks(user):
    totp = set_up(user)
    with pytest.raises(AuthenticatorRefused):
        authenticator_check(user=user, code=totp.at(NOW - 600), now=NOW + 90)
    for _ in range(5):
        with pytest.raises(AuthenticatorRefused):
            authenticator_check(user=user, code="000000", now=NOW + 90)
    with pytest.raises(AuthenticatorRefused) as caught:
        authenticator_check(user=user, code=totp.at(NOW + 90), now=NOW + 90)
    assert caught.value.problem == "locked"


def test_a_confirmed_authenticator_is_not_replaced_silently(user):
    set_up(user)
    with pytest.raises(AuthenticatorRefused):
        authenticator_begin(user=user)


def test_an_unconfirmed_authenticator_is_not_a_second_factor(user):
    secret, _ = authenticator_begin(user=user)
    with pytest.raises(AuthenticatorRefused):
        authenticator_check(user=user, code=pyotp.TOTP(secret).at(NOW), now=NOW)
