"""The notifications of the whole platform, for its administrators: the wording of every notice (preview with
the notice's examples, save, restore the shipped one) and the operations page (the message log, one message,
sending a failed one again, the last 24 hours per channel)."""

import re
from functools import wraps

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from bawaba.accounts.permissions import can_manage_notifications
from bawaba.core.i18n import pick
from bawaba.core.paging import page_get
from bawaba.notifications.notices import LANGUAGES, notices, wording_default, wording_for
from bawaba.notifications.operations import (
    CHANNELS,
    STATUSES,
    AddressInvalid,
    MessageFilters,
    address_for_search,
    channel_figures,
    fallback_chain,
    is_secret,
    message_get,
    message_open,
    message_rows,
    messages_found,
    reference_for_search,
    search_is_empty,
)
from bawaba.notifications.services import RetryRefused, message_retry
from bawaba.notifications.template_admin import (
    FIELDS,
    LIMITS,
    TemplateInvalid,
    template_preview,
    template_restore,
    template_save,
    wording_state,
    wording_states,
)

from .access import forbidden, staff_page

PAGE_SIZE = 50


def notifications_page(view):
    """Platform administrators only, with a second factor like every staff page."""

    @staff_page
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not can_manage_notifications(request.user):
            return forbidden(request)
        return view(request, *args, **kwargs)

    return wrapper


def language_words(language: str) -> str:
    return {"ar": _("Arabic"), "en": _("English")}.get(language, language)


def audience_words(audience: str) -> str:
    return {"citizen": _("citizens"), "staff": _("staff")}.get(audience, audience)


_BRACED = re.compile(r"\{[^{}]*\}")


def isolated(words: str) -> str:
    """Each {placeholder} in words kept left to right inside an Arabic sentence (Unicode isolates), so that
    {reference.__class__} does not come out as {__reference.__class}."""
    return _BRACED.sub(lambda found: f"\u2066{found.group(0)}\u2069", words)


def duration_words(delay) -> str:
    """A short wait as people say it: 4 s, 2 min 5 s, 3 h 10 min."""
    if delay is None:
        return "—"
    seconds = round(delay.total_seconds())
    if seconds < 60:
        return _("%(seconds)s s") % {"seconds": seconds}
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return _("%(minutes)s min %(seconds)s s") % {"minutes": minutes, "seconds": seconds}
    hours, minutes = divmod(minutes, 60)
    return _("%(hours)s h %(minutes)s min") % {"hours": hours, "minutes": minutes}


# --- The wording of the notices -------------------------------------------------------------------------------


@notifications_page
@require_http_methods(["GET"])
def template_list(request):
    rows = [
        {
            "notice": notice,
            "label": pick(notice.label),
            "audience": audience_words(notice.audience),
            "states": [{"state": state, "language": language_words(state.language)} for state in states],
        }
        for notice, states in wording_states()
    ]
    return render(request, "backoffice/notifications/templates.html", {"rows": rows})


