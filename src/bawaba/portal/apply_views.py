"""Filing an application online: the start page, one page per step of the form, the review, the submission and
its confirmation; reporting a prefilled answer as wrong; reading back an uploaded file.

Everything is decided on the server and works without JavaScript: which questions show (a question that an
answer on the same page reveals appears when the page is sent), every step's checks, where the citizen is.
The answers live in a draft on the server, saved at every step, so the citizen can stop and go on elsewhere.
"""

from dataclasses import dataclass
from uuid import UUID

from django import forms
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods, require_POST

from bawaba.accounts.assurance import Level, needs_step_up
from bawaba.accounts.delegation import acting_for, delegation_allows
from bawaba.accounts.models import User
from bawaba.accounts.session_assurance import session_level
from bawaba.cases.service_parts import FILEABLE_KINDS, fee_quote, fees_due, form_for
from bawaba.cases.services import SubmissionProblem, SubmissionRefused, application_submit, eligibility_of
from bawaba.catalogue import selectors
from bawaba.catalogue.models import Service, ServiceVersion
from bawaba.core.i18n import current_language, pick
from bawaba.core.money import Money
from bawaba.forms.attachments import (
    MEGABYTE,
    AttachmentRefused,
    attachment_readable,
    attachment_store,
    attachments_answered,
    file_fields,
)
from bawaba.forms.drafts import (
    REVIEW,
    draft_discard,
    draft_filed,
    draft_get,
    draft_list,
    draft_locked,
    draft_open,
    draft_report,
    draft_step_move,
    draft_step_save,
    draft_submission_key,
    draft_submitted,
)
from bawaba.forms.engine import FieldError, Form, Step
from bawaba.forms.models import Attachment, Draft
from bawaba.payments.fees import FeeRefused

from .apply_questions import display, questions

# ------------------------------------------------------------------------------------------------ helpers


@dataclass
class Filing:
    """Who is filing which service, under which version, for whom, and the draft so far."""

    service: Service
    version: ServiceVersion
    form: Form
    applicant: User
    draft: Draft | None = None
    rebased: bool = False  # the service's form changed since the draft was started: say so


def _service(code: str) -> Service:
    service = selectors.service_to_file(code=code)
    if service is None or service.current_version is None:
        raise Http404(_("There is no service with this code."))
    return service


def _start_url(service: Service, **notice) -> str:
    url = reverse("portal:service_start", args=[service.code])
    return f"{url}?{urlencode(notice)}" if notice else url


def _applicant(request, service: Service) -> tuple[User | None, HttpResponse | None]:
    """The person the application is for, or the page that says why this session cannot file it."""
    if needs_step_up(session_level(request), Level.named(service.assurance)):
        query = urlencode({"level": service.assurance, "next": _start_url(service)})
        return None, redirect(f"{reverse('portal:step_up')}?{query}")
    delegation = acting_for(request)
    if delegation is None:
        return request.user, None
    if delegation.principal is None or not delegation_allows(delegation, service_code=service.code):
        page = render(
            request,
            "portal/service_not_delegated.html",
            {"service": service, "delegation": delegation},
            status=403,
        )
        return None, page
    return delegation.principal, None


def _filing(request, code: str, *, need_draft: bool = True) -> Filing | HttpResponse:
    service = _service(code)
    if service.kind not in FILEABLE_KINDS:
        return redirect(_start_url(service))
    applicant, refused = _applicant(request, service)
    if refused is not None:
        return refused
    version = service.current_version
    filing = Filing(service=service, version=version, form=form_for(version), applicant=applicant)
    if not need_draft:
        return filing
    draft = draft_get(filed_by=request.user, applicant=applicant, service_code=service.code)
    if draft is None or draft.submitted or draft.is_expired:
        return redirect(_start_url(service))
    if draft.version_hash != version.content_hash:
        # The service was published again since this draft was started: its answers move to the new form.
        draft = _open(request, filing).draft
        filing.rebased = True
    filing.draft = draft
    return filing


