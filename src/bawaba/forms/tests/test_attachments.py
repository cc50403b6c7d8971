"""Uploads: the type read from the content, the size, the owner; answers refer only to the filer's own files."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from bawaba.accounts.models import StaffMembership, StaffRole, User
from bawaba.forms.attachments import (
    AttachmentRefused,
    attachment_errors,
    attachment_readable,
    attachment_store,
    detected_type,
)
from bawaba.forms.definitions import compile_form
from bawaba.forms.drafts import draft_open, draft_step_save
from bawaba.forms.permissions import can_read_attachment, can_staff_read_attachment
from bawaba.testing.eforms import GIF, SAMPLE_FORM, citizen, pdf_bytes, png_bytes

pytestmark = pytest.mark.django_db
FORM = compile_form(SAMPLE_FORM)


def draft_of(user):
    return draft_open(
        filed_by=user, applicant=user, service_code="x.y", version_number=1, version_hash="h", form=FORM
    ).draft


def store(draft, field, content, name, content_type="application/octet-stream"):
    return attachment_store(
        owner=draft.filed_by,
        draft=draft,
        field=FORM.fields[field],
        upload=SimpleUploadedFile(name, content, content_type=content_type),
    )


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (pdf_bytes(), "application/pdf"),
        (png_bytes(), "image/png"),
        (GIF, "image/gif"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "image/jpeg"),
    ],
)
def test_the_type_is_read_from_the_content(content, expected):
    assert detected_type(content, [expected])[0] == expected


def test_plain_text_has_no_known_type():
    assert detected_type(b"just some words, no magic here") == ("", "")


def test_a_pdf_is_kept_under_a_random_name_with_its_checksum():
    draft = draft_of(citizen())
    attachment = store(draft, "scan", pdf_bytes(), "../../etc/My form.pdf", "application/pdf")
    assert attachment.content_type == "application/pdf" and attachment.name == "My form.pdf"
    assert attachment.file.name.startswith("attachments/") and "My form" not in attachment.file.name
    assert attachment.file.name.endswith(".pdf") and default_storage.exists(attachment.file.name)
    assert attachment.size == len(pdf_bytes()) and len(attachment.sha256) == 64
    assert attachment.owner == draft.filed_by and attachment.draft == draft


def test_a_png_renamed_pdf_is_refused_whatever_the_browser_says():
    draft = draft_of(citizen())
    with pytest.raises(AttachmentRefused) as refused:
        store(draft, "scan", png_bytes(), "scan.pdf", "application/pdf")
    assert refused.value.code == "file_type" and refused.value.params == {"found": "image/png"}


def test_a_type_the_question_does_not_accept_is_refused():
    draft = draft_of(citizen())
    with pytest.raises(AttachmentRefused) as refused:
        store(draft, "photo", GIF, "photo.gif", "image/gif")
    assert refused.value.code == "file_type" and refused.value.params["found"] == "image/gif"
    with pytest.raises(AttachmentRefused):
        store(draft, "photo", b"<html><script>alert(1)</script></html>", "photo.png", "image/png")


def test_a_file_over_the_size_limit_or_empty_is_refused_and_nothing_is_kept():
    draft = draft_of(citizen())
    with pytest.raises(AttachmentRefused) as refused:
        store(draft, "scan", pdf_bytes(padding=1024 * 1024), "big.pdf")
    assert refused.value.code == "file_size" and refused.value.params == {"limit": 1}
    with pytest.raises(AttachmentRefused) as refused:
        store(draft, "scan", b"", "empty.pdf")
    assert refused.value.code == "file_empty"
    assert not draft.attachments.exists()


def test_answers_may_refer_only_to_the_filers_own_files_for_that_draft():
    amina, omar = citizen(), citizen(name="Omar", mobile="+201002223334")
    mine, theirs = draft_of(amina), draft_of(omar)
    their_file = store(theirs, "scan", pdf_bytes(), "omar.pdf")
    my_file = store(mine, "scan", pdf_bytes(), "amina.pdf")
    assert attachment_errors(FORM, {"scan": str(my_file.uuid)}, draft=mine) == []
    for value in (str(their_file.uuid), "not-a-uuid", "00000000-0000-0000-0000-000000000000"):
        assert [(e.field, e.code) for e in attachment_errors(FORM, {"scan": value}, draft=mine)] == [
            ("scan", "attachment")
        ]
    result = draft_step_save(draft=mine, form=FORM, step="documents", posted={"scan": [str(their_file.uuid)]})
    assert [(e.field, e.code) for e in result.errors] == [("scan", "attachment")]
    mine.refresh_from_db()
    assert "scan" not in mine.answers


def test_a_file_is_read_by_its_owner_and_once_filed_by_the_agencys_staff_through_the_back_office():
    amina, omar = citizen(), citizen(name="Omar", mobile="+201002223334")
    attachment = store(draft_of(amina), "scan", pdf_bytes(), "amina.pdf")
    officer = User.objects.create_user("officer-mun")
    StaffMembership.objects.create(
        user=officer, role=StaffRole.OFFICER, agency="municipality", granted_by="t"
    )
    elsewhere = User.objects.create_user("officer-traffic")
    StaffMembership.objects.create(user=elsewhere, role=StaffRole.OFFICER, agency="traffic", granted_by="t")
    assert can_read_attachment(amina, attachment)
    assert not can_read_attachment(omar, attachment) and not can_read_attachment(officer, attachment)
    assert attachment_readable(user=omar, uuid=attachment.uuid) is None
    attachment.application, attachment.agency = "7c1e1e43-3a64-4a4e-9f84-0f3c1d7a0d8e", "municipality"
    attachment.save()
    assert not can_read_attachment(officer, attachment)
    assert can_staff_read_attachment(officer, attachment) and not can_staff_read_attachment(
        elsewhere, attachment
    )
    assert not can_staff_read_attachment(omar, attachment) and not can_read_attachment(omar, attachment)
    amina.is_active = False
    assert not can_read_attachment(amina, attachment)
