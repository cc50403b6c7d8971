"""Reading definition files: the shipped catalogue is complete, and every bad file is refused with its line."""

import csv
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from bawaba.catalogue.definitions_loader import TAXONOMY_FILE, read_catalogue

# The service codes the demo catalogue has promised to carry, with their names in both languages.
SHARED_CODES = Path(__file__).with_name("required-codes.tsv")

GOOD = """\
agency:
  code: {code}
  name: {{ar: جهة الاختبار, en: Test Agency}}
  description: {{ar: جهة للاختبار., en: An agency for tests.}}
services:
  - code: {code}.permit.issue
    name: {{ar: إصدار تصريح, en: Issue a permit}}
    summary: {{ar: تصريح., en: A permit.}}
    description: {{ar: وصف., en: Description.}}
    category: family
    kind: application
    audience: [citizen]
    channels: [online, centre]
    assurance: substantial
    sla_working_days: 3
    fees:
      currency: EGP
      rules:
        - {{kind: fixed, label: {{ar: رسم, en: Fee}}, amount: 2500}}
"""


@pytest.fixture
def folder(tmp_path):
    shutil.copy(Path(settings.BAWABA_CATALOGUE_DIR) / TAXONOMY_FILE, tmp_path / TAXONOMY_FILE)
    return tmp_path


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_catalogue_is_valid_and_carries_every_required_code():
    catalogue = read_catalogue(Path(settings.BAWABA_CATALOGUE_DIR))
    assert catalogue.errors == []
    codes = {service["code"] for f in catalogue.files for service in f.services}
    required = {row["code"] for row in csv.DictReader(SHARED_CODES.open(encoding="utf-8"), delimiter="\t")}
    assert required - codes == set()
    names = {s["code"]: s["name"] for f in catalogue.files for s in f.services}
    for row in csv.DictReader(SHARED_CODES.open(encoding="utf-8"), delimiter="\t"):
        assert names[row["code"]] == {"ar": row["arabic name"], "en": row["english name"]}


def test_a_good_file_is_read(folder):
    write(folder, "test-agency.yaml", GOOD.format(code="test-agency"))
    catalogue = read_catalogue(folder)
    assert catalogue.errors == []
    assert [s["code"] for s in catalogue.files[0].services] == ["test-agency.permit.issue"]


def test_broken_yaml_names_file_and_line(folder):
    text = GOOD.format(code="test-agency").replace("    kind: application\n", "    kind: [application\n")
    write(folder, "test-agency.yaml", text)
    catalogue = read_catalogue(folder)
    assert catalogue.files == []
    (error,) = catalogue.errors
    assert error.file == "test-agency.yaml"
    assert "not valid YAML" in error.reason
    assert error.line >= 11


def test_missing_english_name_names_the_line_and_field(folder):
    text = GOOD.format(code="test-agency").replace(
        "name: {ar: إصدار تصريح, en: Issue a permit}", "name: {ar: إصدار تصريح}"
    )
    write(folder, "test-agency.yaml", text)
    (error,) = read_catalogue(folder).errors
    assert (error.file, error.line) == ("test-agency.yaml", 7)
    assert "services/0/name" in error.reason and "'en' is a required property" in error.reason


def test_unknown_channel_and_category_are_refused_with_lines(folder):
    text = (
        GOOD.format(code="test-agency")
        .replace("[online, centre]", "[online, pigeon]")
        .replace("category: family", "category: nowhere")
    )
    write(folder, "test-agency.yaml", text)
    errors = read_catalogue(folder).errors
    assert any(e.line == 13 and "pigeon" in e.reason for e in errors)


def test_unknown_category_refused(folder):
    write(
        folder,
        "test-agency.yaml",
        GOOD.format(code="test-agency").replace("category: family", "category: nowhere"),
    )
    (error,) = read_catalogue(folder).errors
    assert error.line == 10 and "unknown category 'nowhere'" in error.reason


def test_agency_code_must_match_file_name(folder):
    write(folder, "other-name.yaml", GOOD.format(code="test-agency"))
    (error,) = read_catalogue(folder).errors
    assert error.line == 2 and "must match the file name" in error.reason


