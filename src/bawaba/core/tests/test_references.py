"""Public references: consecutive per year, and never the same number twice, even when asked at once."""

import threading

import pytest
from django.db import connection, connections, transaction

from bawaba.core.references import reference_next


@pytest.mark.django_db
def test_references_count_up_within_a_year_and_start_again_the_next():
    assert reference_next(year=2026) == "BWB-2026-000001"
    assert reference_next(year=2026) == "BWB-2026-000002"
    assert reference_next(year=2027) == "BWB-2027-000001"
    assert reference_next("RCP", year=2026) == "RCP-2026-000001"


@pytest.mark.django_db
def test_a_rolled_back_submission_gives_its_number_back():
    reference_next(year=2026)
    with pytest.raises(RuntimeError), transaction.atomic():
        reference_next(year=2026)
        raise RuntimeError("the submission failed after taking a number")
    assert reference_next(year=2026) == "BWB-2026-000002"


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need a server database")
def test_concurrent_submissions_never_share_a_number():
    got: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(8)

    def submit_many():
        start.wait()
        try:
            for _ in range(25):
                with transaction.atomic():
                    reference = reference_next(year=2026)
                with lock:
                    got.append(reference)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=submit_many) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(got) == [f"BWB-2026-{n:06d}" for n in range(1, 201)]
