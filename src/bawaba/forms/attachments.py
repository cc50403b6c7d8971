"""Files uploaded as answers: checked by what they contain, stored under a random name, owned by the uploader.

The type is read from the file's first bytes (its magic number), never from its name or the type the browser
sent: a picture renamed `.pdf` is still a picture. Answers refer to an attachment by its UUID, and only to one
that the person filing uploaded for that same draft.
"""

import hashlib
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import PurePath
from uuid import UUID

import puremagic
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from bawaba.accounts.models import User

from .engine import Field, FieldError, Form
from .models import Attachment, Draft
from .permissions import can_read_attachment, can_staff_read_attachment

__all__ = [
    "AttachmentRefused",
    "attachment_errors",
    "attachment_readable",
    "attachment_readable_by_staff",
    "attachment_store",
    "attachments_answered",
    "attachments_delete",
    "attachments_of",
    "attachments_orphaned",
    "detected_type",
    "file_fields",
]

HEAD_BYTES = 8192
MEGABYTE = 1024 * 1024
# A file replaced by another is kept this long before the sweep deletes it, so that a page still being
# submitted with it does not lose it halfway.
ORPHAN_GRACE = timedelta(hours=1)


class AttachmentRefused(Exception):
    """`code` is file_empty, file_size (params: limit in MB) or file_type (params: found, a media type)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code, self.params = code, params


def file_fields(form: Form) -> set[str]:
    return {name for name, spec in form.fields.items() if spec.widget == "file"}


def _accepts(accept: Iterable[str], media_type: str) -> bool:
    for allowed in accept:
        if allowed == media_type or (allowed.endswith("/*") and media_type.startswith(allowed[:-1])):
            return True
    return False


def detected_type(head: bytes, accept: Iterable[str] = ()) -> tuple[str, str]:
    """(media type, extension) that the content shows, or ("", "") when it matches nothing known. When the same
    bytes fit several types equally well (PDF and FDF both start with %PDF), one the question accepts wins."""
    try:
        matches = [m for m in puremagic.magic_string(head) if m.mime_type]
    except puremagic.PureError:
        return "", ""
    if not matches:
        return "", ""
    best = max(m.confidence for m in matches)
    top = [m for m in matches if m.confidence == best]
    chosen = next((m for m in top if _accepts(accept, m.mime_type)), top[0])
    return chosen.mime_type, chosen.extension


def _display_name(name: str) -> str:
    """The name the citizen gave the file, for showing it back: no path, no control characters."""
    base = PurePath((name or "").replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f\x7f]", "", base)[:200] or "file"


@transaction.atomic
def attachment_store(*, owner: User, draft: Draft, field: Field, upload: UploadedFile) -> Attachment:
    """Check an upload against the question and keep it. Raises AttachmentRefused; nothing is kept then."""
    if upload.size == 0:
        raise AttachmentRefused("file_empty")
    if upload.size > field.max_size_mb * MEGABYTE:
        raise AttachmentRefused("file_size", limit=field.max_size_mb)
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    media_type, extension = detected_type(head, field.accept)
    if not _accepts(field.accept, media_type):
        raise AttachmentRefused("file_type", found=media_type)
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # A random name: nothing the citizen chose reaches the file system, and names cannot be guessed.
    stored = default_storage.save(
        f"attachments/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension.lower()}", upload
    )
    return Attachment.objects.create(
        owner=owner,
        draft=draft,
        field=field.name,
        file=stored,
        name=_display_name(upload.name),
        content_type=media_type,
        size=upload.size,
        sha256=digest.hexdigest(),
    )


def _uuid(value) -> UUID | None:
    try:
        return UUID(str(value))
    except ValueError:
        return None


def attachment_errors(form: Form, values: Mapping, *, draft: Draft) -> list[FieldError]:
    """An "attachment" error for each file answer that is not a file uploaded for this draft by its filer."""
    wanted = {name: _uuid(values[name]) for name in file_fields(form) if values.get(name)}
    found = set(
        Attachment.objects.filter(
            uuid__in=[u for u in wanted.values() if u],
            owner_id=draft.filed_by_id,
            draft=draft,
            application__isnull=True,
        ).values_list("uuid", flat=True)
    )
    return [FieldError(name, "attachment") for name, value in wanted.items() if value not in found]


def attachment_readable(*, user: User, uuid) -> Attachment | None:
    """The attachment if this person uploaded it, else None."""
    attachment = Attachment.objects.filter(uuid=uuid).first()
    if attachment is None or not can_read_attachment(user, attachment):
        return None
    return attachment


def attachment_readable_by_staff(*, user: User, uuid) -> Attachment | None:
    """The filed attachment if this staff member's agency handles it, else None. The caller records the reading."""
    attachment = Attachment.objects.filter(uuid=uuid).first()
    if attachment is None or not can_staff_read_attachment(user, attachment):
        return None
    return attachment


def attachments_answered(*, draft: Draft, form: Form) -> list[Attachment]:
    """The files the draft's answers refer to (only the filer's own, uploaded for it)."""
    wanted = [u for u in (_uuid(v) for v in attachments_of(draft.answers, form)) if u]
    if not wanted:
        return []
    return list(Attachment.objects.filter(draft=draft, owner_id=draft.filed_by_id, uuid__in=wanted))


def attachments_of(answers: Mapping, form: Form) -> set[str]:
    """The attachment UUIDs the answers refer to."""
    return {str(answers[name]) for name in file_fields(form) if answers.get(name)}


def attachments_orphaned(*, now: datetime | None = None):
    """Attachments no draft or application needs any more: their draft was discarded, expired or filed without
    them, or the citizen replaced them with another file."""
    cutoff = (now or timezone.now()) - ORPHAN_GRACE
    candidates = Attachment.objects.filter(application__isnull=True, created_at__lt=cutoff).select_related(
        "draft"
    )
    gone = candidates.filter(Q(draft__isnull=True) | Q(draft__application__isnull=False))
    orphans = list(gone)
    for attachment in candidates.filter(draft__isnull=False, draft__application__isnull=True):
        if str(attachment.uuid) not in {str(v) for v in attachment.draft.answers.values()}:
            orphans.append(attachment)
    return orphans


def attachments_delete(attachments: Iterable[Attachment]) -> int:
    """Delete the rows now and their files once that is committed, so no row is left pointing at a lost file."""
    names = []
    count = 0
    for attachment in attachments:
        names.append(attachment.file.name)
        attachment.delete()
        count += 1

    def remove_files():
        for name in names:
            default_storage.delete(name)

    transaction.on_commit(remove_files)
    return count