def _open(request, filing: Filing):
    return draft_open(
        filed_by=request.user,
        applicant=filing.applicant,
        service_code=filing.service.code,
        version_number=filing.version.number,
        version_hash=filing.version.content_hash,
        form=filing.form,
    )


def _step_url(service: Service, step: str, **query) -> str:
    if step == REVIEW:
        url = reverse("portal:apply_review", args=[service.code])
    else:
        url = reverse("portal:apply_step", args=[service.code, step])
    return f"{url}?{urlencode(query)}" if query else url


def _attachments(draft: Draft, form: Form) -> dict[str, Attachment]:
    return {str(a.uuid): a for a in attachments_answered(draft=draft, form=form)}


def _neighbours(form: Form, answers: dict, key: str) -> tuple[Step | None, Step | None, int, int]:
    """The steps before and after this one among those showing, its position and how many there are."""
    steps = form.visible_steps(answers)
    keys = [s.key for s in steps]
    if key not in keys:
        return None, None, 0, len(steps)
    i = keys.index(key)
    before = steps[i - 1] if i > 0 else None
    after = steps[i + 1] if i + 1 < len(steps) else None
    return before, after, i + 1, len(steps)


def _verdict_lines(conditions) -> list[str]:
    return [pick(c.get("message")) or c.get("fact", "") for c in conditions]


# ------------------------------------------------------------------------------------------------ start


def drafts_in_progress(user: User) -> list[tuple[Service | None, Draft]]:
    """The forms this person started and has not filed, with their services, for the account page."""
    return [(selectors.service_get(code=draft.service_code), draft) for draft in draft_list(user=user)[:20]]


def start_page(request, service: Service) -> HttpResponse:
    """The service's start page once the session may file it: who may apply, what to have ready, the draft."""
    applicant, refused = _applicant(request, service)
    if refused is not None:
        return refused
    verdict = eligibility_of(service=service, applicant=applicant)
    draft = draft_get(filed_by=request.user, applicant=applicant, service_code=service.code)
    if draft is not None and (draft.submitted or draft.is_expired):
        draft = None
    return render(
        request,
        "portal/apply/start.html",
        {
            "service": service,
            "definition": service.definition,
            "eligible": verdict.eligible,
            "unmet": _verdict_lines(verdict.unmet),
            "agency_checks": _verdict_lines(verdict.unknown),
            "draft": draft,
            "notice": request.GET.get("notice", ""),
            "fees": fees_due(service.current_version.definition),
        },
    )


@login_required
@require_POST
def apply_begin(request, code: str):
    """Start the form, or go on with the one started (also from another device)."""
    filing = _filing(request, code, need_draft=False)
    if isinstance(filing, HttpResponse):
        return filing
    if not eligibility_of(service=filing.service, applicant=filing.applicant).eligible:
        return redirect(_start_url(filing.service))
    if request.POST.get("action") == "restart":
        earlier = draft_get(
            filed_by=request.user, applicant=filing.applicant, service_code=filing.service.code
        )
        if earlier is not None:
            draft_discard(draft=earlier)
    opened = _open(request, filing)
    query = {"notice": "changed"} if opened.rebased else {}
    return redirect(_step_url(filing.service, opened.draft.step or REVIEW, **query))


@login_required
@require_POST
def apply_discard(request, code: str):
    filing = _filing(request, code)
    if isinstance(filing, HttpResponse):
        return filing
    draft_discard(draft=filing.draft)
    return redirect(_start_url(filing.service, notice="discarded"))


# ------------------------------------------------------------------------------------------------ a step


def _posted(request, filing: Filing, step: Step) -> tuple[dict, list[FieldError]]:
    """The step's answers as posted. A file question's answer is never taken from the posted text: it is the
    file uploaded now (checked and stored), or the one uploaded before unless the citizen removes it."""
    form, draft = filing.form, filing.draft
    files = file_fields(form)
    shown = set(request.POST.getlist("shown"))
    posted = {name: request.POST.getlist(name) for name in step.fields if name not in files}
    problems = []
    for name in step.fields:
        if name not in files:
            continue
        before = draft.answers.get(name)
        keep = [str(before)] if before else []
        upload = request.FILES.get(name)
        if upload is not None and name in shown and not form.fields[name].read_only:
            try:
                attachment = attachment_store(
                    owner=request.user, draft=draft, field=form.fields[name], upload=upload
                )
            except AttachmentRefused as refused:
                problems.append(FieldError(name, refused.code, refused.params))
                posted[name] = keep
            else:
                posted[name] = [str(attachment.uuid)]
        elif request.POST.get(f"{name}--remove"):
            posted[name] = []
        else:
            posted[name] = keep
    return posted, problems


