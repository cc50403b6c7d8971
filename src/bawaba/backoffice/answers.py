"""The applicant's answers as an officer reads them: by the form's steps, under the form's own labels, each
prefilled answer marked with where it came from, and the uploaded documents apart."""

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from bawaba.cases.service_parts import form_for
from bawaba.core.i18n import pick
from bawaba.forms.engine import Field
from bawaba.forms.prefill import REGISTRY

__all__ = ["AnswerRow", "AnswerStep", "answers_by_step"]


def _source_words(source: str) -> str:
    # The registry labels speak to the citizen ("your account"); an officer reads whose data it is.
    words = {"profile": _("the applicant's Bawaba account")}
    if source in words:
        return words[source]
    known = REGISTRY.get(source)
    return pick(known.label) if known else source


@dataclass(frozen=True)
class AnswerRow:
    name: str
    label: str
    value: str
    widget: str
    source: str = ""  # where a prefilled answer came from
    authoritative: bool = False  # from a system of record: the applicant could not change it
    attachment: object = None  # the file filed with the application, for a file question

    @property
    def is_file(self) -> bool:
        return self.widget == "file"

    @property
    def is_long(self) -> bool:
        return self.widget == "textarea"


@dataclass(frozen=True)
class AnswerStep:
    key: str
    title: str
    rows: list[AnswerRow] = field(default_factory=list)


def _shown(spec: Field, value) -> str:
    if value in (None, "", []):
        return ""
    labels = {code: pick(label) for code, label in spec.choices}
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    if spec.widget == "date":
        try:
            return date_format(date.fromisoformat(str(value)), "j F Y")
        except ValueError:
            return str(value)
    return labels.get(str(value), str(value))


def answers_by_step(
    application, documents_filed: dict | None = None
) -> tuple[list[AnswerStep], list[AnswerRow]]:
    """The steps the applicant went through with their answers, and the documents they uploaded
    (`documents_filed`: the attachments filed with the application, by UUID)."""
    documents_filed = documents_filed or {}
    form = form_for(application.service_version)
    answers = application.answers or {}
    shown = form.visible(answers)
    steps, documents = [], []
    for step in form.steps:
        rows = []
        for name in step.fields:
            if name not in shown:
                continue
            spec = form.fields[name]
            row = AnswerRow(
                name,
                pick(spec.label),
                _shown(spec, answers.get(name)),
                spec.widget,
                source=_source_words(spec.prefill.source) if spec.prefill else "",
                authoritative=spec.read_only,
                attachment=documents_filed.get(str(answers.get(name))) if spec.widget == "file" else None,
            )
            (documents if row.is_file else rows).append(row)
        if rows:
            steps.append(AnswerStep(step.key, pick(step.title), rows))
    computed = [
        AnswerRow(name, name, str(answers[name]), "computed") for name in form.computed if name in answers
    ]
    if computed:
        steps.append(AnswerStep("computed", _("Worked out by the form"), computed))
    return steps, documents
