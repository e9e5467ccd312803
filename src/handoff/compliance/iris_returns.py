"""A tax year's 1099-NEC returns for the IRS's IRIS Taxpayer Portal: read from the database,
checked by the pure ``iris`` module against the year's dated layout, and the files produced
from them. A file carries full TINs: producing one needs an admin and is recorded in the audit
trail."""

from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse

from handoff.compliance import iris, iris_layouts, selectors, tins
from handoff.compliance.models import BNotice, TinCheck
from handoff.core import audit
from handoff.core.roles import Role


class NoLayout(ValidationError):
    pass


def tax_year(raw: int) -> int:
    if not 2000 <= raw <= 2100:
        raise ValidationError({"year": "Choose a year from 2000 to 2100."})
    return raw


def layout_of(year: int) -> iris_layouts.Layout:
    layout = iris_layouts.layout_for(iris.FORM, year)
    if layout is None:
        first = min(layout.tax_year for layout in iris_layouts.LAYOUTS)
        raise NoLayout(
            {"year": f"Handoff has no IRIS layout for {year}; the first it knows is {first}."}
        )
    return layout


def _returns(principal, report) -> list[iris.Return]:
    rows = report.needing_forms
    w9_ids = [row.w9.pk for row in rows if row.w9]
    latest = {}
    for check in TinCheck.objects.visible_to(principal).filter(w9_id__in=w9_ids):
        latest.setdefault(check.w9_id, check)  # newest first (the model's ordering)
    second = set(
        BNotice.objects.visible_to(principal)
        .filter(provider_id__in=[row.provider.pk for row in rows], second=True)
        .values_list("provider_id", flat=True)
    )
    out = []
    for row in rows:
        w9, provider = row.w9, row.provider
        if w9 is None:
            out.append(
                iris.Return(
                    provider.pk,
                    provider.name,
                    has_w9=False,
                    name=provider.legal_name or provider.name,
                    box1=row.reportable,
                    box4=row.withheld,
                )
            )
            continue
        check = latest.get(w9.pk)
        out.append(
            iris.Return(
                provider.pk,
                provider.name,
                has_w9=True,
                tin_type=w9.tin_type,
                tin=tins.decrypt(w9.tin_encrypted),
                name=w9.legal_name,
                name_2=w9.business_name,
                address=w9.street,
                city=w9.city,
                state=w9.state,
                postal_code=w9.postal_code,
                box1=row.reportable,
                box4=row.withheld,
                tin_mismatch=bool(check and check.mismatched),
                second_tin_notice=provider.pk in second,
            )
        )
    return out


@dataclass
class IrisYear:
    year: int
    layout: iris_layouts.Layout
    report: object
    payer: iris.Payer
    payer_problems: list
    checked: list = field(default_factory=list)

    @property
    def ready(self) -> list[iris.Return]:
        return [c.ret for c in self.checked if c.ok]

    @property
    def blocked(self) -> list[iris.Checked]:
        return [c for c in self.checked if not c.ok]

    @property
    def files(self) -> int:
        return len(iris.split(self.ready, self.layout.row_limit))


def iris_year(principal, year: int) -> IrisYear:
    """The year's returns, each checked against the layout, and the payer's problems."""
    layout = layout_of(tax_year(year))
    report = selectors.nec_report(principal, year)
    payer = selectors.payer_of(principal)
    accept = django_settings.TIN_ACCEPT_TEST_NUMBERS
    return IrisYear(
        year,
        layout,
        report,
        payer,
        iris.check_payer(layout, payer, accept_test_numbers=accept),
        [
            iris.check_return(layout, ret, accept_test_numbers=accept)
            for ret in _returns(principal, report)
        ],
    )


@transaction.atomic
def produce_file(
    principal, year: int, *, provider_ids=None, headers=None
) -> tuple[str, bytes, str, int]:
    """The year's IRIS file(s) as (name, content, content type, returns): the returns ready to
    file, or — ``provider_ids`` given, for a year marked filed — those payees' returns marked
    corrected; in the layout's columns or, ``headers`` given, in an uploaded template's. Raises
    ValidationError naming what blocks it. Recorded in the audit trail (it carries TINs)."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Producing the IRIS file")
    state = iris_year(principal, year)
    if state.payer_problems:
        raise ValidationError(
            {"payer": "The payer's details are incomplete: " + state.payer_problems[0].message}
        )
    returns = state.ready
    corrected = provider_ids is not None
    if corrected:
        if state.report.filing is None:
            raise ValidationError(
                {"year": f"{year} is not marked filed: corrected returns follow a filing."}
            )
        wanted = {int(pk) for pk in provider_ids}
        known = {c.ret.provider_id: c for c in state.checked}
        if not wanted or not wanted <= set(known):
            raise ValidationError({"providers": f"Choose payees with a {year} return."})
        blocked = [known[pk].ret.provider_name for pk in wanted if not known[pk].ok]
        if blocked:
            raise ValidationError(
                {"providers": "Fix these returns first: " + ", ".join(sorted(blocked)) + "."}
            )
        returns = [ret for ret in returns if ret.provider_id in wanted]
    if not returns:
        raise ValidationError({"year": f"No {year} return is ready to file."})
    if headers is not None:
        mapped = iris.map_template(state.layout, headers)
        keys, header_row = mapped.keys, mapped.headers
    else:
        keys, header_row = None, state.layout.headers
    body = iris.rows(state.layout, year, state.payer, returns, keys=keys, corrected=corrected)
    base = f"iris-1099-nec-{year}{'-corrected' if corrected else ''}"
    files = iris.build_files(header_row, body, state.layout.row_limit, base)
    name, content, content_type = iris.package(files, base)
    what = "corrected " if corrected else ""
    audit.record(
        principal.organization,
        principal.user,
        "nec.iris_corrected" if corrected else "nec.iris_exported",
        selectors.settings_for(principal),
        f"Produced the {year} IRIS {what}1099-NEC file with {len(returns)} TIN"
        f"{'s' if len(returns) != 1 else ''} ({len(files)} file{'s' if len(files) != 1 else ''}"
        f"{', from an uploaded template' if headers is not None else ''})",
    )
    return name, content, content_type, len(returns)


def fix_url(org, problem: iris.Problem, provider_id: int | None = None) -> str:
    if problem.fix == "settings":
        return reverse("compliance:settings", args=[org.slug])
    return reverse("compliance:w9", args=[org.slug, provider_id])


def state_notes(org, today):
    return [iris_layouts.state_filing(state, today) for state in (org.states or [])]
