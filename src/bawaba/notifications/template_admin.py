"""Administrators' wording of the notices: checked, previewed with the notice's examples, saved, restored.

The shipped wording (notices.yaml) never changes here: a saved Template takes its place for one notice in one
language until an administrator restores the shipped one. Every save and restore is in the audit log.
"""

import uuid
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from bawaba.accounts.models import User
from bawaba.accounts.permissions import can_manage_notifications
from bawaba.audit.services import audit_record

from .models import Template
from .notices import LANGUAGES, Notice, Wording, notice_get, notices
from .providers.smpp.encoding import GSM_PART, GSM_SINGLE, UCS2_PART, UCS2_SINGLE, gsm_encode
from .wording import fill, placeholders_of, problems

__all__ = [
    "FIELDS",
    "LIMITS",
    "Preview",
    "SmsSize",
    "TemplateInvalid",
    "WordingState",
    "sms_size",
    "template_preview",
    "template_problems",
    "template_restore",
    "template_save",
    "wording_state",
    "wording_states",
]

FIELDS = ("sms", "subject", "body")
# Room for any sensible notice; the title is also an e-mail subject and the model's column.
LIMITS = {"sms": 1000, "subject": 200, "body": 5000}
# The placeholder a secret notice carries: the text must hold it, and the title, which is kept in clear on
# the message and shown to staff, must not.
SECRET_NAME = "code"  # noqa: S105 (a placeholder's name, not a secret)
GSM, UCS2 = "GSM-7", "UCS-2"


class TemplateInvalid(Exception):
    def __init__(self, problems: dict[str, list[str]]):
        super().__init__(problems)
        self.problems = problems


@dataclass(frozen=True)
class SmsSize:
    length: int  # GSM septets (an extension character such as € takes two) or UTF-16 code units
    encoding: str  # GSM-7, or UCS-2 as soon as one character (any Arabic letter) is not in the GSM alphabet
    parts: int
    per_part: int  # what one part holds: the single-SMS limit when it fits in one, else a part's share


def sms_size(text: str) -> SmsSize:
    """How an SMS travels: its encoding, length and parts, split as the SMPP provider splits it (a character
    of two units is never cut between two parts)."""
    if gsm_encode(text) is not None:
        widths = [len(gsm_encode(char)) for char in text]
        encoding, single, part = GSM, GSM_SINGLE, GSM_PART
    else:
        widths = [2 if ord(char) > 0xFFFF else 1 for char in text]
        encoding, single, part = UCS2, UCS2_SINGLE, UCS2_PART
    length = sum(widths)
    if length <= single:
        return SmsSize(length, encoding, 1, single)
    parts, used = 1, 0
    for width in widths:
        if used + width > part:
            parts, used = parts + 1, 0
        used += width
    return SmsSize(length, encoding, parts, part)


@dataclass(frozen=True)
class Preview:
    sms: str
    subject: str
    body: str
    sms_size: SmsSize


def _empty_words(field: str) -> str:
    return {
        "sms": _("Enter the SMS text."),
        "subject": _("Enter the title."),
        "body": _("Enter the e-mail and inbox text."),
    }[field]


def template_problems(*, notice: str, sms: str, subject: str, body: str) -> dict[str, list[str]]:
    """What is wrong with each field, in words for the administrator; {} when the wording can be used."""
    spec = notice_get(notice)
    texts = {"sms": sms, "subject": subject, "body": body}
    found: dict[str, list[str]] = {}
    for field, text in texts.items():
        text = (text or "").strip()
        if not text:
            found[field] = [_empty_words(field)]
            continue
        field_problems = []
        if len(text) > LIMITS[field]:
            field_problems.append(
                _("At most %(limit)s characters: this text has %(count)s.")
                % {"limit": LIMITS[field], "count": len(text)}
            )
        if field == "subject" and ("\n" in text or "\r" in text):
            field_problems.append(_("The title must be on one line."))
        field_problems += problems(text, spec.names)
        if spec.secret and not field_problems:
            field_problems += _secret_problems(field, text)
        if field_problems:
            found[field] = field_problems
    return found


