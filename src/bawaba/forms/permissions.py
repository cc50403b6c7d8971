"""Who may read an uploaded file. Plain functions; nothing switches them off."""

from bawaba.accounts.models import User
from bawaba.accounts.permissions import can_work_on_agency_cases

from .models import Attachment


def can_read_attachment(user: User, attachment: Attachment) -> bool:
    """The person who uploaded it. Staff read filed attachments only through the back office, which records
    each reading (see can_staff_read_attachment)."""
    return user.is_authenticated and user.is_active and attachment.owner_id == user.pk


def can_staff_read_attachment(user: User, attachment: Attachment) -> bool:
    """Staff of the agency that handles the application the file was filed with."""
    if not user.is_authenticated or not user.is_active:
        return False
    if attachment.application is None or not attachment.agency:
        return False
    return can_work_on_agency_cases(user, agency=attachment.agency)