def test_a_code_defined_in_two_files_rejects_the_second(folder):
    write(folder, "a-agency.yaml", GOOD.format(code="a-agency"))
    clash = GOOD.format(code="b-agency").replace("code: b-agency.permit.issue", "code: a-agency.permit.issue")
    write(folder, "b-agency.yaml", clash)
    catalogue = read_catalogue(folder)
    assert [f.path.name for f in catalogue.files] == ["a-agency.yaml"]
    assert [p.name for p in catalogue.rejected] == ["b-agency.yaml"]
    assert "already defined in a-agency.yaml" in catalogue.errors[0].reason


def test_negative_fee_is_refused(folder):
    write(folder, "test-agency.yaml", GOOD.format(code="test-agency").replace("amount: 2500", "amount: -5"))
    (error,) = read_catalogue(folder).errors
    assert error.line == 19 and "minimum of 0" in error.reason


def test_missing_taxonomy_is_reported(tmp_path):
    catalogue = read_catalogue(tmp_path)
    assert catalogue.errors[0].file == TAXONOMY_FILE


PERMIT_FORM = """\
schema:
  type: object
  properties:
    reason: {type: string, minLength: 3}
  required: [reason]
steps:
  - key: request
    title: {ar: الطلب, en: Request}
    fields: [reason]
fields:
  reason: {label: {ar: السبب, en: Reason}, widget: textarea}
"""


def with_parts(folder: Path, *, form: str | None = None, workflow: str | None = None, form_text=PERMIT_FORM):
    text = GOOD.format(code="test-agency")
    if form:
        text += f"    form: {form}\n"
        (folder / "forms").mkdir(exist_ok=True)
        write(folder, "forms/permit.yaml", form_text)
    if workflow:
        text += f"    workflow: {workflow}\n"
    write(folder, "test-agency.yaml", text)
    return read_catalogue(folder)


def test_a_service_carries_its_form_and_workflow_into_its_definition(folder):
    catalogue = with_parts(folder, form="permit", workflow="review")
    assert catalogue.errors == []
    (service,) = catalogue.files[0].services
    assert service["form_definition"]["fields"]["reason"]["widget"] == "textarea"
    assert service["workflow"] == "review"


def test_a_missing_or_unsound_form_is_refused_at_the_service_line(folder):
    errors = with_parts(folder, form="nothing").errors
    assert [(e.line, e.reason) for e in errors] == [(20, "services/0/form: no form 'nothing' in forms/")]
    broken = PERMIT_FORM.replace("widget: textarea", "widget: checkbox")
    (error,) = with_parts(folder, form="permit", form_text=broken).errors
    assert error.file == "test-agency.yaml" and "a checkbox widget cannot hold a string" in error.reason


def test_an_unknown_workflow_is_refused_and_a_service_may_define_its_own(folder):
    (error,) = with_parts(folder, workflow="improvised").errors
    assert "no workflow 'improvised'" in error.reason and "review" in error.reason
    (folder / "workflows").mkdir()
    write(
        folder,
        "workflows/improvised.yaml",
        "code: improvised\nname: {ar: مخصص, en: Custom}\nextends: review\nremove_transitions: [withdraw]\nremove_states: [withdrawn]\n",
    )
    catalogue = with_parts(folder, workflow="improvised")
    assert catalogue.errors == []
    assert catalogue.files[0].services[0]["workflow_definition"]["extends"] == "review"
    write(
        folder,
        "workflows/improvised.yaml",
        "code: improvised\nname: {ar: مخصص, en: Custom}\nextends: nothing\n",
    )
    (error,) = with_parts(folder, workflow="improvised").errors
    assert "extends an unknown workflow nothing" in error.reason


def test_a_workflow_state_that_names_an_unknown_notice_is_refused(folder):
    (folder / "workflows").mkdir()
    write(
        folder,
        "workflows/improvised.yaml",
        "code: improvised\nname: {ar: مخصص, en: Custom}\nextends: review\n"
        "states:\n  approved:\n    label: {ar: مقبول, en: Approved}\n    meaning: {ar: قُبل., en: Approved.}\n"
        "    notify: application.approvd\n",
    )
    (error,) = with_parts(folder, workflow="improvised").errors
    assert "state approved names no notice 'application.approvd'" in error.reason
