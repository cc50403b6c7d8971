"""The demo catalogue can be filed: every fileable service has a form and a workflow, and the flagship services'
own forms take a realistic application and refuse the usual mistakes, each on its field."""

import re

import pytest

from bawaba.cases.service_parts import FILEABLE_KINDS, fees_due, form_for, workflow_for
from bawaba.catalogue.selectors import service_get, service_list

pytestmark = pytest.mark.django_db

DECLARED = {"declaration": True}
ARABIC = re.compile("[\u0621-\u064a]")

# A complete, realistic application for each flagship service, as the form's pages would have gathered it
# (prefilled profile values included, uploads as attachment references).
COMPLETE = {
    "traffic.vehicle-licence.renew": {
        "owner_name": "Amina Mahmoud Ali Hassan",
        "owner_national_id": "29103090104240",
        "plate_number": "أ ب ج 1234",
        "chassis_last_digits": "4K7Z21",
        "vehicle_type": "private-car",
        "registered_to_applicant": True,
        "licence_period": "three-years",
        "insurer": "misr-insurance",
        "insurance_policy_number": "MI-2026/884512",
        "insurance_expiry": "2027-03-01",
        "delivery": "home-delivery",
        "delivery_governorate": "giza",
        "delivery_address": "12 Tahrir Street, Dokki, next to the post office",
        "mobile": "+201012345678",
        **DECLARED,
    },
    "ration.household.add-member": {
        "holder_name": "Omar Khaled Abdelrahman",
        "holder_national_id": "28807012103140",
        "ration_card_number": "1029384756",
        "member_national_id": "29505120101234",
        "member_name": "Mona Samir Fathy Ibrahim",
        "relationship": "spouse",
        "member_lives_with_holder": True,
        "reason": "marriage",
        "marriage_date": "2026-01-15",
        **DECLARED,
    },
    "social.beneficiary.update": {
        "full_name": "Fatma Ahmed Hassan Ali",
        "national_id": "28201150101111",
        "mobile": "01012345678",
        "changes": ["household", "address"],
        "household_size": 6,
        "household_event": "birth",
        "governorate": "minya",
        "district": "Mallawi",
        "address": "House 4, El-Gomhoreya Street, near the primary school",
        "address_proof": "attachment-electricity-bill",
        **DECLARED,
    },
    "commerce.business-licence.issue": {
        "owner_name": "Youssef Adel Mansour",
        "owner_national_id": "28807012103140",
        "commercial_registry_number": "184233",
        "mobile": "+201112223334",
        "email": "youssef.mansour@example.com",
        "trade_name": "Nile Bakery",
        "activity": "bakery",
        "premises_governorate": "cairo",
        "premises_address": "7 Port Said Street, Sayeda Zeinab, shop 2",
        "premises_tenure": "rented",
        "lease_contract": "attachment-lease",
        "area_sqm": 62.5,
        "site_sketch": "attachment-sketch",
        "employees": 4,
        "opening_days": ["saturday", "sunday", "monday", "tuesday", "wednesday", "thursday"],
        "opens_at": "06:00",
        "closes_at": "22:30",
        "health_certificate": "attachment-health",
        **DECLARED,
    },
    "civil.birth.register": {
        "child_name_ar": "يوسف",
        "child_name_latin": "Youssef",
        "sex": "male",
        "birth_date": "2026-05-02",
        "birth_time": "14:30",
        "place_kind": "hospital",
        "hospital_name": "Cairo University Hospital",
        "birth_governorate": "cairo",
        "birth_town": "Manial",
        "informant_relationship": "father",
        "informant_name": "Omar Khaled Abdelrahman",
        "informant_national_id": "28807012103140",
        "mother_national_id": "29505120101234",
        "mobile": "+201012345678",
        **DECLARED,
    },
    "traffic.violation.appeal": {
        "appellant_name": "Hany Mostafa Saleh",
        "appellant_national_id": "28807012103140",
        "violation_number": "2026004512",
        "violation_date": "2026-04-20",
        "plate_number": "س ط 482",
        "grounds": "vehicle-sold",
        "sale_date": "2026-03-01",
        "vehicle_sale_contract": "attachment-contract",
        "mobile": "+201012345678",
        **DECLARED,
    },
    "municipality.complaint.submit": {
        "category": "street-lighting",
        "governorate": "giza",
        "district": "Dokki",
        "street": "Nile Street",
        "landmark": "Opposite the mosque",
        "details": "The street light on Nile Street has been out for a week.",
        "photo": "attachment-photo",
        **DECLARED,
    },
}

