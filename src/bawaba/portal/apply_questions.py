"""An e-form's questions as the pages show them: labels, help, values and problems in the citizen's language.

The form engine speaks in field names, typed values and error codes; this module turns them into what a
template renders (ids, texts, choices ticked, the file uploaded) and the words for each problem, preferring
the message the form's author wrote for that question.
"""

import mimetypes
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bawaba.core.i18n import pick
from bawaba.forms.engine import Field, FieldError, Form
from bawaba.forms.models import Attachment
from bawaba.forms.prefill import REGISTRY

GROUPS = {"radio", "checkboxes", "yes-no"}
OPTIONAL_IN_LABEL = re.compile(r"optional|اختياري", re.IGNORECASE)
INPUT_TYPES = {"text": "text", "email": "email", "phone": "tel", "national-id": "text", "date": "date"}
# Friendly names of the file types forms accept; any other is named by its subtype.
TYPE_NAMES = {
    "application/pdf": "PDF",
    "image/jpeg": "JPEG",
    "image/png": "PNG",
    "image/gif": "GIF",
    "image/webp": "WebP",
    "image/tiff": "TIFF",
}


@dataclass(frozen=True)
class Choice:
    id: str
    value: str
    label: str
    checked: bool


@dataclass
class Question:
    name: str
    id: str
    widget: str
    label: str
    help: str
    required: bool
    value: str = ""
    choices: list[Choice] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    read_only: bool = False
    source: str = ""
    display: str = ""
    attachment: Attachment | None = None
    accept: str = ""
    accept_names: str = ""
    max_size_mb: int = 0
    report_url: str = ""

    @property
    def says_optional(self) -> bool:
        """Whether to add "(optional)" to the label: not when the form's author already wrote it there."""
        return not self.required and not OPTIONAL_IN_LABEL.search(self.label)

    @property
    def group(self) -> bool:
        return self.widget in GROUPS

    @property
    def input_type(self) -> str:
        return INPUT_TYPES.get(self.widget, "text")

    @property
    def anchor(self) -> str:
        """Where the error summary's link for this question points: its first box for a group."""
        return self.choices[0].id if self.group and self.choices else self.id

    @property
    def describedby(self) -> str:
        ids = []
        if self.help:
            ids.append(f"{self.id}-help")
        if self.widget == "file":
            ids.append(f"{self.id}-types")
        ids += [f"{self.id}-error-{n}" for n in range(1, len(self.errors) + 1)]
        return " ".join(ids)


def type_names(accept: Iterable[str]) -> str:
    return ", ".join(TYPE_NAMES.get(t, t.split("/")[-1].upper()) for t in accept)


def accept_attribute(accept: Iterable[str]) -> str:
    """The file input's accept attribute: the media types and their usual extensions, for the file picker."""
    parts = []
    for media_type in accept:
        parts.append(media_type)
        parts += sorted(mimetypes.guess_all_extensions(media_type))
    return ",".join(dict.fromkeys(parts))


def yes_no(value) -> str:
    return _("Yes") if value else _("No")


def error_text(spec: Field, error: FieldError) -> str:
    """The author's message for this question and problem if they wrote one, else the platform's own words."""
    own = spec.errors.get(error.code)
    if own:
        return pick(own)
    limit = error.params.get("limit")
    code = error.code
    if code == "required":
        if spec.widget == "file":
            return _("Choose a file to upload.")
        if spec.widget == "checkbox":
            return _("Tick this box to continue.")
        if spec.widget in GROUPS or spec.widget == "select":
            return _("Choose an answer.")
        return _("Answer this question.")
    if code == "integer":
        return _("Enter a whole number, for example 12.")
    if code in ("number", "type") and spec.widget == "number":
        return _("Enter a number, for example 12 or 12.5.")
    if code == "date" or (code == "format" and spec.widget == "date"):
        return _("Enter a real date.")
    if code == "boolean":
        return _("Choose yes or no.")
    if code == "choice":
        return _("Choose one of the answers given.")
    if code == "min_length":
        return ngettext(
            "Enter at least %(limit)d character.", "Enter at least %(limit)d characters.", limit
        ) % {"limit": limit}
    if code == "max_length":
        return ngettext(
            "Enter no more than %(limit)d character.", "Enter no more than %(limit)d characters.", limit
        ) % {"limit": limit}
    if code == "minimum":
        return _("Enter %(limit)s or more.") % {"limit": limit}
    if code == "maximum":
        return _("Enter %(limit)s or less.") % {"limit": limit}
    if code == "min_items":
        return ngettext("Choose at least %(limit)d answer.", "Choose at least %(limit)d answers.", limit) % {
            "limit": limit
        }
    if code == "max_items":
        return ngettext(
            "Choose no more than %(limit)d answer.", "Choose no more than %(limit)d answers.", limit
        ) % {"limit": limit}
    if code == "format" and spec.widget == "email":
        return _("Enter an e-mail address such as name@example.com.")
    if code in ("pattern", "format"):
        if spec.widget == "national-id":
            return _("Enter the national ID number as it is written on the card: digits only.")
        if spec.widget == "phone":
            return _("Enter a phone number, for example 01001234567.")
        return _("Enter the answer in the form asked for.")
    if code == "file_empty":
        return _("The file you chose is empty.")
    if code == "file_size":
        return _("The file must be %(limit)s MB or smaller.") % {"limit": error.params.get("limit")}
    if code == "file_type":
        accepted = type_names(spec.accept)
        found = error.params.get("found")
        if found:
            return _(
                "The file must be one of these types: %(accepted)s. The file you chose is a %(found)s."
            ) % {
                "accepted": accepted,
                "found": TYPE_NAMES.get(found, found),
            }
        return _(
            "The file must be one of these types: %(accepted)s. We could not tell what the file you chose is."
        ) % {"accepted": accepted}
    if code == "attachment":
        return _("Upload the file again: the one given is not one you uploaded for this form.")
    return _("Check this answer.")