def _secret_problems(field: str, text: str) -> list[str]:
    holds_code = SECRET_NAME in placeholders_of(text)
    if field == "subject" and holds_code:
        return [
            _(
                "The title is kept with the message and shown to staff: it cannot contain the code. "
                "Remove {code} from the title."
            )
        ]
    if field != "subject" and not holds_code:
        return [_("This notice carries a code: the text must contain {code}.")]
    return []


def _checked(notice: str, sms: str, subject: str, body: str) -> Wording:
    found = template_problems(notice=notice, sms=sms, subject=subject, body=body)
    if found:
        raise TemplateInvalid(found)
    return Wording(sms=sms.strip(), subject=subject.strip(), body=body.strip())


def template_preview(*, notice: str, sms: str, subject: str, body: str) -> Preview:
    """The three texts filled with the notice's examples, as a recipient would read them.

    Raises TemplateInvalid as saving would: a text is only ever filled once it has passed the checks.
    """
    wording = _checked(notice, sms, subject, body)
    examples = notice_get(notice).placeholders
    filled_sms = fill(wording.sms, examples)
    return Preview(
        sms=filled_sms,
        subject=fill(wording.subject, examples),
        body=fill(wording.body, examples),
        sms_size=sms_size(filled_sms),
    )


def _actor(user: User) -> str:
    return f"user:{user.uuid}"


def _allowed(actor: User, notice: str, language: str) -> None:
    if not can_manage_notifications(actor):
        raise PermissionDenied
    notice_get(notice)  # KeyError: no such notice
    if language not in LANGUAGES:
        raise ValueError(f"no such language: {language}")


@transaction.atomic
def template_save(*, notice: str, language: str, sms: str, subject: str, body: str, actor: User) -> Template:
    """The administrator's wording of `notice` in `language`, used for every message written from now on."""
    _allowed(actor, notice, language)
    wording = _checked(notice, sms, subject, body)
    template, _created = Template.objects.update_or_create(
        notice=notice,
        language=language,
        defaults={
            "sms": wording.sms,
            "subject": wording.subject,
            "body": wording.body,
            "updated_by": _actor(actor),
        },
    )
    audit_record(
        action="notifications.template.saved",
        actor=_actor(actor),
        subject_type="notice-template",
        subject_id=f"{notice}/{language}",
        data={"notice": notice, "language": language, **vars(wording)},
    )
    return template


@transaction.atomic
def template_restore(*, notice: str, language: str, actor: User) -> bool:
    """Back to the shipped wording; False when the shipped wording was already in force."""
    _allowed(actor, notice, language)
    deleted, _kinds = Template.objects.filter(notice=notice, language=language).delete()
    if not deleted:
        return False
    audit_record(
        action="notifications.template.restored",
        actor=_actor(actor),
        subject_type="notice-template",
        subject_id=f"{notice}/{language}",
        data={"notice": notice, "language": language},
    )
    return True


@dataclass(frozen=True)
class WordingState:
    language: str
    saved: Template | None  # None: the shipped wording is in force
    changed_by: str  # the administrator's name, for a saved one
    changed_at: datetime | None


def wording_states() -> list[tuple[Notice, list[WordingState]]]:
    """Every notice with, per language, whose wording is in force: two queries whatever the number."""
    saved = {(t.notice, t.language): t for t in Template.objects.all()}
    people = _people(t.updated_by for t in saved.values())
    return [
        (notice, [_state(language, saved.get((code, language)), people) for language in LANGUAGES])
        for code, notice in notices().items()
    ]


def wording_state(notice: str, language: str) -> WordingState:
    template = Template.objects.filter(notice=notice, language=language).first()
    return _state(language, template, _people([template.updated_by] if template else []))


def _state(language: str, template: Template | None, people: dict[str, str]) -> WordingState:
    if template is None:
        return WordingState(language, None, "", None)
    return WordingState(
        language, template, people.get(template.updated_by, template.updated_by), template.updated_at
    )


def _people(actors) -> dict[str, str]:
    """ "user:<uuid>" → the person's name (their user name when they have none)."""
    uuids = []
    for actor in actors:
        try:
            uuids.append(uuid.UUID(actor.removeprefix("user:")))
        except ValueError:
            continue
    if not uuids:
        return {}
    users = User.objects.filter(uuid__in=uuids).only("uuid", "first_name", "last_name", "username")
    return {_actor(user): user.get_full_name().strip() or user.username for user in users}
