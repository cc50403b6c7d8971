"""Development only: the messages the development SMS and e-mail channel would have sent."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from bawaba.notifications.providers.development.provider import inbox


@never_cache
def message_inbox(request):
    # Codes are shown here in clear: a server not in DEBUG mode acts as if the page did not exist.
    if not settings.DEBUG:
        raise Http404
    return render(request, "portal/dev_messages.html", {"messages_sent": inbox()})
