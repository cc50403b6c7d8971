"""Drafts: started prefilled, saved step by step, carried over to a new version, warned about, then swept."""

import copy
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from bawaba.audit.models import AuditEntry
from bawaba.events.models import Event
from bawaba.forms.attachments import attachment_store
from bawaba.forms.definitions import compile_form
from bawaba.forms.drafts import (
    draft_discard,
    draft_list,
    draft_open,
    draft_report,
    draft_step_save,
    draft_submission_key,
    draft_submitted,
    drafts_expire,
    drafts_warn,
)
from bawaba.forms.models import Attachment, Draft
from bawaba.forms.tasks import drafts_sweep
from bawaba.testing.eforms import GOOD_REQUEST, SAMPLE_FORM, citizen, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db
FORM = compile_form(SAMPLE_FORM)
CODE = "municipality.complaint.submit"


def start(user, *, form=FORM, version=(1, "hash-1"), applicant=None):
    return draft_open(
        filed_by=user,
        applicant=applicant or user,
        service_code=CODE,
        version_number=version[0],
        version_hash=version[1],
        form=form,
    )


def upload(draft, field="scan", content=None, name="form.pdf"):
    return attachment_store(
        owner=draft.filed_by,
        draft=draft,
        field=FORM.fields[field],
        upload=SimpleUploadedFile(name, content or pdf_bytes()),
    )


def posted(answers: dict) -> dict:
    return {k: [v] if isinstance(v, str) else v for k, v in answers.items()}


def age(draft, days):
    """Make the draft as if it was last changed `days` ago."""
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() + timedelta(days=30 - days))
    draft.refresh_from_db()


def test_a_new_draft_is_prefilled_and_starts_at_the_first_step():
    amina = citizen()
    opened = start(amina)
    draft = opened.draft
    assert opened.created and not opened.rebased
    assert draft.answers == {
        "full_name": "Amina Hassan",
        "national_id": amina.national_id,
        "phone": amina.mobile,
    }
    assert draft.step == "you" and draft.version_number == 1 and draft.version_hash == "hash-1"
    assert timedelta(days=29) < draft.expires_at - timezone.now() <= timedelta(days=30)


def test_opening_again_resumes_the_same_draft_with_its_answers(settings):
    amina = citizen()
    first = start(amina).draft
    draft_step_save(draft=first, form=FORM, step="request", posted=posted(GOOD_REQUEST), reached="documents")
    again = start(amina)
    assert not again.created and again.draft.pk == first.pk
    assert again.draft.answers["colour"] == "blue" and again.draft.step == "documents"
    assert Draft.objects.count() == 1


def test_the_expiry_is_configurable(settings):
    settings.BAWABA_DRAFT_DAYS = 7
    draft = start(citizen()).draft
    assert timedelta(days=6) < draft.expires_at - timezone.now() <= timedelta(days=7)


def test_a_step_keeps_what_passes_and_drops_what_is_wrong_hidden_or_not_asked():
    amina = citizen()
    draft = start(amina).draft
    sent = {
        **posted(GOOD_REQUEST),
        "count": ["many"],  # not a number
        "old_number": ["X-123"],  # shown only for a renewal
        "fees_waived": ["true"],  # not a question at all
        "full_name": ["Someone Else"],  # on another step, and not the citizen's to change
    }
    result = draft_step_save(draft=draft, form=FORM, step="request", posted=sent)
    assert [(e.field, e.code) for e in result.errors] == [("count", "integer")]
    draft.refresh_from_db()
    assert "count" not in draft.answers and "old_number" not in draft.answers
    assert "fees_waived" not in draft.answers and draft.answers["full_name"] == "Amina Hassan"
    assert draft.answers["extras"] == ["wash", "wax"] and draft.answers["urgent"] is False


def test_a_prefilled_authoritative_answer_cannot_be_changed_by_posting_it():
    amina = citizen()
    draft = start(amina).draft
    draft_step_save(
        draft=draft,
        form=FORM,
        step="you",
        posted={"full_name": ["Bad"], "national_id": ["1"], "phone": ["+201009998887"]},
    )
    draft.refresh_from_db()
    assert draft.answers["full_name"] == "Amina Hassan" and draft.answers["national_id"] == amina.national_id
    assert draft.answers["phone"] == "+201009998887"  # prefilled, but the citizen's to change