# (service, changes to the complete answers, the (field, problem) pairs the form must name)
MISTAKES = [
    ("traffic.vehicle-licence.renew", {"plate_number": "ABC 1234"}, {("plate_number", "pattern")}),
    (
        "traffic.vehicle-licence.renew",
        {"chassis_last_digits": "OOO123"},
        {("chassis_last_digits", "pattern")},
    ),
    ("traffic.vehicle-licence.renew", {"insurance_expiry": None}, {("insurance_expiry", "required")}),
    (
        "traffic.vehicle-licence.renew",
        {"delivery": "collect", "delivery_address": None},
        {("traffic_unit", "required")},
    ),
    (
        "traffic.vehicle-licence.renew",
        {"registered_to_applicant": False},
        {("power_of_attorney", "required")},
    ),
    ("traffic.vehicle-licence.renew", {"licence_period": None}, {("licence_period", "required")}),
    ("traffic.vehicle-licence.renew", {"vehicle_type": "tractor"}, {("vehicle_type", "choice")}),
    ("ration.household.add-member", {"member_national_id": "1234"}, {("member_national_id", "pattern")}),
    ("ration.household.add-member", {"relationship": "cousin"}, {("relationship", "choice")}),
    ("ration.household.add-member", {"ration_card_number": "12-34"}, {("ration_card_number", "pattern")}),
    (
        "ration.household.add-member",
        {"reason": "other", "marriage_date": None},
        {("reason_details", "required")},
    ),
    ("ration.household.add-member", {"reason": "custody"}, {("custody_ruling", "required")}),
    ("social.beneficiary.update", {"changes": []}, {("changes", "required")}),
    ("social.beneficiary.update", {"household_size": 0}, {("household_size", "minimum")}),
    ("social.beneficiary.update", {"address_proof": None}, {("address_proof", "required")}),
    (
        "social.beneficiary.update",
        {"changes": ["income"]},
        {("monthly_income", "required"), ("income_source", "required")},
    ),
    (
        "social.beneficiary.update",
        {"changes": ["disability"]},
        {
            ("disabled_member_national_id", "required"),
            ("disability_kind", "required"),
            ("has_services_card", "required"),
        },
    ),
    ("commerce.business-licence.issue", {"email": "youssef@"}, {("email", "pattern")}),
    ("commerce.business-licence.issue", {"lease_contract": None}, {("lease_contract", "required")}),
    ("commerce.business-licence.issue", {"health_certificate": None}, {("health_certificate", "required")}),
    ("commerce.business-licence.issue", {"premises_tenure": "owned"}, {("title_deed", "required")}),
    ("commerce.business-licence.issue", {"area_sqm": 0}, {("area_sqm", "minimum")}),
    ("commerce.business-licence.issue", {"opens_at": "25:00"}, {("opens_at", "pattern")}),
    ("commerce.business-licence.issue", {"opening_days": []}, {("opening_days", "required")}),
    ("commerce.business-licence.issue", {"activity": "casino"}, {("activity", "choice")}),
    ("commerce.business-licence.issue", {"site_sketch": None}, {("site_sketch", "required")}),
    ("civil.birth.register", {"child_name_ar": "Youssef"}, {("child_name_ar", "pattern")}),
    ("civil.birth.register", {"child_name_latin": "يوسف"}, {("child_name_latin", "pattern")}),
    ("civil.birth.register", {"birth_date": None}, {("birth_date", "required")}),
    ("civil.birth.register", {"hospital_name": None}, {("hospital_name", "required")}),
    (
        "civil.birth.register",
        {"informant_relationship": "grandparent"},
        {("father_national_id", "required")},
    ),
    ("civil.birth.register", {"mother_national_id": "3950512010123"}, {("mother_national_id", "pattern")}),
    (
        "civil.birth.register",
        {"place_kind": "abroad"},
        {("birth_country", "required"), ("foreign_birth_certificate", "required")},
    ),
    ("traffic.violation.appeal", {"violation_number": "12AB"}, {("violation_number", "pattern")}),
    ("traffic.violation.appeal", {"grounds": "other"}, {("details", "required")}),
    ("traffic.violation.appeal", {"vehicle_sale_contract": None}, {("vehicle_sale_contract", "required")}),
    (
        "traffic.violation.appeal",
        {"grounds": "vehicle-stolen", "police_report_number": "stolen"},
        {("police_report_number", "pattern")},
    ),
    ("traffic.violation.appeal", {"grounds": "other", "details": "unfair"}, {("details", "min_length")}),
    ("municipality.complaint.submit", {"category": None}, {("category", "required")}),
    ("municipality.complaint.submit", {"category": "other"}, {("category_other", "required")}),
    ("municipality.complaint.submit", {"details": "bad"}, {("details", "min_length")}),
    ("municipality.complaint.submit", {"declaration": False}, {("declaration", "const")}),
]

