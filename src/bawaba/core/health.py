"""/healthz: is the database reachable and has a task worker been seen lately."""

from django.conf import settings
from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

from .models import WorkerHeartbeat


@never_cache
def healthz(request):
    body: dict = {"database": "ok", "worker": "ok"}
    status = 200
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        last_seen = WorkerHeartbeat.objects.order_by("-seen_at").values_list("seen_at", flat=True).first()
    except DatabaseError as exc:
        return JsonResponse({"database": "unreachable", "error": type(exc).__name__}, status=503)
    if last_seen is None:
        body.update(worker="never seen", worker_heartbeat_age_seconds=None)
        status = 503
    else:
        age = (timezone.now() - last_seen).total_seconds()
        body["worker_heartbeat_age_seconds"] = round(age, 1)
        if age > settings.BAWABA_WORKER_STALE_SECONDS:
            body["worker"] = "stale"
            status = 503
    body["status"] = "ok" if status == 200 else "degraded"
    return JsonResponse(body, status=status)
