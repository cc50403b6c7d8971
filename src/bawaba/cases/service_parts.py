"""What a published service version means for an application: its form, its workflow and the fees due.

A version carries its own form and workflow when its definition names them; every other service that takes
applications gets a sensible default so that it can be filed: a form asking for the details and the documents
the citizen must upload, and the workflow its kind calls for.
"""

from functools import lru_cache

from bawaba.accounts.models import User
from bawaba.catalogue.models import ServiceVersion
from bawaba.forms.definitions import compile_form
from bawaba.forms.engine import Form
from bawaba.forms.prefill import REGISTRY
from bawaba.payments.fees import Quote, quote
from bawaba.workflows.definitions import compile_workflow, standard_definitions, standard_workflows
from bawaba.workflows.engine import Workflow

from .applicant_facts import applicant_facts

__all__ = [
    "FILEABLE_KINDS",
    "default_form_definition",
    "fee_groups",
    "fee_quote",
    "fees_due",
    "form_for",
    "workflow_facts",
    "workflow_for",
]

FILEABLE_KINDS = {"inquiry", "application", "payment"}
UPLOAD_TYPES = ["application/pdf", "image/jpeg", "image/png"]
UPLOAD_MAX_MB = 10
ELDERLY_AGE = 60  # the age from which a service's "elderly" exemption applies


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


def fee_groups(facts: dict) -> set[str]:
    """The fee-exemption groups the applicant's known facts place them in. A group no fact speaks for here
    (social-protection beneficiaries, persons with disabilities) is not applied: the registries issue brings
    those facts through the data exchange."""
    groups = set()
    if facts.get("age", -1) >= ELDERLY_AGE:
        groups.add("elderly")
    return groups


def fee_quote(definition: dict, answers: dict | None = None, *, applicant: User | None = None) -> Quote:
    """The fees the citizen owes at filing, line by line: the service's rules priced with the answers (an
    option rule's `field: vehicle-type` is the question `vehicle_type`) and the exemptions the applicant's
    known facts grant. Raises FeeRefused for an answer the rules cannot price."""
    fees = definition.get("fees") or {}
    if not fees.get("rules"):
        return Quote(lines=(), total=0, currency=fees.get("currency", ""))
    groups = fee_groups(applicant_facts(applicant)) if applicant is not None else set()
    # No registry tells the platform yet how late a renewal is: late penalties are settled at payment until
    # the registries issue brings the expiry dates.
    return quote(fees["rules"], fees["currency"], answers=answers, groups=groups, days_late=0)


def fees_due(
    definition: dict, answers: dict | None = None, *, applicant: User | None = None
) -> tuple[int, str]:
    """The fees of the service in minor units, and their currency, as `fee_quote` works them out."""
    due = fee_quote(definition, answers, applicant=applicant)
    return due.total, due.currency


def workflow_facts(application, *, actor=None) -> dict:
    """What the workflow's guards look at for this application, with `actor` the person about to act."""
    return {
        "fees_due": application.fees_due,
        "fees_paid": application.fees_paid,
        "four_eyes": bool(application.service_version.definition.get("four_eyes")),
        "actor_id": str(actor.uuid) if actor else "",
        "proposed_by": str(application.proposed_by.uuid) if application.proposed_by_id else None,
    }
