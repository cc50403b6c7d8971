"""Administrators' wording: the SMS count, the checks, the preview, saving and restoring, each audited."""

import math

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.audit.models import AuditEntry
from bawaba.notifications.models import Message, Template
from bawaba.notifications.notices import notices, wording_for
from bawaba.notifications.providers.smpp.encoding import GSM_BASIC, GSM_EXTENSION, sms_chunks
from bawaba.notifications.services import notify
from bawaba.notifications.template_admin import (
    TemplateInvalid,
    sms_size,
    template_preview,
    template_problems,
    template_restore,
    template_save,
    wording_states,
)

NOTICE = "application.submitted"
GOOD = {
    "sms": "بوابة: طلبك {reference} وصلنا.",
    "subject": "وصل طلبك {reference}",
    "body": "وصلنا طلبك «{service}» برقم {reference} يوم {date}.",
}
BASIC = "".join(char for char in GSM_BASIC if char != "\x1b")
EXTENSION = "".join(GSM_EXTENSION)
ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي٠١٢٣٤٥٦٧٨٩،؟"
EMOJI = "😀🇪🇬"


# --- The SMS count: pure -------------------------------------------------------------------------------------


@given(st.text(alphabet=BASIC + EXTENSION + ARABIC + EMOJI + "é", min_size=1, max_size=700))
def test_the_count_agrees_with_how_the_smpp_provider_splits(text):
    size = sms_size(text)
    data_coding, chunks = sms_chunks(text)
    assert size.parts == len(chunks)
    assert size.encoding == ("GSM-7" if data_coding == 0 else "UCS-2")


@given(st.text(alphabet=BASIC, min_size=1, max_size=1000))
def test_gsm_text_holds_160_in_one_and_153_a_part(text):
    size = sms_size(text)
    assert size.encoding == "GSM-7" and size.length == len(text)
    assert size.parts == (1 if len(text) <= 160 else math.ceil(len(text) / 153))
    assert size.per_part == (160 if size.parts == 1 else 153)


@given(st.text(alphabet=BASIC + EXTENSION, max_size=300), st.text(alphabet=ARABIC, min_size=1, max_size=300))
def test_one_arabic_letter_makes_it_ucs2_70_in_one_and_67_a_part(latin, arabic):
    text = latin + arabic
    size = sms_size(text)
    assert size.encoding == "UCS-2" and size.length == len(text)
    assert size.parts == (1 if len(text) <= 70 else math.ceil(len(text) / 67))


@given(st.text(alphabet=EXTENSION, min_size=1, max_size=200))
def test_an_extension_character_takes_two_septets(text):
    assert sms_size(text).length == 2 * len(text)


