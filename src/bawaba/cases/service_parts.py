"""What a published service version means for an application: its form, its workflow and the fees due.

A version carries its own form and workflow when its definition names them; every other service that takes
applications gets a sensible default so that it can be filed: a form asking for the details and the documents
the citizen must upload, and the workflow its kind calls for.
"""

from functools import lru_cache

from bawaba.catalogue.models import ServiceVersion
from bawaba.forms.definitions import compile_form
from bawaba.forms.engine import Form
from bawaba.forms.prefill import REGISTRY
from bawaba.workflows.definitions import compile_workflow, standard_definitions, standard_workflows
from bawaba.workflows.engine import Workflow

__all__ = [
    "FILEABLE_KINDS",
    "default_form_definition",
    "fees_due",
    "form_for",
    "workflow_facts",
    "workflow_for",
]

FILEABLE_KINDS = {"inquiry", "application", "payment"}
UPLOAD_TYPES = ["application/pdf", "image/jpeg", "image/png"]
UPLOAD_MAX_MB = 10


def _field_name(document_code: str) -> str:
    return "document_" + document_code.replace("-", "_")


def default_form_definition(definition: dict) -> dict:
    """The details of the request, an upload per document the citizen must bring, and the declaration."""
    properties: dict = {"details": {"type": "string", "minLength": 10, "maxLength": 2000}}
    fields: dict = {
        "details": {
            "label": {"ar": "تفاصيل طلبك", "en": "Details of your request"},
            "help": {
                "ar": "اكتب ما تطلبه والبيانات التي تحتاجها الجهة لمعالجته.",
                "en": "Say what you are asking for and what the agency needs to know to handle it.",
            },
            "widget": "textarea",
        }
    }
    required = ["details"]
    uploads = []
    for document in definition.get("documents", []):
        if document.get("from_registry"):
            continue  # the platform fetches it: the citizen never uploads what the state already has
        name = _field_name(document["code"])
        properties[name] = {"type": "string"}
        fields[name] = {
            "label": dict(document["name"]),
            "widget": "file",
            "accept": UPLOAD_TYPES,
            "max_size_mb": UPLOAD_MAX_MB,
        }
        if "note" in document:
            fields[name]["help"] = dict(document["note"])
        if document.get("required", True):
            required.append(name)
        uploads.append(name)
    properties["declaration"] = {"type": "boolean", "const": True}
    fields["declaration"] = {
        "label": {
            "ar": "أقر بأن البيانات التي قدمتها صحيحة وكاملة.",
            "en": "I declare that the information I have given is true and complete.",
        },
        "widget": "checkbox",
        "errors": {
            "const": {"ar": "يجب الإقرار قبل التقديم.", "en": "You must make the declaration to submit."},
            "required": {"ar": "يجب الإقرار قبل التقديم.", "en": "You must make the declaration to submit."},
        },
    }
    required.append("declaration")
    steps = [{"key": "details", "title": {"ar": "طلبك", "en": "Your request"}, "fields": ["details"]}]
    if uploads:
        steps.append({"key": "documents", "title": {"ar": "المستندات", "en": "Documents"}, "fields": uploads})
    steps.append(
        {"key": "declaration", "title": {"ar": "الإقرار", "en": "Declaration"}, "fields": ["declaration"]}
    )
    return {
        "schema": {"type": "object", "properties": properties, "required": required},
        "steps": steps,
        "fields": fields,
    }


@lru_cache(maxsize=2048)
def _form(version_pk: int, content_hash: str) -> Form:
    version = ServiceVersion.objects.get(pk=version_pk)
    data = version.definition.get("form_definition") or default_form_definition(version.definition)
    return compile_form(data, prefill_sources=REGISTRY)


def form_for(version: ServiceVersion) -> Form:
    """The version's form, built once per process (a published version never changes)."""
    return _form(version.pk, version.content_hash)


def default_workflow_name(definition: dict) -> str:
    if definition["kind"] != "application" or definition.get("sla_working_days", 0) == 0:
        return "instant"
    return "review"


@lru_cache(maxsize=2048)
def _workflow(version_pk: int, content_hash: str) -> Workflow:
    definition = ServiceVersion.objects.get(pk=version_pk).definition
    if own := definition.get("workflow_definition"):
        return compile_workflow(own, bases=standard_definitions())
    return standard_workflows()[definition.get("workflow") or default_workflow_name(definition)]


def workflow_for(version: ServiceVersion) -> Workflow:
    return _workflow(version.pk, version.content_hash)


def fees_due(definition: dict, answers: dict | None = None) -> tuple[int, str]:
    """The fees of the service, in minor units, and their currency: the fixed ones, and with the answers the
    amounts of the options the citizen chose (an option rule's `field: vehicle-type` is the question
    `vehicle_type`). Late penalties and exemptions need registry facts and are settled at payment."""
    fees = definition.get("fees") or {}
    total = 0
    for rule in fees.get("rules", []):
        if rule["kind"] == "fixed":
            total += rule["amount"]
        elif rule["kind"] == "option" and answers:
            total += rule["amounts"].get(str(answers.get(rule["field"].replace("-", "_"))), 0)
    return total, fees.get("currency", "")


def workflow_facts(application, *, actor=None) -> dict:
    """What the workflow's guards look at for this application, with `actor` the person about to act."""
    return {
        "fees_due": application.fees_due,
        "fees_paid": application.fees_paid,
        "four_eyes": bool(application.service_version.definition.get("four_eyes")),
        "actor_id": str(actor.uuid) if actor else "",
        "proposed_by": str(application.proposed_by.uuid) if application.proposed_by_id else None,
    }
