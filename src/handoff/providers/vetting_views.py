"""Vetting pages: references and their checks, the e-mailed reference form, the question set,
due diligence and what expires soon."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core.forms import add_service_errors
from handoff.core.principal import Principal
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers import vetting
from handoff.providers.forms import (
    DueDiligenceItemForm,
    QuestionForm,
    ReferenceCheckForm,
    ReferenceForm,
    ReferenceRequestForm,
    TemplateItemForm,
)
from handoff.providers.models import (
    DueDiligenceItem,
    DueDiligenceTemplate,
    Provider,
    Reference,
    ReferenceQuestion,
)


def _vetting_url(provider):
    return provider.get_absolute_url() + "#vetting"


@principal_required(Role.MANAGER)
def reference_create(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    form = ReferenceForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            reference = vetting.save_reference(request.principal, provider, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # The reference's page offers the next step right there: send them the questions.
            messages.success(request, f"{reference.name} was added as a reference.")
            return redirect("providers:reference_detail", request.org.slug, reference.pk)
    return render(request, "providers/reference_form.html", {"form": form, "provider": provider})


@principal_required(Role.MANAGER)
def reference_edit(request, pk):
    reference = get_visible_or_404(
        Reference.objects.select_related("provider"), request.principal, pk=pk
    )
    form = ReferenceForm(request.POST or None, instance=reference)
    if request.method == "POST" and form.is_valid():
        try:
            vetting.save_reference(
                request.principal, reference.provider, data=form.cleaned_data, reference=reference
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{reference.name} was saved.")
            return redirect("providers:reference_detail", request.org.slug, reference.pk)
    context = {"form": form, "provider": reference.provider, "reference": reference}
    return render(request, "providers/reference_form.html", context)


@principal_required(Role.VIEWER)
def reference_detail(request, pk):
    reference = get_visible_or_404(
        Reference.objects.select_related("provider"), request.principal, pk=pk
    )
    context = {
        "reference": reference,
        "provider": reference.provider,
        "checks": reference.checks.select_related("asked_by"),
        "requests": reference.requests.select_related("created_by"),
        "wording": vetting.question_texts(request.principal),
        "custom": {
            str(q.pk): q.text for q in ReferenceQuestion.objects.visible_to(request.principal)
        },
        "request_form": ReferenceRequestForm(initial={"email": reference.email}),
        # Nothing asked yet: the page leads with "Send the questions" (or says an address is
        # missing and offers to add one).
        "not_asked_yet": not reference.checks.exists() and not reference.requests.exists(),
    }
    return render(request, "providers/reference_detail.html", context)


@principal_required(Role.MEMBER)
def check_create(request, pk):
    """Record the answers a member got by phone or in person."""
    reference = get_visible_or_404(
        Reference.objects.select_related("provider"), request.principal, pk=pk
    )
    # Every field is optional, so an empty POST must still bind the form.
    data = request.POST if request.method == "POST" else None
    form = ReferenceCheckForm(
        data,
        wording=vetting.question_texts(request.principal),
        custom=vetting.custom_questions(request.principal),
    )
    if request.method == "POST" and form.is_valid():
        try:
            vetting.record_check(request.principal, reference, data=form.check_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The check with {reference.name} is recorded.")
            return redirect("providers:reference_detail", request.org.slug, reference.pk)
    return render(request, "providers/check_form.html", {"form": form, "reference": reference})


@require_POST
@principal_required(Role.MEMBER)
def check_request(request, pk):
    reference = get_visible_or_404(
        Reference.objects.select_related("provider"), request.principal, pk=pk
    )
    form = ReferenceRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give a valid e-mail address.")
    else:
        try:
            sent, _ = vetting.request_check(
                request.principal, reference, email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                f"The questions are on their way to {sent.sent_to}; the link works once, "
                f"for {vetting.REQUEST_VALID_DAYS} days.",
            )
    return redirect("providers:reference_detail", request.org.slug, reference.pk)


def reference_answer(request, token):
    """The page behind the e-mailed link: the one form, for anyone holding the link, once."""
    reference_request = vetting.find_request(token)
    if reference_request is None:
        return render(request, "providers/reference_answer_gone.html", status=404)
    request.principal = Principal.for_link(reference_request)
    data = request.POST if request.method == "POST" else None
    form = ReferenceCheckForm(
        data,
        wording=vetting.question_texts(request.principal),
        custom=vetting.custom_questions(request.principal),
    )
    if request.method == "POST" and form.is_valid():
        try:
            vetting.answer_request(request.principal, data=form.check_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(
                request,
                "providers/reference_answer_thanks.html",
                {"asking_org": reference_request.organization.name},
            )
    context = {
        "form": form,
        "asking_org": reference_request.organization.name,
        "provider_name": reference_request.reference.provider.name,
        "reference_name": reference_request.reference.name,
    }
    return render(request, "providers/reference_answer.html", context)


@principal_required(Role.VIEWER, writes=Role.ADMIN)
def question_list(request):
    form = QuestionForm(request.POST or None)
    if request.method == "POST":
        question = None
        if request.POST.get("question"):
            question = get_visible_or_404(
                ReferenceQuestion.objects, request.principal, pk=request.POST["question"]
            )
        if request.POST.get("action") == "retire" and question and not question.key:
            vetting.save_question(
                request.principal,
                text=question.text,
                question=question,
                active=not question.active,
            )
            return redirect("providers:questions", request.org.slug)
        if form.is_valid():
            try:
                vetting.save_question(
                    request.principal,
                    text=form.cleaned_data["text"],
                    question=question,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The question set was saved.")
                return redirect("providers:questions", request.org.slug)
    return render(
        request,
        "providers/questions.html",
        {"questions": vetting.questions(request.principal), "form": form},
    )


@require_POST
@principal_required(Role.MANAGER)
def due_diligence_apply(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    template = get_visible_or_404(
        DueDiligenceTemplate.objects.prefetch_related("items"),
        request.principal,
        pk=request.POST.get("template") or 0,
    )
    added = vetting.apply_template(request.principal, provider, template)
    messages.success(request, f"{added} item{'s' if added != 1 else ''} added from {template}.")
    return redirect(_vetting_url(provider))


@principal_required(Role.MANAGER)
def due_diligence_item(request, pk):
    item = get_visible_or_404(
        DueDiligenceItem.objects.select_related("provider"), request.principal, pk=pk
    )
    form = DueDiligenceItemForm(request.POST or None, request.FILES or None, instance=item)
    if request.method == "POST" and form.is_valid():
        data = {key: form.cleaned_data[key] for key in form.cleaned_data if key != "document"}
        try:
            vetting.update_item(
                request.principal, item, data=data, document=form.cleaned_data.get("document")
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{item.title} was saved.")
            return redirect(_vetting_url(item.provider))
    item.refresh_from_db()
    return render(request, "providers/due_diligence_form.html", {"form": form, "item": item})


@principal_required(Role.VIEWER)
def due_diligence_document(request, pk):
    item = get_visible_or_404(DueDiligenceItem.objects, request.principal, pk=pk)
    if not item.document:
        return render(request, "errors/404.html", status=404)
    extension = item.document.name.rsplit(".", 1)[-1]
    return FileResponse(
        item.document.open("rb"),
        as_attachment=True,
        filename=f"{item.title[:40]}.{extension}",
        content_type=item.document_type,
    )


@principal_required(Role.VIEWER)
def due_diligence_expiring(request):
    raw = request.GET.get("days", "30")
    days = int(raw) if raw.isdigit() and int(raw) <= 730 else 30
    items = vetting.expiring(request.principal, days=days)
    return render(request, "providers/expiring.html", {"items": items, "days": days})


@principal_required(Role.VIEWER, writes=Role.ADMIN)
def due_diligence_templates(request):
    rows = vetting.templates(request.principal)
    form = TemplateItemForm(request.POST or None)
    if request.method == "POST":
        template = get_visible_or_404(
            DueDiligenceTemplate.objects.prefetch_related("items"),
            request.principal,
            pk=request.POST.get("template") or 0,
        )
        if form.is_valid():
            try:
                vetting.add_template_item(request.principal, template, data=form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"{template.name} has a new item.")
                return redirect("providers:due_diligence_templates", request.org.slug)
    return render(
        request, "providers/due_diligence_templates.html", {"templates": rows, "form": form}
    )