# The documents each flagship service lists that the citizen brings, and the questions that upload them.
UPLOADS = {
    "traffic.vehicle-licence.renew": {"power-of-attorney": ("power_of_attorney",)},
    "ration.household.add-member": {"custody-ruling": ("custody_ruling",)},
    "social.beneficiary.update": {"proof-of-address": ("address_proof",), "income-proof": ("income_proof",)},
    "commerce.business-licence.issue": {
        "premises-lease": ("lease_contract", "title_deed"),
        "site-sketch": ("site_sketch",),
    },
    "civil.birth.register": {"foreign-birth-certificate": ("foreign_birth_certificate",)},
    "traffic.violation.appeal": {
        "supporting-evidence": ("supporting_evidence",),
        "vehicle-sale-contract": ("vehicle_sale_contract",),
    },
    "municipality.complaint.submit": {"issue-photo": ("photo",)},
}
# Papers a form asks for beyond the service's list: food businesses bring their staff's health certificates.
EXTRA_UPLOADS = {"commerce.business-licence.issue": {"health_certificate"}}

WIRED = {
    "traffic.vehicle-licence.renew": ("vehicle-licence-renew", "payment-first", False),
    "ration.household.add-member": ("ration-add-member", "review", False),
    "social.beneficiary.update": ("social-beneficiary-update", "review", False),
    "commerce.business-licence.issue": ("business-licence", "review", True),
    "civil.birth.register": ("birth-register", "review", False),
    "traffic.violation.appeal": ("violation-appeal", "review", False),
    "municipality.complaint.submit": ("municipality-complaint", "review", False),
}


def form_of(code: str):
    return form_for(service_get(code=code).current_version)


def codes(result) -> set[tuple[str, str]]:
    return {(e.field, e.code) for e in result.errors}


def test_every_fileable_service_has_a_form_and_a_workflow_that_compile():
    services = [s for s in service_list() if s.kind in FILEABLE_KINDS]
    assert len(services) > 30
    for service in services:
        version = service.current_version
        form, workflow = form_for(version), workflow_for(version)
        assert form.steps and form.order, service.code
        assert workflow.initial in workflow.states, service.code
        # Whatever the form, the first state is one a citizen can be told about in both languages.
        assert {"ar", "en"} <= set(workflow.states[workflow.initial].meaning), service.code


@pytest.mark.parametrize("code", sorted(WIRED))
def test_the_flagship_services_carry_their_own_form_and_workflow(code):
    form_name, workflow_name, four_eyes = WIRED[code]
    definition = service_get(code=code).current_version.definition
    assert definition["form"] == form_name and "form_definition" in definition
    assert workflow_for(service_get(code=code).current_version).code == workflow_name
    assert bool(definition.get("four_eyes")) is four_eyes


@pytest.mark.parametrize("code", sorted(WIRED))
def test_documents_the_state_holds_are_never_asked_for_and_the_others_are_upload_questions(code):
    definition = service_get(code=code).current_version.definition
    form = form_of(code)
    brought = {d["code"] for d in definition.get("documents", []) if not d.get("from_registry")}
    assert brought == set(UPLOADS[code]), code
    questions = {name for names in UPLOADS[code].values() for name in names}
    uploads = {name for name, field in form.fields.items() if field.widget == "file"}
    assert questions <= uploads and uploads - questions == EXTRA_UPLOADS.get(code, set())
    for name in uploads:
        assert form.fields[name].accept and form.fields[name].max_size_mb
    for document in definition.get("documents", []):
        names = UPLOADS[code].get(document["code"], ())
        if document.get("required", True) and len(names) == 1:
            assert names[0] in form.required, f"{code}: {document['code']} is always needed"


