"""The citizen is told, in their language, that an unfinished form will soon be deleted."""

from datetime import timedelta

import pytest
from django.utils import timezone

from bawaba.events.models import Delivery, Event
from bawaba.events.tasks import deliver_event
from bawaba.forms.definitions import compile_form
from bawaba.forms.drafts import draft_open
from bawaba.forms.models import Draft
from bawaba.forms.tasks import drafts_sweep
from bawaba.notifications.models import Message
from bawaba.testing.eforms import SAMPLE_FORM, citizen

pytestmark = pytest.mark.django_db


def expiring_draft(user):
    draft = draft_open(
        filed_by=user,
        applicant=user,
        service_code="municipality.complaint.submit",
        version_number=1,
        version_hash="h",
        form=compile_form(SAMPLE_FORM),
    ).draft
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() + timedelta(days=2))
    return draft


def relay():
    for event in Event.objects.filter(name="draft.expiring"):
        for subscriber in ("portal.draft-expiring-message",):
            deliver_event.call(event_id=event.pk, subscriber=subscriber)


@pytest.mark.parametrize(
    ("language", "words"),
    [("ar", "تقديم شكوى أو بلاغ"), ("en", "Submit a complaint or report")],
)
def test_the_sweep_sends_one_message_before_a_draft_is_deleted(language, words):
    amina = citizen()
    amina.preferred_language = language
    amina.save()
    expiring_draft(amina)
    assert drafts_sweep.call()["warned"] == 1
    assert drafts_sweep.call()["warned"] == 0
    relay()
    relay()  # a duplicate delivery of the same event sends nothing more
    message = Message.objects.get(kind="draft.expiring", channel="sms")
    assert message.to == amina.mobile and message.language == language and words in message.body
    assert Message.objects.get(kind="draft.expiring", channel="inapp").recipient == amina
    assert Delivery.objects.get().status == Delivery.Status.DONE


def test_an_account_with_no_phone_or_confirmed_e_mail_is_told_in_its_inbox_only():
    amina = citizen(mobile="")
    expiring_draft(amina)
    drafts_sweep.call()
    relay()
    assert list(Message.objects.values_list("channel", flat=True)) == ["inapp"]
