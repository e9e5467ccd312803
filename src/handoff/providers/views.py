from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from handoff.accounts.access import principal_required
from handoff.core import csv_export, csv_import
from handoff.core.errors import Conflict
from handoff.core.forms import add_service_errors
from handoff.core.models import AuditEvent
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.providers import selectors, services, vetting
from handoff.providers.forms import (
    ContactForm,
    ExpertiseFieldForm,
    ProviderFilterForm,
    ProviderForm,
    ProviderImportForm,
)
from handoff.providers.models import Contact, DueDiligenceItem, Provider, Reference

PAGE_SIZE = 50


@principal_required(Role.VIEWER)
def provider_list(request):
    filter_form = ProviderFilterForm(request.GET or None, principal=request.principal)
    providers = selectors.provider_list(request.principal, **filter_form.filters())
    page = Paginator(providers, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = selectors.with_contact_counts(request.principal, page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter_form": filter_form, "page": page, "query": query.urlencode()}
    template = "providers/_list_results.html" if request.htmx else "providers/list.html"
    return render(request, template, context)


CSV_COLUMNS = [
    "name",
    "legal_name",
    "kind",
    "entity_type",
    "is_attorney",
    "status",
    "fields",
    "website",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "contacts",
    "archived",
    "updated_at",
]


@principal_required(Role.VIEWER)
def provider_export(request):
    """The list as CSV, with the same search and filters as on screen, all pages."""
    filter_form = ProviderFilterForm(request.GET or None, principal=request.principal)
    providers = selectors.provider_list(request.principal, **filter_form.filters())
    writer = csv_export.line_writer()

    def chunks(size=500):
        chunk = []
        for provider in providers.iterator(chunk_size=size):
            chunk.append(provider)
            if len(chunk) == size:
                yield selectors.with_contact_counts(request.principal, chunk)
                chunk = []
        yield selectors.with_contact_counts(request.principal, chunk)

    def rows():
        yield writer.writerow(CSV_COLUMNS)
        for provider in (provider for chunk in chunks() for provider in chunk):
            yield writer.writerow(
                [
                    provider.name,
                    provider.legal_name,
                    provider.kind,
                    provider.entity_type,
                    "yes" if provider.is_attorney else "no",
                    provider.status,
                    "; ".join(field.name for field in provider.fields.all()),
                    provider.website,
                    provider.street,
                    provider.city,
                    provider.region,
                    provider.postal_code,
                    provider.country,
                    provider.contact_count,
                    "yes" if provider.archived_at else "no",
                    provider.updated_at.isoformat(),
                ]
            )

    stamp = timezone.localdate().isoformat()
    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="{request.org.slug}-providers-{stamp}.csv"'
    )
    return response


@principal_required(Role.VIEWER)
def provider_detail(request, pk):
    provider = get_visible_or_404(
        selectors.providers_with_fields(request.principal), request.principal, pk=pk
    )
    show_archived = request.GET.get("contacts") == "archived"
    history = (
        AuditEvent.objects.visible_to(request.principal)
        .filter(object_type="provider", object_id=str(provider.pk))
        .select_related("actor")[:20]
    )
    context = {
        "provider": provider,
        "contacts": selectors.contacts_of(request.principal, provider),
        "archived_contacts": selectors.contacts_of(request.principal, provider, archived=True)
        if show_archived
        else None,
        "archived_contact_count": selectors.contacts_of(
            request.principal, provider, archived=True
        ).count(),
        "history": history,
        "references": Reference.objects.visible_to(request.principal)
        .filter(provider=provider)
        .prefetch_related("checks"),
        "due_diligence": DueDiligenceItem.objects.visible_to(request.principal).filter(
            provider=provider
        ),
        "dd_templates": vetting.templates(request.principal),
        "today": timezone.localdate(),
    }
    return render(request, "providers/detail.html", context)


def _save_provider(request, form, provider=None):
    """Create or update from a valid form; on refusal the errors land on the form."""
    field_ids = [field.pk for field in form.cleaned_data["expertise"]]
    try:
        if provider is None:
            return services.create_provider(
                request.principal,
                data=form.provider_data(),
                field_ids=field_ids,
                new_field_names=form.new_field_names(),
            )
        return services.update_provider(
            request.principal,
            provider,
            data=form.provider_data(),
            field_ids=field_ids,
            new_field_names=form.new_field_names(),
            expected_version=form.cleaned_data.get("version"),
        )
    except ValidationError as error:
        add_service_errors(form, error)
    except Conflict as error:
        form.add_error(None, str(error))
    return None


@principal_required(Role.MANAGER)
def provider_create(request):
    form = ProviderForm(request.POST or None, principal=request.principal)
    if request.method == "POST" and form.is_valid():
        provider = _save_provider(request, form)
        if provider:
            messages.success(request, f"{provider.name} was added. Add a contact next.")
            return redirect(provider.get_absolute_url())
    return render(request, "providers/form.html", {"form": form})


@principal_required(Role.MANAGER)
def provider_edit(request, pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=pk)
    form = ProviderForm(request.POST or None, instance=provider, principal=request.principal)
    if request.method == "POST" and form.is_valid():
        saved = _save_provider(request, form, provider)
        if saved:
            messages.success(request, f"{saved.name} was saved.")
            return redirect(saved.get_absolute_url())
    provider.refresh_from_db()
    return render(request, "providers/form.html", {"form": form, "provider": provider})


@require_POST
@principal_required(Role.MANAGER)
def provider_archive(request, pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=pk)
    if request.POST.get("restore"):
        provider = services.restore_provider(request.principal, provider)
        messages.success(request, f"{provider.name} is back in the list.")
    else:
        provider = services.archive_provider(request.principal, provider)
        messages.success(
            request, f"{provider.name} was archived; its history is kept. Restore it any time."
        )
    return redirect(provider.get_absolute_url())


@principal_required(Role.MANAGER)
def contact_create(request, provider_pk):
    provider = get_visible_or_404(Provider.objects, request.principal, pk=provider_pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.create_contact(request.principal, provider, data=form.contact_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{contact.name} was added to {provider.name}.")
            return redirect(provider.get_absolute_url())
    return render(request, "providers/contact_form.html", {"form": form, "provider": provider})


@principal_required(Role.MANAGER)
def contact_edit(request, pk):
    contact = get_visible_or_404(
        Contact.objects.select_related("provider"), request.principal, pk=pk
    )
    provider = contact.provider
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            contact = services.update_contact(
                request.principal,
                contact,
                data=form.contact_data(),
                expected_version=form.cleaned_data.get("version"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except Conflict as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{contact.name} was saved.")
            return redirect(provider.get_absolute_url())
    return render(
        request,
        "providers/contact_form.html",
        {"form": form, "provider": provider, "contact": contact},
    )


@require_POST
@principal_required(Role.MANAGER)
def contact_archive(request, pk):
    contact = get_visible_or_404(
        Contact.objects.select_related("provider"), request.principal, pk=pk
    )
    if request.POST.get("restore"):
        services.restore_contact(request.principal, contact)
        messages.success(request, f"{contact.name} is back among the contacts.")
    else:
        services.archive_contact(request.principal, contact)
        messages.success(request, f"{contact.name} was archived.")
    return redirect(contact.provider.get_absolute_url())


@principal_required(Role.VIEWER, writes=Role.MANAGER)
def expertise_fields(request):
    form = ExpertiseFieldForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            field = services.add_expertise_field(request.principal, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{field.name} was added.")
            return redirect("providers:fields", request.org.slug)
    fields = selectors.expertise_fields(request.principal)
    in_use = services.expertise_fields_in_use(request.principal)
    rows = [(field, in_use.get(field.pk, 0)) for field in fields]
    return render(request, "providers/fields.html", {"form": form, "rows": rows})


@principal_required(Role.MANAGER)
def provider_import(request):
    """Upload a CSV, see every row's verdict, then import: all rows or none."""
    return csv_import.import_page(
        request,
        ProviderImportForm(request.POST or None, request.FILES or None),
        lambda rows, commit: services.import_providers(request.principal, rows=rows, commit=commit),
        template="providers/import.html",
        columns=[("Name", "name")],
        done=lambda count: f"{count} providers were added.",
        done_url=reverse("providers:list", args=[request.org.slug]),
    )