@pytest.mark.parametrize(
    "text,parts",
    [("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3), ("ب" * 70, 1), ("ب" * 71, 2)],
)
def test_the_limits(text, parts):
    assert sms_size(text).parts == parts


def test_an_extension_character_is_never_cut_between_two_parts():
    # 152 septets then €: the € (2 septets) does not fit in the first part's 153, so it opens the second.
    assert sms_size("a" * 152 + "€" + "a" * 8).parts == 2
    assert sms_size("a" * 152 + "€" + "a" * 152).parts == 3


# --- Checks, preview, save, restore --------------------------------------------------------------------------


@pytest.fixture
def admin(db):
    user = User.objects.create_user("platform-admin", first_name="Nadia", last_name="Kamel")
    StaffMembership.objects.create(user=user, role=StaffRole.PLATFORM_ADMIN, agency="", granted_by="test")
    return user


def test_a_saved_wording_is_used_for_the_next_messages_and_is_audited(admin):
    template = template_save(notice=NOTICE, language="ar", actor=admin, **GOOD)
    assert (template.sms, template.updated_by) == (GOOD["sms"], f"user:{admin.uuid}")
    entry = AuditEntry.objects.get(action="notifications.template.saved")
    assert entry.actor == f"user:{admin.uuid}" and entry.subject_id == f"{NOTICE}/ar"
    assert entry.data == {"notice": NOTICE, "language": "ar", **GOOD}

    citizen = User.objects.create_user("amina", mobile="+201001112223", preferred_language="ar")
    values = {"reference": "BWB-2026-000042", "service": "خدمة", "date": "اليوم"}
    notify(notice=NOTICE, recipient=citizen, values=values, reference="BWB-2026-000042")
    assert Message.objects.get(channel="sms").body == "بوابة: طلبك BWB-2026-000042 وصلنا."

    states = next(states for notice, states in wording_states() if notice.code == NOTICE)
    assert [(s.language, s.changed_by) for s in states] == [("ar", "Nadia Kamel"), ("en", "")]


def test_saving_again_replaces_the_wording(admin):
    template_save(notice=NOTICE, language="en", actor=admin, **GOOD)
    template_save(notice=NOTICE, language="en", actor=admin, **{**GOOD, "sms": "Got {reference}."})
    assert Template.objects.get(notice=NOTICE, language="en").sms == "Got {reference}."
    assert AuditEntry.objects.filter(action="notifications.template.saved").count() == 2


@pytest.mark.parametrize(
    "field,text,words",
    [
        ("sms", "", "Enter the SMS text."),
        ("subject", "   ", "Enter the title."),
        ("body", "", "Enter the e-mail and inbox text."),
        ("sms", "{reference.__class__}", "is not a placeholder"),
        ("body", "{reference.__init__.__globals__}", "is not a placeholder"),
        ("subject", "{reference!r}", "is not a placeholder"),
        ("sms", "{reference:>999999}", "is not a placeholder"),
        ("sms", "{0}", "is not a placeholder"),
        ("body", "{password}", "is not a placeholder of this notice"),
        ("sms", "طلبك {reference", "A brace is not closed"),
        ("subject", "line one\nline two", "The title must be on one line."),
        ("body", "x" * 5001, "At most 5000 characters"),
        ("sms", "x" * 1001, "At most 1000 characters"),
    ],
)
def test_a_wrong_field_is_named_and_nothing_is_saved(admin, field, text, words):
    template_save(notice=NOTICE, language="ar", actor=admin, **GOOD)
    before = AuditEntry.objects.count()
    with pytest.raises(TemplateInvalid) as refused:
        template_save(
            notice=NOTICE, language="ar", actor=admin, **{**GOOD, "sms": "جديد {reference}", field: text}
        )
    assert list(refused.value.problems) == [field]
    assert any(words in problem for problem in refused.value.problems[field])
    assert Template.objects.get(notice=NOTICE, language="ar").sms == GOOD["sms"]
    assert AuditEntry.objects.count() == before


def test_every_wrong_field_is_named_at_once(admin):
    found = template_problems(notice=NOTICE, sms="", subject="{x}", body="{reference.__class__}")
    assert set(found) == {"sms", "subject", "body"}


def test_a_code_notice_must_carry_its_code_and_never_in_the_title(admin):
    found = template_problems(
        notice="account.sign-in-code", sms="Your code.", subject="Code {code}", body="Code: {code}"
    )
    assert "must contain {code}" in found["sms"][0]
    assert "cannot contain the code" in found["subject"][0]
    assert "body" not in found
    # A doubled brace is a brace, not the code.
    assert "sms" in template_problems(
        notice="account.sign-in-code", sms="{{code}}", subject="t", body="{code}"
    )


def test_the_preview_fills_the_examples_and_never_a_wrong_text(admin):
    preview = template_preview(notice=NOTICE, **GOOD)
    assert preview.sms == "بوابة: طلبك BWB-2026-000123 وصلنا."
    assert "تجديد رخصة تسيير مركبة" in preview.body
    assert (preview.sms_size.encoding, preview.sms_size.parts) == ("UCS-2", 1)
    with pytest.raises(TemplateInvalid) as refused:
        template_preview(notice=NOTICE, **{**GOOD, "body": "{reference.__class__.__mro__}"})
    assert list(refused.value.problems) == ["body"]


def test_restoring_deletes_the_wording_and_is_audited(admin):
    template_save(notice=NOTICE, language="ar", actor=admin, **GOOD)
    assert template_restore(notice=NOTICE, language="ar", actor=admin) is True
    assert not Template.objects.exists()
    assert wording_for(NOTICE, "ar") == notices()[NOTICE].wording["ar"]
    entry = AuditEntry.objects.get(action="notifications.template.restored")
    assert entry.actor == f"user:{admin.uuid}" and entry.data == {"notice": NOTICE, "language": "ar"}
    assert template_restore(notice=NOTICE, language="ar", actor=admin) is False
    assert AuditEntry.objects.filter(action="notifications.template.restored").count() == 1


@pytest.mark.parametrize("role", [StaffRole.OFFICER, StaffRole.AGENCY_ADMIN, StaffRole.AUDITOR])
def test_only_a_platform_administrator_may_save_or_restore(db, role):
    user = User.objects.create_user("someone")
    StaffMembership.objects.create(user=user, role=role, agency="civil-status", granted_by="test")
    Template.objects.create(notice=NOTICE, language="ar", updated_by="test", **GOOD)
    before = AuditEntry.objects.count()
    with pytest.raises(PermissionDenied):
        template_save(notice=NOTICE, language="ar", actor=user, **{**GOOD, "sms": "x {reference}"})
    with pytest.raises(PermissionDenied):
        template_restore(notice=NOTICE, language="ar", actor=user)
    assert Template.objects.get().sms == GOOD["sms"] and AuditEntry.objects.count() == before


def test_a_deactivated_platform_administrator_may_not(admin):
    admin.is_active = False
    admin.save()
    with pytest.raises(PermissionDenied):
        template_save(notice=NOTICE, language="ar", actor=admin, **GOOD)


def test_unknown_notices_and_languages_are_programming_errors(admin):
    with pytest.raises(KeyError):
        template_save(notice="no.such-notice", language="ar", actor=admin, **GOOD)
    with pytest.raises(ValueError):
        template_save(notice=NOTICE, language="fr", actor=admin, **GOOD)
    assert not Template.objects.exists()


def test_texts_are_kept_without_surrounding_spaces(admin):
    template = template_save(
        notice=NOTICE, language="ar", actor=admin, **{**GOOD, "sms": "  " + GOOD["sms"] + "\n"}
    )
    assert template.sms == GOOD["sms"]
    assert template.updated_at <= timezone.now()