def _too_big(request, form: Form, step: Step) -> bool:
    """Whether the request is larger than the step's files may be, with room for the rest of the page."""
    files = [form.fields[name].max_size_mb for name in step.fields if name in file_fields(form)]
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    return length > (sum(files) + 1) * MEGABYTE


def _render_step(request, filing: Filing, step: Step, *, posted=None, errors=(), notice="", status=200):
    form, draft = filing.form, filing.draft
    answers = draft.answers
    # The answers that passed are saved before the page is shown again, so they decide what shows.
    shown_now = form.visible(answers)
    names = [name for name in step.fields if name in shown_now]
    before, _after, position, total = _neighbours(form, answers, step.key)
    qs = questions(
        form,
        names,
        answers=answers,
        posted=posted,
        errors=[e for e in errors if e.field in names],
        attachments=_attachments(draft, form),
    )
    for q in qs:
        if q.read_only:
            q.report_url = reverse("portal:apply_report", args=[filing.service.code, q.name])
    return render(
        request,
        "portal/apply/step.html",
        {
            "service": filing.service,
            "step": step,
            "step_title": pick(step.title),
            "questions": qs,
            "errors": [q for q in qs if q.errors],
            "position": position,
            "total": total,
            "back_url": _step_url(filing.service, before.key) if before else _start_url(filing.service),
            "returning": request.GET.get("return") == "review" or request.POST.get("return") == "review",
            "notice": notice or request.GET.get("notice", ""),
            "rebased": filing.rebased,
            "draft": draft,
            "multipart": any(q.widget == "file" for q in qs),
        },
        status=status,
    )


@csrf_exempt  # the size is judged before anything reads the body; _apply_step then checks CSRF as usual
@login_required
@require_http_methods(["GET", "POST"])
def apply_step(request, code: str, step: str):
    if request.method == "POST":
        service = _service(code)
        form = form_for(service.current_version)
        if step in {s.key for s in form.steps} and _too_big(request, form, form.step(step)):
            # Refused unread (the CSRF check would parse it): nothing that large reaches the disk.
            context = {"service": service, "back_url": _step_url(service, step)}
            return render(request, "portal/apply/too_big.html", context, status=413)
    return _apply_step(request, code, step)


@csrf_protect
def _apply_step(request, code: str, step: str):
    filing = _filing(request, code)
    if isinstance(filing, HttpResponse):
        return filing
    form, draft, service = filing.form, filing.draft, filing.service
    if step not in {s.key for s in form.steps}:
        raise Http404(_("This form has no such step."))
    current = form.step(step)
    if current not in form.visible_steps(draft.answers):
        # Nothing on this step applies given the answers: go where the citizen is.
        return redirect(_step_url(service, draft.step if draft.step != step else REVIEW))
    if request.method == "GET" or filing.rebased:
        errors = []
        if request.GET.get("check") == "1":
            errors = [e for e in form.clean_all(draft.answers).errors if e.field in current.fields]
        if draft.step != step and draft.step != REVIEW:
            draft_step_move(draft=draft, step=step)
        return _render_step(
            request, filing, current, errors=errors, notice="changed" if filing.rebased else ""
        )

    action = request.POST.get("action", "next")
    posted, upload_problems = _posted(request, filing, current)
    result = draft_step_save(draft=draft, form=form, step=step, posted=posted)
    # A file refused is explained as such, not also as a missing answer.
    refused = {problem.field for problem in upload_problems}
    errors = upload_problems + [e for e in result.errors if e.field not in refused]
    if action == "back":
        before, _after, _position, _total = _neighbours(form, draft.answers, step)
        if before is None:
            return redirect(_start_url(service))
        draft_step_move(draft=draft, step=before.key)
        return redirect(_step_url(service, before.key))
    if action == "save":
        return redirect(_start_url(service, notice="saved"))
    shown = set(request.POST.getlist("shown"))
    appeared = [n for n in current.fields if n in form.visible(draft.answers) and n not in shown]
    if appeared:
        # An answer on this page brought up more questions: they are shown, with no complaint about them yet.
        problems = [e for e in errors if e.field not in appeared]
        return _render_step(request, filing, current, posted=posted, errors=problems, notice="more")
    if errors:
        return _render_step(request, filing, current, posted=posted, errors=errors)
    _before, after, _position, _total = _neighbours(form, draft.answers, step)
    reached = REVIEW if (after is None or request.POST.get("return") == "review") else after.key
    draft_step_move(draft=draft, step=reached)
    return redirect(_step_url(service, reached))


