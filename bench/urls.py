"""The project's URLs plus /bench/minimal, the baseline every page is compared with.

The minimal view goes through the same server, the same middleware and the same settings as the pages,
so the ratio page/minimal measures what the page itself costs.
"""

from django.http import HttpResponse
from django.urls import path

from bawaba.urls import urlpatterns as project


def minimal(request):
    return HttpResponse("ok")


urlpatterns = [
    path("bench/minimal", minimal, name="bench-minimal"),
    *project,
]
