"""The citizen's side of notifications: their inbox in the portal (read, mark read) and how they want to be told.

Everything is scoped to the person signed in: another person's message is a 404, exactly like one that does not
exist. Acting for someone does not open their inbox: messages are read by the person they were sent to.
"""

import re
from dataclasses import dataclass
from datetime import time
from uuid import UUID

from django import forms
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from bawaba.accounts.phones import masked
from bawaba.cases.selectors import applications_of
from bawaba.core.paging import page_get
from bawaba.core.text import western_digits
from bawaba.notifications.inbox import inbox_all_read, inbox_of, preference_of
from bawaba.notifications.models import Message
from bawaba.notifications.services import message_read, preference_save

PAGE_SIZE = 20
CLOCK = re.compile(r"(\d{1,2}):(\d{2})")


# ------------------------------------------------------------------------------------------------ the inbox


@dataclass(frozen=True)
class Row:
    message: Message
    application_url: str  # empty when the message names no application of this person's


def _application_links(user, found: list[Message]) -> dict[str, str]:
    """The page's application references that are this person's, to the address of each: one query."""
    references = {m.reference for m in found if m.reference}
    if not references:
        return {}
    theirs = applications_of(user=user).filter(reference__in=references).values_list("reference", "uuid")
    return {reference: reverse("portal:application_detail", args=[uuid]) for reference, uuid in theirs}


def _inbox_url(request, *, anchor: str = "") -> str:
    """Back to the inbox page the button was pressed on."""
    url = reverse("portal:messages")
    number = request.POST.get("page", "")
    if number.isascii() and number.isdigit() and int(number) > 1:
        url += f"?page={int(number)}"
    return f"{url}#{anchor}" if anchor else url


@login_required
@require_GET
def message_list(request):
    page = page_get(inbox_of(user=request.user), request.GET.get("page"), PAGE_SIZE)
    links = _application_links(request.user, page.object_list)
    rows = [Row(message=m, application_url=links.get(m.reference, "")) for m in page.object_list]
    return render(request, "portal/account/messages.html", {"page": page, "rows": rows})


@login_required
@require_POST
def message_mark_read(request, message: UUID):
    if not message_read(user=request.user, message_uuid=message):
        raise Http404(_("There is no such message."))
    flash.success(request, _("The message was marked as read."))
    return redirect(_inbox_url(request, anchor=f"message-{message}"))


@login_required
@require_POST
def messages_mark_all_read(request):
    if inbox_all_read(user=request.user):
        flash.success(request, _("All your messages were marked as read."))
    else:
        flash.success(request, _("You had no unread messages."))
    return redirect(_inbox_url(request))


# ------------------------------------------------------------------------------------------------ preferences


START_WRONG = gettext_lazy(
    "Write the start of quiet hours as hours and minutes on the 24-hour clock, for example 22:00."
)
END_WRONG = gettext_lazy(
    "Write the end of quiet hours as hours and minutes on the 24-hour clock, for example 07:00."
)
SAME_TIMES = gettext_lazy("Quiet hours cannot end at the time they start. Choose two different times.")
START_HELP = gettext_lazy("24-hour clock, for example 22:00.")
END_HELP = gettext_lazy("24-hour clock, for example 07:00.")


def clock_time(text: str) -> time | None:
    """A time written HH:MM on the 24-hour clock (Arabic-Indic digits too), or None."""
    found = CLOCK.fullmatch(western_digits(text or "").strip())
    if not found:
        return None
    hours, minutes = int(found[1]), int(found[2])
    return time(hours, minutes) if hours < 24 and minutes < 60 else None


def clock_text(value) -> str:
    """A stored time (a time, or the model's default string before the first save) as HH:MM."""
    return value.strftime("%H:%M") if isinstance(value, time) else str(value)[:5]


class ClockInput(forms.TextInput):
    def __init__(self):
        super().__init__(
            attrs={"dir": "ltr", "autocomplete": "off", "spellcheck": "false", "size": "6", "maxlength": "8"}
        )


class PreferenceForm(forms.Form):
    sms = forms.BooleanField(label=gettext_lazy("By SMS"), required=False)
    email = forms.BooleanField(label=gettext_lazy("By e-mail"), required=False)
    quiet_hours = forms.BooleanField(
        label=gettext_lazy("Hold messages that are not urgent during quiet hours"), required=False
    )
    quiet_from = forms.CharField(
        label=gettext_lazy("Start of quiet hours"),
        help_text=START_HELP,
        required=False,
        max_length=8,
        widget=ClockInput(),
        error_messages={"max_length": START_WRONG},
    )
    quiet_until = forms.CharField(
        label=gettext_lazy("End of quiet hours"),
        help_text=END_HELP,
        required=False,
        max_length=8,
        widget=ClockInput(),
        error_messages={"max_length": END_WRONG},
    )

    def __init__(self, *args, email_possible: bool, saved, **kwargs):
        super().__init__(*args, **kwargs)
        self.saved = saved
        # Without a confirmed address the box shows unticked and cannot be changed; the saved choice is kept
        # for the day an address is confirmed.
        self.fields["email"].disabled = not email_possible

    def clean(self):
        data = super().clean()
        on = data.get("quiet_hours", False)
        for name, wrong in (("quiet_from", START_WRONG), ("quiet_until", END_WRONG)):
            data[name] = None if name in self.errors else clock_time(data.get(name, ""))
            if on and data[name] is None and name not in self.errors:
                self.add_error(name, wrong)
        start, end = data.get("quiet_from"), data.get("quiet_until")
        if on and start is not None and start == end:
            self.add_error("quiet_until", SAME_TIMES)
        elif not on and (start is None or end is None or start == end):
            # Quiet hours off: the times are only kept for later, so unusable ones leave the saved ones as they are.
            data["quiet_from"] = clock_time(clock_text(self.saved.quiet_from))
            data["quiet_until"] = clock_time(clock_text(self.saved.quiet_until))
        if self.fields["email"].disabled:
            data["email"] = self.saved.email
        return data


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    user = request.user
    saved = preference_of(user=user)
    email_possible = bool(user.email and user.email_verified_at)
    initial = {
        "sms": saved.sms,
        "email": saved.email and email_possible,
        "quiet_hours": saved.quiet_hours,
        "quiet_from": clock_text(saved.quiet_from),
        "quiet_until": clock_text(saved.quiet_until),
    }
    form = PreferenceForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        email_possible=email_possible,
        saved=saved,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        preference_save(
            user=user,
            sms=data["sms"],
            email=data["email"],
            quiet_hours=data["quiet_hours"],
            quiet_from=data["quiet_from"],
            quiet_until=data["quiet_until"],
        )
        flash.success(request, _("Your notification settings were saved."))
        return redirect("portal:notification_preferences")
    return render(
        request,
        "portal/account/notification_preferences.html",
        {
            "form": form,
            "email_possible": email_possible,
            "mobile": masked(user.mobile) if user.mobile else "",
        },
    )
