"""`bawaba catalogue load|export|synth` as an agency engineer runs them."""

import json
import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from bawaba.catalogue.definitions_loader import TAXONOMY_FILE, read_catalogue
from bawaba.catalogue.models import Agency, Service

from .test_definitions_loader import GOOD

pytestmark = pytest.mark.django_db


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("catalogue", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_reports_bad_file_with_line_and_loads_the_good_ones(tmp_path):
    shutil.copy(Path(settings.BAWABA_CATALOGUE_DIR) / TAXONOMY_FILE, tmp_path / TAXONOMY_FILE)
    (tmp_path / "good-agency.yaml").write_text(GOOD.format(code="good-agency"), encoding="utf-8")
    bad = GOOD.format(code="bad-agency").replace("assurance: substantial", "assurance: maybe")
    (tmp_path / "bad-agency.yaml").write_text(bad, encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="1 file"):
        call_command("catalogue", "load", "--dir", str(tmp_path), stdout=StringIO(), stderr=err)
    assert "bad-agency.yaml:14: services/0/assurance: 'maybe' is not one of" in err.getvalue()
    assert "bad-agency.yaml: rejected, nothing loaded from it" in err.getvalue()
    assert Service.objects.filter(code="good-agency.permit.issue").exists()
    assert not Agency.objects.filter(code="bad-agency").exists()


def test_check_publishes_nothing(tmp_path):
    shutil.copy(Path(settings.BAWABA_CATALOGUE_DIR) / TAXONOMY_FILE, tmp_path / TAXONOMY_FILE)
    (tmp_path / "good-agency.yaml").write_text(GOOD.format(code="good-agency"), encoding="utf-8")
    out, _ = run("load", "--dir", str(tmp_path), "--check")
    assert "1 files, 1 services valid" in out
    assert not Service.objects.filter(code="good-agency.permit.issue").exists()


def test_export_prints_the_published_catalogue_as_json():
    out, _ = run("export", "--format", "json")
    rows = json.loads(out)
    by_code = {row["code"]: row for row in rows}
    assert len(rows) == Service.objects.filter(status="active").count()
    renew = by_code["civil.id-card.renew"]
    assert renew["name_ar"] == "تجديد البطاقة الوطنية" and renew["agency"] == "civil-status"
    assert {"code", "name_ar", "name_en", "agency", "kind", "channels", "fees", "version"} <= set(renew)


def test_synth_writes_a_large_valid_catalogue(tmp_path):
    out, _ = run("synth", "--services", "1200", "--agencies", "86", "--out", str(tmp_path))
    assert "1200 services from 86 agencies" in out
    catalogue = read_catalogue(tmp_path)
    assert catalogue.errors == []
    assert len(catalogue.files) == 86
    codes = [s["code"] for f in catalogue.files for s in f.services]
    assert len(codes) == len(set(codes)) == 1200


def test_synth_can_publish_what_it_writes(tmp_path):
    run("synth", "--services", "60", "--agencies", "6", "--out", str(tmp_path), "--load")
    assert Agency.objects.filter(code__startswith="ministry-of-").count() == 6
    assert Service.objects.filter(agency__code__startswith="ministry-of-").count() == 60


def test_synth_refuses_impossible_sizes(tmp_path):
    with pytest.raises(CommandError):
        run("synth", "--services", "3", "--agencies", "5", "--out", str(tmp_path))