class WordingForm(forms.Form):
    # Empty and wrong texts are refused by the service, in the same words whoever calls it.
    sms = forms.CharField(
        label=gettext_lazy("SMS text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    subject = forms.CharField(
        label=gettext_lazy("Title"),
        required=False,
        help_text=gettext_lazy("The e-mail's subject and the message's title in the portal inbox. One line."),
    )
    body = forms.CharField(
        label=gettext_lazy("E-mail and inbox text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )

    def __init__(self, *args, language: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["sms"].help_text = _(
            "One SMS holds 70 characters in Arabic (67 per part beyond that), 160 in Latin letters (153 per "
            "part). At most %(limit)s characters."
        ) % {"limit": LIMITS["sms"]}
        # The text is in the notice's language whatever the page's: typed and read in its own direction.
        for field in self.fields.values():
            field.widget.attrs |= {"lang": language, "dir": "rtl" if language == "ar" else "ltr"}

    def texts(self) -> dict[str, str]:
        return {field: self.data.get(field, "") for field in FIELDS}


def _notice_or_404(notice: str, language: str):
    spec = notices().get(notice)
    if spec is None or language not in LANGUAGES:
        raise Http404
    return spec


def _edit_page(request, spec, language: str, form, *, preview=None):
    return render(
        request,
        "backoffice/notifications/template_edit.html",
        {
            "notice": spec,
            "label": pick(spec.label),
            "language": language,
            "language_words": language_words(language),
            "text_dir": "rtl" if language == "ar" else "ltr",
            "form": form,
            "preview": preview,
            "state": wording_state(spec.code, language),
            "shipped": wording_default(spec.code, language),
            "placeholders": [("{" + name + "}", example) for name, example in spec.placeholders.items()],
        },
    )


@notifications_page
@require_http_methods(["GET", "POST"])
def template_edit(request, notice: str, language: str):
    spec = _notice_or_404(notice, language)
    if request.method == "GET":
        wording = wording_for(spec.code, language)
        form = WordingForm(initial=vars(wording), language=language)
        return _edit_page(request, spec, language, form)

    form = WordingForm(request.POST, language=language)
    form.is_valid()
    texts = form.texts()
    try:
        if request.POST.get("action") == "save":
            template_save(notice=spec.code, language=language, actor=request.user, **texts)
        else:
            preview = template_preview(notice=spec.code, **texts)
            return _edit_page(request, spec, language, form, preview=preview)
    except TemplateInvalid as exc:
        for field, problems in exc.problems.items():
            for problem in problems:
                form.add_error(field, isolated(problem))
        return _edit_page(request, spec, language, form)
    messages.success(
        request,
        _("Saved. Every %(notice)s message in %(language)s written from now on uses this wording.")
        % {"notice": pick(spec.label), "language": language_words(language)},
    )
    return redirect("backoffice:notification_template", spec.code, language)


@notifications_page
@require_http_methods(["POST"])
def template_restore_page(request, notice: str, language: str):
    spec = _notice_or_404(notice, language)
    if template_restore(notice=spec.code, language=language, actor=request.user):
        messages.success(
            request,
            _("The shipped wording of %(notice)s in %(language)s is in force again.")
            % {"notice": pick(spec.label), "language": language_words(language)},
        )
    else:
        messages.error(request, _("The shipped wording was already in force: there was nothing to restore."))
    return redirect("backoffice:notification_template", spec.code, language)


# --- Operations ----------------------------------------------------------------------------------------------


class MessageSearchForm(forms.Form):
    to = forms.CharField(
        label=gettext_lazy("Mobile number or e-mail"),
        max_length=254,
        required=False,
        help_text=gettext_lazy("The whole number or address."),
        widget=forms.TextInput(attrs={"dir": "ltr", "inputmode": "email", "autocomplete": "off"}),
    )
    reference = forms.CharField(
        label=gettext_lazy("Application reference"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"dir": "ltr", "autocomplete": "off"}),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"), required=False, choices=[("", gettext_lazy("Any status")), *STATUSES]
    )
    channel = forms.ChoiceField(
        label=gettext_lazy("Channel"), required=False, choices=[("", gettext_lazy("Any channel")), *CHANNELS]
    )

    def clean_to(self):
        raw = self.cleaned_data["to"]
        if not raw:
            return ""
        try:
            return address_for_search(raw)
        except AddressInvalid as exc:
            raise forms.ValidationError(
                _("Enter a whole mobile number, such as 01012345678 or +201012345678, or an e-mail address.")
            ) from exc

    def clean_reference(self):
        return reference_for_search(self.cleaned_data["reference"])

    def filters(self) -> MessageFilters:
        data = self.cleaned_data
        return MessageFilters(
            to=data.get("to", ""),
            reference=data.get("reference", ""),
            status=data.get("status", ""),
            channel=data.get("channel", ""),
        )


@notifications_page
@require_http_methods(["GET"])
def operations(request):
    form = MessageSearchForm(request.GET or None)
    searched = form.is_bound and form.is_valid()
    filters = form.filters() if searched else MessageFilters()
    found = messages_found(filters)
    if form.is_bound and not searched:
        found = found.none()  # a search that cannot be understood finds nothing rather than everything
    page = page_get(found, request.GET.get("page"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    figures = [
        {"figures": figures, "median": duration_words(figures.median_to_sent)}
        for figures in channel_figures()
    ]
    return render(
        request,
        "backoffice/notifications/operations.html",
        {
            "form": form,
            "page": page,
            "rows": message_rows(page.object_list),
            "figures": figures,
            "query": query.urlencode(),
            "searching": form.is_bound and (not searched or not search_is_empty(filters)),
        },
    )


RETRY_REFUSALS = {
    "not-failed": gettext_lazy(
        "Only a failed message can be sent again, and this one has not failed: it is %(status)s."
    ),
    "secret": gettext_lazy(
        "This message carried a code, which is never sent again: it was wiped once sent and would be stale. "
        "The person asks for a new code."
    ),
}


def _message_or_404(request, message):
    found = message_open(message_uuid=message, viewer=request.user)
    if found is None:
        raise Http404
    return found


@notifications_page
@require_http_methods(["GET"])
def message_page(request, message):
    found = _message_or_404(request, message)
    chain = message_rows(fallback_chain(found))
    secret = is_secret(found)
    return render(
        request,
        "backoffice/notifications/message.html",
        {
            "row": message_rows([found])[0],
            "m": found,
            "secret": secret,
            "language_words": language_words(found.language),
            "chain": chain if len(chain) > 1 else [],
            "can_retry": found.status == found.Status.FAILED and not secret and bool(found.body),
            "text_dir": "rtl" if found.language == "ar" else "ltr",
        },
    )


@notifications_page
@require_http_methods(["POST"])
def message_retry_page(request, message):
    found = message_get(message)
    if found is None:
        raise Http404
    try:
        message_retry(message_uuid=found.uuid, actor=f"user:{request.user.uuid}")
    except RetryRefused as exc:
        problem = exc.args[0] if exc.args else "not-failed"
        messages.error(
            request,
            RETRY_REFUSALS.get(problem, RETRY_REFUSALS["not-failed"])
            % {"status": found.get_status_display()},
        )
    else:
        messages.success(request, _("The message is queued to be sent again."))
    return redirect("backoffice:notification_message", found.uuid)
