"""Who hears what, where and when: the inbox always, SMS and e-mail as chosen, quiet hours, limits, fallback."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from bawaba.accounts.models import User
from bawaba.notifications.dispatch import Lane, dispatch
from bawaba.notifications.models import Message, Preference, Template
from bawaba.notifications.providers import Refused
from bawaba.notifications.services import message_read, notify, notify_address, preference_save
from bawaba.notifications.tests.test_outbox import Scripted

pytestmark = pytest.mark.django_db

VALUES = {"reference": "BWB-2026-000042", "service": "تجديد رخصة تسيير مركبة", "date": "4 ديسمبر 2026"}


def citizen(*, email=True, language="ar", **fields) -> User:
    return User.objects.create_user(
        username=fields.pop("username", "amina"),
        mobile=fields.pop("mobile", "+201001112223"),
        email="amina@example.org" if email else "",
        email_verified_at=timezone.now() if email else None,
        preferred_language=language,
        **fields,
    )


def submitted(user, **overrides) -> list[Message]:
    return notify(
        notice="application.submitted",
        recipient=user,
        values=VALUES,
        reference="BWB-2026-000042",
        **overrides,
    )


def test_the_inbox_always_has_a_copy_and_sms_and_e_mail_go_by_default():
    user = citizen()
    messages = submitted(user)
    assert sorted(m.channel for m in messages) == ["email", "inapp", "sms"]
    inbox = next(m for m in messages if m.channel == "inapp")
    assert inbox.status == Message.Status.DELIVERED and inbox.read_at is None
    sms = next(m for m in messages if m.channel == "sms")
    assert sms.to == "+201001112223" and sms.body == (
        "بوابة: استلمنا طلبك «تجديد رخصة تسيير مركبة» برقم BWB-2026-000042 يوم 4 ديسمبر 2026. تابعه من حسابك."
    )
    assert all(m.reference == "BWB-2026-000042" and m.recipient == user for m in messages)


def test_the_citizen_s_language_decides_the_wording():
    messages = submitted(citizen(language="en"))
    assert (
        next(m for m in messages if m.channel == "email").subject
        == "We received your application BWB-2026-000042"
    )


def test_an_administrator_s_wording_replaces_the_shipped_one():
    Template.objects.create(
        notice="application.submitted",
        language="ar",
        sms="طلبك {reference} وصل.",
        subject="وصل طلبك",
        body="وصل طلبك {reference}.",
        updated_by="user:admin",
    )
    sms = next(m for m in submitted(citizen()) if m.channel == "sms")
    assert sms.body == "طلبك BWB-2026-000042 وصل."


def test_the_citizen_s_choice_of_channels_is_kept_and_an_unconfirmed_e_mail_is_never_used():
    user = citizen()
    preference_save(
        user=user, sms=False, email=True, quiet_hours=False, quiet_from=time(22), quiet_until=time(7)
    )
    assert sorted(m.channel for m in submitted(user)) == ["email", "inapp"]
    unconfirmed = citizen(username="omar", mobile="+201001112224", email=False)
    unconfirmed.email = "omar@example.org"
    unconfirmed.save()
    assert sorted(m.channel for m in submitted(unconfirmed)) == ["inapp", "sms"]


def test_turning_every_channel_off_still_leaves_sms():
    user = citizen(email=False)
    preference_save(
        user=user, sms=False, email=False, quiet_hours=False, quiet_from=time(22), quiet_until=time(7)
    )
    assert sorted(m.channel for m in submitted(user)) == ["inapp", "sms"]


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 3, hour, minute, tzinfo=ZoneInfo("Africa/Cairo"))


@pytest.mark.parametrize(
    ("now", "due"),
    [
        (at(23, 30), at(7) + timedelta(days=1)),  # late at night: the next morning
        (at(3), at(7)),  # before dawn: this morning
        (at(12), None),  # daytime: at once
    ],
)
def test_non_urgent_messages_wait_for_the_end_of_quiet_hours(monkeypatch, settings, now, due):
    settings.TIME_ZONE = "Africa/Cairo"
    user = citizen()
    preference_save(
        user=user, sms=True, email=True, quiet_hours=True, quiet_from=time(22), quiet_until=time(7)
    )
    monkeypatch.setattr(timezone, "now", lambda: now)
    messages = submitted(user)
    for message in messages:
        expected = now if message.channel == "inapp" or due is None else due
        assert message.due_at == expected, message.channel


def test_codes_are_sent_at_once_even_in_quiet_hours(monkeypatch, settings):
    settings.TIME_ZONE = "Africa/Cairo"
    user = citizen()
    preference_save(
        user=user, sms=True, email=True, quiet_hours=True, quiet_from=time(22), quiet_until=time(7)
    )
    monkeypatch.setattr(timezone, "now", lambda: at(23, 30))
    message = notify_address(
        notice="account.sign-in-code", channel="sms", to=user.mobile, values={"code": "1"}
    )
    assert message.due_at == at(23, 30) and message.priority == Message.Priority.URGENT


def test_a_flood_to_one_number_is_held_back_but_codes_are_not(settings):
    settings.BAWABA_NOTIFICATION_RECIPIENT_LIMIT = 3
    user = citizen(email=False)
    preference_save(
        user=user, sms=True, email=False, quiet_hours=False, quiet_from=time(22), quiet_until=time(7)
    )
    now = timezone.now()
    dues = [next(m for m in submitted(user) if m.channel == "sms").due_at for _ in range(5)]
    assert all(due <= now + timedelta(seconds=5) for due in dues[:3])
    assert all(due >= now + timedelta(seconds=3500) for due in dues[3:])
    code = notify_address(notice="account.sign-in-code", channel="sms", to=user.mobile, values={"code": "1"})
    assert code.due_at <= timezone.now()


def test_a_permanent_failure_on_sms_falls_back_to_e_mail_once():
    user = citizen()
    preference_save(
        user=user, sms=True, email=False, quiet_hours=False, quiet_from=time(22), quiet_until=time(7)
    )
    submitted(user)
    dispatch(Lane("sms"), Scripted({user.mobile: Refused("number not in service", permanent=True)}))
    sms = Message.objects.get(channel="sms")
    email = Message.objects.get(channel="email")
    assert sms.status == Message.Status.FAILED and email.fallback_from == sms
    assert email.to == "amina@example.org" and email.subject == "استلمنا طلبك BWB-2026-000042"
    dispatch(Lane("email"), Scripted({"amina@example.org": Refused("mailbox unknown", permanent=True)}))
    assert Message.objects.filter(recipient=user).count() == 3  # nowhere left: the inbox already has it


def test_codes_never_fall_back_to_another_channel():
    user = citizen()
    notify_address(
        notice="account.sign-in-code", channel="sms", to=user.mobile, values={"code": "1"}, recipient=user
    )
    dispatch(Lane("sms"), Scripted({user.mobile: Refused("number not in service", permanent=True)}))
    assert list(Message.objects.values_list("channel", "status")) == [("sms", "failed")]


def test_only_the_owner_marks_an_inbox_message_read():
    owner, other = citizen(), citizen(username="omar", mobile="+201001112224")
    inbox = next(m for m in submitted(owner) if m.channel == "inapp")
    assert message_read(user=other, message_uuid=inbox.uuid) is False
    assert Message.objects.get(pk=inbox.pk).read_at is None
    assert message_read(user=owner, message_uuid=inbox.uuid) is True
    assert Message.objects.get(pk=inbox.pk).read_at is not None


def test_someone_who_never_chose_gets_the_default_quiet_hours(monkeypatch, settings):
    settings.TIME_ZONE = "Africa/Cairo"
    monkeypatch.setattr(timezone, "now", lambda: at(23, 30))
    sms = next(m for m in submitted(citizen()) if m.channel == "sms")
    assert sms.due_at == at(7) + timedelta(days=1)


def test_preferences_start_from_the_defaults():
    user = citizen()
    assert not Preference.objects.filter(user=user).exists()
    saved = preference_save(
        user=user, sms=True, email=False, quiet_hours=True, quiet_from=time(21), quiet_until=time(8)
    )
    assert (saved.sms, saved.email, saved.quiet_from, saved.quiet_until) == (True, False, time(21), time(8))
