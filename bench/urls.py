"""The project's URLs plus the baselines pages are compared with.

/bench/minimal answers "ok"; /bench/signed-in answers "signed in" to a signed-in visitor (their session and
account loaded, as every signed-in page needs); /bench/insert takes a form post (CSRF checked by the middleware,
as for every form) and inserts one row. Both go through the same server, the same middleware and the same settings as the
pages, so the ratio page/baseline measures what the page itself costs.
"""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_POST

from bawaba.urls import urlpatterns as project

from .models import Hit


def minimal(request):
    return HttpResponse("ok")


@login_required
def signed_in(request):
    return HttpResponse(f"signed in as {request.user.pk}")


@require_POST
def insert(request):
    Hit.objects.create(note="bench")
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal", minimal, name="bench-minimal"),
    path("bench/signed-in", signed_in, name="bench-signed-in"),
    path("bench/insert", insert, name="bench-insert"),
    *project,
]