# ------------------------------------------------------------------------------------------------ review


def _summary(filing: Filing) -> list[dict]:
    form, draft = filing.form, filing.draft
    shown = form.visible(draft.answers)
    attachments = _attachments(draft, form)
    sections = []
    for step in form.visible_steps(draft.answers):
        rows = []
        for name in step.fields:
            if name not in shown:
                continue
            spec = form.fields[name]
            value = draft.answers.get(name)
            attachment = attachments.get(str(value)) if spec.widget == "file" and value else None
            rows.append(
                {
                    "label": pick(spec.label),
                    "value": display(spec, value, attachments),
                    "attachment": attachment,
                }
            )
        sections.append({"step": step, "title": pick(step.title), "rows": rows})
    return sections


def _fee_rows(filing: Filing) -> dict:
    """The fees the citizen will owe, line by line in the page's language (no lines when nothing is due)."""
    try:
        due = fee_quote(filing.version.definition, filing.draft.answers, applicant=filing.applicant)
    except FeeRefused as refused:
        return {"problem": refused.message}
    if not due.total:
        return {"lines": [], "total": ""}
    language = current_language()
    lines = []
    for line in due.lines:
        label = pick(line.label)
        if line.option_label:
            label = f"{label}: {pick(line.option_label)}"
        elif line.count is not None and line.kind == "per-item":
            label = f"{label} × {line.count}"
        lines.append({"label": label, "amount": Money(line.amount, due.currency).format(language)})
    return {"lines": lines, "total": Money(due.total, due.currency).format(language)}