def test_a_new_version_keeps_the_answers_to_questions_still_asked():
    amina = citizen()
    draft = start(amina).draft
    draft_step_save(draft=draft, form=FORM, step="request", posted=posted(GOOD_REQUEST), reached="documents")
    changed = copy.deepcopy(SAMPLE_FORM)
    changed["schema"]["properties"].pop("colour")
    changed["schema"]["required"].remove("colour")
    changed["fields"].pop("colour")
    changed["steps"][1]["fields"].remove("colour")
    opened = start(amina, form=compile_form(changed), version=(2, "hash-2"))
    assert opened.rebased and opened.draft.version_number == 2 and opened.draft.version_hash == "hash-2"
    assert "colour" not in opened.draft.answers and opened.draft.answers["count"] == 2
    assert opened.draft.step == "documents"


def test_an_expired_or_filed_draft_is_not_resumed():
    amina = citizen()
    draft = start(amina).draft
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    fresh = start(amina)
    assert fresh.created and fresh.draft.pk != draft.pk


def test_the_drafts_listed_are_the_persons_own_unfinished_ones():
    amina, omar = citizen(), citizen(name="Omar", mobile="+201002223334")
    mine = start(amina).draft
    start(omar)
    assert list(draft_list(user=amina)) == [mine]
    draft_submitted(
        draft=mine,
        form=FORM,
        application_uuid="7c1e1e43-3a64-4a4e-9f84-0f3c1d7a0d8e",
        reference="BWB-2026-000001",
        agency="municipality",
        filed_answers={},
    )
    assert list(draft_list(user=amina)) == []


def test_the_submission_key_is_stable_until_the_draft_is_filed():
    draft = start(citizen()).draft
    key = draft_submission_key(draft=draft)
    assert len(key) >= 32 and draft_submission_key(draft=draft) == key


def test_reporting_a_prefilled_answer_as_wrong_is_kept_and_audited():
    amina = citizen()
    draft = start(amina).draft
    draft_report(draft=draft, form=FORM, field="full_name", note="My name is Amina Hassan Aly.", actor=amina)
    draft.refresh_from_db()
    assert draft.reports[0]["field"] == "full_name" and draft.reports[0]["source"] == "profile"
    assert draft.reports[0]["shown"] == "Amina Hassan" and "Aly" in draft.reports[0]["note"]
    entry = AuditEntry.objects.get(action="forms.prefill.reported-wrong")
    assert entry.subject_id == str(draft.uuid) and entry.data["field"] == "full_name"
    with pytest.raises(ValueError):
        draft_report(draft=draft, form=FORM, field="count", note="x", actor=amina)


def test_filing_hands_the_files_used_to_the_application_and_lets_the_rest_go():
    amina = citizen()
    draft = start(amina).draft
    used, replaced = upload(draft), upload(draft)
    photo = upload(draft, "photo", png_bytes(), "p.png")
    draft_submitted(
        draft=draft,
        form=FORM,
        application_uuid="7c1e1e43-3a64-4a4e-9f84-0f3c1d7a0d8e",
        reference="BWB-2026-000001",
        agency="municipality",
        filed_answers={"scan": str(used.uuid), "photo": str(photo.uuid)},
    )
    used.refresh_from_db()
    assert str(used.application) == "7c1e1e43-3a64-4a4e-9f84-0f3c1d7a0d8e" and used.agency == "municipality"
    assert used.draft is None and default_storage.exists(used.file.name)
    assert not Attachment.objects.filter(pk=replaced.pk).exists()
    draft.refresh_from_db()
    assert draft.submitted and draft.answers == {} and draft.reference == "BWB-2026-000001"


def test_discarding_deletes_the_answers_and_the_files(django_capture_on_commit_callbacks):
    draft = start(citizen()).draft
    attachment = upload(draft)
    with django_capture_on_commit_callbacks(execute=True):
        draft_discard(draft=draft)
    assert not Draft.objects.exists() and not Attachment.objects.exists()
    assert not default_storage.exists(attachment.file.name)


