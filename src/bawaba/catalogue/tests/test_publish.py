"""Publishing: versions, withdrawal, audit and events, atomic per file, caches invalidated."""

import shutil
from pathlib import Path

import pytest
from django.conf import settings

from bawaba.audit.models import AuditEntry
from bawaba.audit.services import audit_verify
from bawaba.catalogue import revision
from bawaba.catalogue.definitions_loader import TAXONOMY_FILE, read_catalogue
from bawaba.catalogue.models import Service, ServiceVersion
from bawaba.catalogue.services import catalogue_publish
from bawaba.events.models import Event

from .test_definitions_loader import GOOD

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    shutil.copy(Path(settings.BAWABA_CATALOGUE_DIR) / TAXONOMY_FILE, tmp_path / TAXONOMY_FILE)
    (tmp_path / "test-agency.yaml").write_text(GOOD.format(code="test-agency"), encoding="utf-8")
    return tmp_path


def publish(folder: Path):
    return catalogue_publish(catalogue=read_catalogue(folder), actor="user:42")


def test_first_publication_creates_version_one_with_audit_and_event(folder):
    report = publish(folder)
    assert report.created == ["test-agency.permit.issue"]
    service = Service.objects.get(code="test-agency.permit.issue")
    assert service.current_version.number == 1
    assert service.name_en == "Issue a permit"
    assert sorted(c.channel for c in service.channels.all()) == ["centre", "online"]
    entry = AuditEntry.objects.filter(action="catalogue.service.published", subject_id=service.code).get()
    assert entry.actor == "user:42" and entry.data["version"] == 1
    assert Event.objects.filter(name="catalogue.service.published", payload__code=service.code).exists()
    assert audit_verify() == (True, None)


def test_unchanged_republication_makes_no_new_version(folder):
    publish(folder)
    report = publish(folder)
    assert report.unchanged == ["test-agency.permit.issue"] and not report.changed
    assert ServiceVersion.objects.filter(service__code="test-agency.permit.issue").count() == 1


def test_a_change_makes_a_new_version_and_keeps_the_old_one(folder):
    publish(folder)
    first = Service.objects.get(code="test-agency.permit.issue").current_version
    path = folder / "test-agency.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("amount: 2500", "amount: 3000"), encoding="utf-8"
    )
    report = publish(folder)
    assert report.updated == ["test-agency.permit.issue"]
    service = Service.objects.get(code="test-agency.permit.issue")
    assert service.current_version.number == 2
    assert service.current_version.definition["fees"]["rules"][0]["amount"] == 3000
    first.refresh_from_db()
    assert first.definition["fees"]["rules"][0]["amount"] == 2500  # what older applications were filed under


def test_a_service_removed_from_its_file_is_withdrawn_not_deleted(folder):
    publish(folder)
    path = folder / "test-agency.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: text.index("services:")] + "services: []\n", encoding="utf-8")
    report = publish(folder)
    assert report.withdrawn == ["test-agency.permit.issue"]
    assert Service.objects.get(code="test-agency.permit.issue").status == Service.Status.WITHDRAWN


def test_a_bad_file_changes_nothing_already_published(folder):
    publish(folder)
    path = folder / "test-agency.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("amount: 2500", "amount: lots"), encoding="utf-8"
    )
    catalogue = read_catalogue(folder)
    assert catalogue.rejected and not catalogue.files
    catalogue_publish(catalogue=catalogue, actor="user:42")
    service = Service.objects.get(code="test-agency.permit.issue")
    assert service.current_version.definition["fees"]["rules"][0]["amount"] == 2500
    assert service.status == Service.Status.ACTIVE


def test_a_failure_midway_leaves_the_file_unpublished(folder, monkeypatch):
    from bawaba.catalogue import services

    def explode(**kwargs):
        raise RuntimeError("event store down")

    monkeypatch.setattr(services, "event_emit", explode)
    with pytest.raises(RuntimeError):
        publish(folder)
    assert not Service.objects.filter(code="test-agency.permit.issue").exists()
    assert not AuditEntry.objects.filter(subject_id="test-agency.permit.issue").exists()


def test_publication_changes_the_catalogue_revision(folder, django_capture_on_commit_callbacks):
    before = revision.current()
    with django_capture_on_commit_callbacks(execute=True):
        publish(folder)
    assert revision.current() != before


def test_taxonomy_lists_keep_the_order_the_taxonomy_gives():
    from bawaba.catalogue import selectors

    categories = list(selectors.category_list())
    assert [c.order for c in categories] == sorted(c.order for c in categories)
    assert categories[0].code == "family"
    events = list(selectors.life_event_list())
    assert [e.order for e in events] == sorted(e.order for e in events)
    names = [a.name_en for a in selectors.agency_list(language="en")]
    assert names == sorted(names)