@pytest.mark.parametrize("code", sorted(COMPLETE))
def test_a_complete_realistic_application_is_accepted(code):
    result = form_of(code).clean_all(COMPLETE[code])
    assert result.ok, result.errors
    assert result.values["declaration"] is True


@pytest.mark.parametrize("code", sorted(WIRED))
def test_every_label_help_and_error_of_a_flagship_form_is_in_both_languages(code):
    for field in form_of(code).fields.values():
        texts = [field.label, *([field.help] if field.help else []), *field.errors.values()]
        texts += [label for _, label in field.choices]
        for text in texts:
            assert ARABIC.search(text["ar"]), (code, field.name, text)
            assert re.search("[A-Za-z]", text["en"]), (code, field.name, text)


@pytest.mark.parametrize(("code", "change", "expected"), MISTAKES)
def test_typical_mistakes_are_refused_on_their_field(code, change, expected):
    answers = {k: v for k, v in {**COMPLETE[code], **change}.items() if v is not None}
    result = form_of(code).clean_all(answers)
    assert not result.ok
    assert expected <= codes(result), result.errors


def test_answers_to_questions_that_do_not_show_are_dropped():
    # A lease uploaded and then the premises said to be owned: the title deed is needed and the lease is gone.
    answers = {
        **COMPLETE["commerce.business-licence.issue"],
        "premises_tenure": "owned",
        "title_deed": "deed",
    }
    result = form_of("commerce.business-licence.issue").clean_all(answers)
    assert result.ok and "lease_contract" not in result.values and result.values["title_deed"] == "deed"
    # A retail shop needs no health certificate: one sent anyway is not kept.
    retail = {**COMPLETE["commerce.business-licence.issue"], "activity": "clothing"}
    assert "health_certificate" not in form_of("commerce.business-licence.issue").clean_all(retail).values


def test_sections_follow_the_boxes_ticked():
    form = form_of("social.beneficiary.update")
    only_address = {**COMPLETE["social.beneficiary.update"], "changes": ["address"]}
    result = form.clean_all(only_address)
    assert result.ok and "household_size" not in result.values
    assert [s.key for s in form.visible_steps(only_address)] == [
        "beneficiary",
        "changes",
        "address",
        "declaration",
    ]


def test_the_prefilled_national_id_cannot_be_changed_by_posting():
    form = form_of("civil.birth.register")
    result = form.clean_step(
        "parents",
        {
            "informant_relationship": ["father"],
            "informant_name": ["Omar Khaled Abdelrahman"],
            "informant_national_id": ["29999999999999"],
            "mother_national_id": ["29505120101234"],
            "mobile": ["01012345678"],
        },
        {"informant_national_id": "28807012103140"},
    )
    assert result.ok, result.errors
    assert result.values["informant_national_id"] == "28807012103140"
    assert "father_national_id" not in result.values  # the father is the informant: his number is known


def test_plates_and_numbers_typed_with_arabic_digits_are_read():
    form = form_of("traffic.vehicle-licence.renew")
    result = form.clean_step(
        "vehicle",
        {
            "owner_name": ["Amina Mahmoud Ali Hassan"],
            "plate_number": ["أ ب ج ١٢٣٤"],
            "chassis_last_digits": ["4K7Z21"],
            "vehicle_type": ["taxi"],
            "registered_to_applicant": ["true"],
        },
        {},
    )
    assert result.ok, result.errors
    assert result.values["plate_number"] == "أ ب ج 1234"


def test_the_fees_due_follow_the_options_chosen():
    renew = service_get(code="traffic.vehicle-licence.renew").current_version.definition
    assert fees_due(renew) == (0, "EGP")  # without answers, only fixed fees are known
    answers = form_of("traffic.vehicle-licence.renew").clean_all(COMPLETE["traffic.vehicle-licence.renew"])
    assert fees_due(renew, answers.values) == (45000 + 3500, "EGP")
    commerce = service_get(code="commerce.business-licence.issue").current_version.definition
    checked = form_of("commerce.business-licence.issue").clean_all(
        COMPLETE["commerce.business-licence.issue"]
    )
    assert checked.values["activity_class"] == "medium-risk"
    assert fees_due(commerce, checked.values) == (300000, "EGP")