class TestSweep:
    def test_a_citizen_is_warned_once_a_few_days_before_their_draft_is_deleted(self):
        amina = citizen()
        soon, later = start(amina).draft, start(citizen(name="Omar", mobile="+201002223334")).draft
        age(soon, 28)
        age(later, 10)
        assert drafts_warn() == 1
        assert drafts_warn() == 0, "a second sweep warns nobody again"
        event = Event.objects.get(name="draft.expiring")
        assert event.payload["draft"] == str(soon.uuid) and event.payload["user"] == str(amina.uuid)
        assert event.payload["service"] == CODE

    def test_changing_the_draft_again_gives_it_a_new_lease_and_a_new_warning_later(self):
        amina = citizen()
        draft = start(amina).draft
        age(draft, 28)
        drafts_warn()
        draft_step_save(draft=draft, form=FORM, step="you", posted={"phone": ["+201009998887"]})
        draft.refresh_from_db()
        assert draft.warned_at is None and draft.expires_at > timezone.now() + timedelta(days=29)
        assert drafts_warn() == 0

    def test_expired_drafts_and_their_files_are_deleted_and_filed_ones_kept(
        self, django_capture_on_commit_callbacks
    ):
        amina, omar = citizen(), citizen(name="Omar", mobile="+201002223334")
        old, current = start(amina).draft, start(omar).draft
        old_file, current_file = upload(old), upload(current)
        filed = Attachment.objects.create(
            owner=amina,
            field="scan",
            file="attachments/filed.pdf",
            name="filed.pdf",
            content_type="application/pdf",
            size=10,
            sha256="0" * 64,
            application="7c1e1e43-3a64-4a4e-9f84-0f3c1d7a0d8e",
            agency="municipality",
        )
        Attachment.objects.filter(pk=filed.pk).update(created_at=timezone.now() - timedelta(days=60))
        Draft.objects.filter(pk=old.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
        with django_capture_on_commit_callbacks(execute=True):
            counts = drafts_sweep.call()
        assert counts == {"warned": 0, "drafts": 1, "attachments": 1}
        assert list(Draft.objects.all()) == [current]
        assert not default_storage.exists(old_file.file.name) and default_storage.exists(
            current_file.file.name
        )
        assert Attachment.objects.filter(pk=filed.pk).exists()
        with django_capture_on_commit_callbacks(execute=True):
            assert drafts_sweep.call() == {"warned": 0, "drafts": 0, "attachments": 0}

    def test_a_replaced_file_is_deleted_once_its_grace_time_is_over(self, django_capture_on_commit_callbacks):
        draft = start(citizen()).draft
        replaced, kept = upload(draft), upload(draft)
        draft.answers["scan"] = str(kept.uuid)
        draft.save()
        assert drafts_expire()["attachments"] == 0, (
            "a file just uploaded may still be on its way into the draft"
        )
        with django_capture_on_commit_callbacks(execute=True):
            counts = drafts_expire(now=timezone.now() + timedelta(hours=2))
        assert counts["attachments"] == 1
        assert list(Attachment.objects.all()) == [kept]
        assert not default_storage.exists(replaced.file.name)

    def test_a_filed_draft_is_kept_a_day_for_retried_submissions_then_deleted(self):
        draft = start(citizen()).draft
        draft_submitted(
            draft=draft,
            form=FORM,
            application_uuid="7c1e1e43-3a64-4a4e-9f84-0f3c1d7a0d8e",
            reference="BWB-2026-000001",
            agency="municipality",
            filed_answers={},
        )
        assert drafts_expire()["drafts"] == 0
        assert drafts_expire(now=timezone.now() + timedelta(days=2))["drafts"] == 1

    def test_a_filed_draft_is_never_warned_about(self):
        draft = start(citizen()).draft
        age(draft, 29)
        draft_submitted(
            draft=draft,
            form=FORM,
            application_uuid="7c1e1e43-3a64-4a4e-9f84-0f3c1d7a0d8e",
            reference="BWB-2026-000001",
            agency="municipality",
            filed_answers={},
        )
        assert drafts_warn() == 0


def test_the_sweep_command_runs_it_now_or_enqueues_it():
    from io import StringIO

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    draft = start(citizen()).draft
    Draft.objects.filter(pk=draft.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    out = StringIO()
    call_command("drafts", "sweep", "--now", stdout=out)
    assert out.getvalue().strip() == "warned: 0, drafts: 1, attachments: 0"
    call_command("drafts", "sweep", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path="bawaba.forms.tasks.drafts_sweep").count() == 1
