"""The benchmark data generator writes consistent applications that later submissions never collide with."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from bawaba.cases.models import Application
from bawaba.core.references import reference_next

pytestmark = pytest.mark.django_db


def test_synthetic_applications_are_spread_over_citizens_and_continue_the_reference_counter():
    call_command("cases", "synth", "--applications", "120", "--citizens", "15", stdout=StringIO())
    assert Application.objects.count() == 120
    assert Application.objects.values("applicant").distinct().count() > 5
    assert all(a.timeline.count() == 1 for a in Application.objects.all()[:10])
    assert reference_next() == f"BWB-{timezone.localdate().year}-000121"