def _render_review(request, filing: Filing, *, notice: str = "", status: int = 200):
    form, draft = filing.form, filing.draft
    checked = form.clean_all(draft.answers)
    steps_with_problems = []
    for step in form.visible_steps(draft.answers):
        words = [e for e in checked.errors if e.field in step.fields]
        if words:
            steps_with_problems.append(
                {"title": pick(step.title), "url": _step_url(filing.service, step.key, check=1)}
            )
    return render(
        request,
        "portal/apply/review.html",
        {
            "service": filing.service,
            "sections": _summary(filing),
            "problems": steps_with_problems,
            "key": draft_submission_key(draft=draft) if checked.ok else "",
            "notice": notice or ("changed" if filing.rebased else ""),
            "fees": _fee_rows(filing),
            "draft": draft,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply_review(request, code: str):
    filing = _filing(request, code)
    if isinstance(filing, HttpResponse):
        if request.method == "POST":
            return _already_filed(request, code) or filing
        return filing
    if request.method == "GET" or filing.rebased:
        return _render_review(request, filing, status=200 if request.method == "GET" else 409)
    draft = filing.draft
    key = request.POST.get("key", "")
    if not key or key != draft.submission_key:
        return _render_review(request, filing, notice="expired", status=409)
    try:
        with transaction.atomic():
            locked = draft_locked(draft=draft)
            if locked.submitted:
                return redirect("portal:apply_filed", filing.service.code, locked.application)
            application = application_submit(
                service=filing.service,
                version=filing.version,
                applicant=filing.applicant,
                filed_by=request.user,
                answers=locked.answers,
                submission_key=key,
            )
            draft_submitted(
                draft=locked,
                form=filing.form,
                application_uuid=application.uuid,
                reference=application.reference,
                agency=application.agency,
                filed_answers=application.answers,
            )
    except SubmissionRefused as refused:
        return _refused(request, filing, refused)
    except Draft.DoesNotExist:
        return redirect(_start_url(filing.service))
    return redirect("portal:apply_filed", filing.service.code, application.uuid)


def _already_filed(request, code: str):
    """A submission sent again after the draft was filed and let go: nothing more to do."""
    service = selectors.service_get(code=code)
    if service is None:
        return None
    applicant = _applicant(request, service)[0]
    if applicant is None:
        return None
    draft = draft_get(filed_by=request.user, applicant=applicant, service_code=code)
    if draft is not None and draft.submitted:
        return redirect("portal:apply_filed", code, draft.application)
    return None


def _refused(request, filing: Filing, refused: SubmissionRefused) -> HttpResponse:
    service = filing.service
    if refused.problem == SubmissionProblem.STALE_VERSION:
        # Published again between the review and the submission: check the answers against the new form.
        again = _filing(request, service.code)
        if isinstance(again, HttpResponse):
            return again
        return _render_review(request, again, notice="changed", status=409)
    if refused.problem == SubmissionProblem.INVALID:
        fields = {e.field for e in refused.errors}
        for step in filing.form.visible_steps(filing.draft.answers):
            if fields.intersection(step.fields):
                return redirect(_step_url(service, step.key, check=1))
        return _render_review(request, filing, status=409)
    if refused.problem == SubmissionProblem.NOT_ELIGIBLE:
        return redirect(_start_url(service))
    if refused.problem == SubmissionProblem.NOT_ALLOWED:
        return render(
            request,
            "portal/service_not_delegated.html",
            {"service": service, "delegation": acting_for(request)},
            status=403,
        )
    return redirect(_start_url(service))


@login_required
def apply_filed(request, code: str, application: UUID):
    service = _service(code)
    draft = draft_filed(filed_by=request.user, service_code=code, application=application)
    if draft is None:
        raise Http404(_("There is no such application."))
    try:
        follow_url = reverse("portal:application_detail", args=[application])
    except NoReverseMatch:
        follow_url = ""
    return render(
        request,
        "portal/apply/filed.html",
        {"service": service, "draft": draft, "follow_url": follow_url},
    )


# ------------------------------------------------------------------------------------------------ reports


class ReportForm(forms.Form):
    note = forms.CharField(
        label=gettext_lazy("What is wrong, and what should it say?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": gettext_lazy("Tell us what is wrong.")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def apply_report(request, code: str, field: str):
    """The citizen says a prefilled answer is wrong: it is recorded for the agency and the registry."""
    filing = _filing(request, code)
    if isinstance(filing, HttpResponse):
        return filing
    form, draft = filing.form, filing.draft
    spec = form.fields.get(field)
    if spec is None or not spec.read_only or field not in form.visible(draft.answers):
        raise Http404(_("This answer was not filled in for you."))
    step = next(s for s in form.steps if field in s.fields)
    report = ReportForm(request.POST or None)
    if request.method == "POST" and report.is_valid():
        draft_report(
            draft=draft, form=form, field=field, note=report.cleaned_data["note"], actor=request.user
        )
        return redirect(_step_url(filing.service, step.key, notice="reported"))
    question = questions(form, [field], answers=draft.answers)[0]
    return render(
        request,
        "portal/apply/report.html",
        {
            "service": filing.service,
            "question": question,
            "form": report,
            "back_url": _step_url(filing.service, step.key),
        },
    )


# ------------------------------------------------------------------------------------------------ files


@login_required
def attachment_download(request, attachment: UUID):
    found = attachment_readable(user=request.user, uuid=attachment)
    if found is None:
        raise Http404(_("There is no such file."))
    response = FileResponse(
        found.file.open("rb"), as_attachment=True, filename=found.name, content_type=found.content_type
    )
    response["Cache-Control"] = "private, no-store"
    return response
