"""Accounting systems: export approved invoices as bills, import payments and vendors (check
first, then all rows or none), and the organization's own column mappings.

Least roles: exporting and reading the mappings for viewers; importing for managers; adapting
a mapping for admins."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from handoff.accounts.access import principal_required
from handoff.core import csv_import
from handoff.core.forms import add_service_errors
from handoff.core.roles import Role
from handoff.core.tenancy import get_visible_or_404
from handoff.payables import accounting
from handoff.payables import accounting_services as services
from handoff.payables.models import ColumnMapping
from handoff.providers.models import Provider


class BillExportForm(forms.Form):
    format = forms.ChoiceField(label="Accounting system", widget=forms.RadioSelect)
    date_from = forms.DateField(
        label="Invoice date from", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="Invoice date to", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    provider = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["format"].choices = [
            (m.key, m.name) for m in services.mapping_choices(principal, (accounting.BILLS,))
        ]
        self.fields["provider"].choices = [("", "Every provider")] + list(
            Provider.objects.visible_to(principal).order_by("name").values_list("pk", "name")
        )


@principal_required(Role.VIEWER)
def bill_export(request):
    """The export form; with ``download`` the file of the approved invoices it selects."""
    form = BillExportForm(request.GET or None, principal=request.principal)
    if "download" in request.GET and form.is_valid():
        data = form.cleaned_data
        try:
            name, text, _ = services.export_bills(
                request.principal,
                format_key=data["format"],
                date_from=data["date_from"],
                date_to=data["date_to"],
                provider_id=data["provider"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            response = HttpResponse(text, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
    context = {
        "form": form,
        "formats": services.mapping_choices(request.principal, (accounting.BILLS,)),
    }
    return render(request, "payables/accounting_export.html", context)


class AccountingImportForm(csv_import.CsvImportForm):
    help_text = "UTF-8, at most 1 MB, with the header row the chosen format names."
    format = forms.ChoiceField(label="The file is")

    def __init__(self, *args, principal, **kwargs):
        super().__init__(*args, **kwargs)
        self.principal = principal
        self.fields["format"].choices = [
            (m.key, m.name) for m in services.mapping_choices(principal)
        ]
        self.order_fields(["format", "file"])

    def rows(self) -> list[dict]:
        mapping = services.get_mapping(self.principal, self.cleaned_data["format"])
        try:
            return services.read_rows(mapping, self.cleaned_data["content"])
        except ValidationError as error:
            raise forms.ValidationError(error.message_dict["csv"]) from None


@principal_required(Role.MANAGER)
def accounting_import(request):
    """Upload a file, see every row's match and problem, then import: all rows or none."""
    last: dict = {}

    def run(rows, commit):
        last["report"] = services.import_file(
            request.principal, format_key=form.cleaned_data["format"], rows=rows, commit=commit
        )
        return last["report"]

    def done(count):
        counts = services.summary(last["report"])
        return (
            f"Imported: {counts['ready']} payments recorded, {counts['new']} providers added; "
            f"{counts['skipped'] + counts['exists']} rows left out."
        )

    form = AccountingImportForm(
        request.POST or None, request.FILES or None, principal=request.principal
    )
    response = csv_import.import_page(
        request,
        form,
        run,
        template="payables/accounting_import.html",
        columns=[],
        done=done,
        done_url=reverse("payables:payments", args=[request.org.slug]),
    )
    return response


def _roles_form(base: accounting.Mapping, data=None, initial=None):
    class RolesForm(forms.Form):
        name = forms.CharField(max_length=80)
        date_format = forms.ChoiceField(
            choices=[(code, f"like {example}") for code, example in accounting.DATE_FORMATS.items()]
        )

    form = RolesForm(data, initial=initial)
    if base.kind == accounting.VENDORS:
        del form.fields["date_format"]
    for role in accounting.ROLES_BY_KIND[base.kind]:
        form.fields[role] = forms.CharField(
            label=f"Column for: {accounting.ROLE_LABELS[role]}",
            required=role in base.required_roles,
            max_length=80,
            help_text=f"Built-in: {base.header_of(role) or '(none)'}",
        )
    return form


class CopyMappingForm(forms.Form):
    base = forms.ChoiceField(label="Start from")
    name = forms.CharField(max_length=80, label="Name of your mapping")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["base"].choices = [
            (m.key, m.name)
            for m in accounting.builtin_mappings().values()
            if m.kind != accounting.BILLS
        ]


@principal_required(Role.VIEWER, writes=Role.ADMIN)
def mapping_list(request):
    """The built-in mappings with their sources, the organization's own, and (admins) a form
    copying a built-in one to adapt."""
    form = CopyMappingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        base = accounting.builtin_mappings()[form.cleaned_data["base"]]
        try:
            row = services.save_mapping(
                request.principal,
                base=base.key,
                name=form.cleaned_data["name"],
                roles=dict(base.roles),
                date_format=base.date_format
                if base.date_format in accounting.DATE_FORMATS
                else "%Y-%m-%d",
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"{row.name} is yours to adapt: name your columns.")
            return redirect("payables:accounting_mapping", request.org.slug, row.pk)
    context = {
        "form": form if request.principal.at_least(Role.ADMIN) else None,
        "builtins": list(accounting.builtin_mappings().values()),
        "own": services.own_mappings(request.principal),
    }
    return render(request, "payables/accounting_mappings.html", context)


@principal_required(Role.ADMIN)
def mapping_edit(request, mapping_id):
    row = get_visible_or_404(ColumnMapping.objects, request.principal, pk=mapping_id)
    base = accounting.builtin_mappings().get(row.base)
    if base is None:
        raise Http404("The built-in mapping this one adapts is gone.")
    if request.method == "POST" and request.POST.get("action") == "delete":
        services.delete_mapping(request.principal, row)
        messages.success(request, f"The mapping {row.name} is deleted.")
        return redirect("payables:accounting_mappings", request.org.slug)
    initial = {"name": row.name, "date_format": row.date_format, **row.roles}
    form = _roles_form(base, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.save_mapping(
                request.principal,
                mapping=row,
                base=row.base,
                name=data["name"],
                roles={role: data.get(role, "") for role in accounting.ROLES_BY_KIND[base.kind]},
                date_format=data.get("date_format") or row.date_format,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, f"The mapping {row.name} is saved.")
            return redirect("payables:accounting_mappings", request.org.slug)
    context = {"form": form, "mapping": row, "base": base}
    return render(request, "payables/accounting_mapping_form.html", context)