def display(spec: Field, value, attachments: Mapping[str, Attachment]) -> str:
    """An answer in words, as the review page and read-only questions show it."""
    if value in (None, "", []):
        return ""
    labels = {v: pick(label) for v, label in spec.choices}
    if spec.widget in ("checkbox", "yes-no"):
        return yes_no(value)
    if spec.widget == "checkboxes":
        return ", ".join(labels.get(str(v), str(v)) for v in value)
    if spec.widget in ("select", "radio"):
        return labels.get(str(value), str(value))
    if spec.widget == "file":
        attachment = attachments.get(str(value))
        return attachment.name if attachment else ""
    if spec.widget == "date":
        try:
            return formats.date_format(date.fromisoformat(str(value)), "j F Y")
        except ValueError:
            return str(value)
    return str(value)


def _posted_text(posted: Sequence[str] | None) -> str:
    return posted[-1] if posted else ""


def questions(
    form: Form,
    names: Iterable[str],
    *,
    answers: Mapping,
    posted: Mapping[str, Sequence[str]] | None = None,
    errors: Iterable[FieldError] = (),
    attachments: Mapping[str, Attachment] | None = None,
) -> list[Question]:
    """The questions `names` as the page shows them: with what was posted when a step is shown again after a
    problem (so nothing the citizen typed is lost), else with the answers saved."""
    attachments = attachments or {}
    problems: dict[str, list[str]] = {}
    for error in errors:
        problems.setdefault(error.field, []).append(error_text(form.fields[error.field], error))
    out = []
    for name in names:
        spec = form.fields[name]
        saved = answers.get(name)
        raw = posted.get(name) if posted is not None and name in posted else None
        question = Question(
            name=name,
            id=f"q-{name}",
            widget=spec.widget,
            label=pick(spec.label),
            help=pick(spec.help),
            required=form.is_required(name, answers),
            errors=problems.get(name, []),
            read_only=spec.read_only,
        )
        if spec.read_only:
            question.source = (
                pick(REGISTRY[spec.prefill.source].label) if spec.prefill.source in REGISTRY else ""
            )
            question.display = display(spec, saved, attachments)
        elif spec.widget == "file":
            question.attachment = attachments.get(str(saved)) if saved else None
            question.accept = accept_attribute(spec.accept)
            question.accept_names = type_names(spec.accept)
            question.max_size_mb = spec.max_size_mb
        elif spec.widget in ("radio", "select", "checkboxes", "yes-no"):
            if spec.widget == "yes-no":
                options = [("true", _("Yes")), ("false", _("No"))]
                chosen = (
                    set(raw)
                    if raw is not None
                    else ({"true" if saved else "false"} if saved is not None else set())
                )
            else:
                options = [(v, pick(label)) for v, label in spec.choices]
                if raw is not None:
                    chosen = set(raw)
                elif isinstance(saved, list):
                    chosen = {str(v) for v in saved}
                else:
                    chosen = {str(saved)} if saved is not None else set()
            question.choices = [
                Choice(id=f"q-{name}-{n}", value=v, label=label, checked=v in chosen)
                for n, (v, label) in enumerate(options)
            ]
        elif spec.widget == "checkbox":
            question.value = (
                "on"
                if (raw is not None and _posted_text(raw) in ("on", "true"))
                or (raw is None and saved is True)
                else ""
            )
        else:
            question.value = _posted_text(raw) if raw is not None else ("" if saved is None else str(saved))
        out.append(question)
    return out
