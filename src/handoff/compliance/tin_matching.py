"""TIN Matching and the B-notice path.

- The request file is the IRS e-Services bulk TIN Matching format (IRS Publication 2108-A):
  a plain text file, one payee per line, ``TIN type;TIN;Name;Account number`` — TIN type 1
  for an EIN, 2 for an SSN or ITIN, 3 unknown; the TIN as nine digits; the name at most 40
  characters of letters, digits, spaces, hyphens and ampersands; the account number (at most
  20 letters and digits, returned as sent) carries the W-9's id. At most 100,000 lines a file.
- The result file is the same lines with the IRS's indicator 0–8 appended
  (``choices.TinMatchResult``). Importing it records each W-9's result, all lines or none.
- An IRS notice CP2100/CP2100A or Letter 972CG recorded by hand opens a ``BNotice``: send the
  B notice within 15 business days, backup withholding at the dated rate from 30 business
  days after the notice unless a certified TIN (a new W-9) arrives first; after a second notice
  within three years only the IRS's or SSA's validation ends it (IRS Publication 1281).
- A TIN Matching mismatch (indicator 2 or 3) opens a case too, asking the payee for a
  corrected W-9 on the same timetable, but withholds nothing: the law ties backup withholding
  to the IRS's notice (or a missing TIN), not to a TIN Matching answer, which serves the
  payer's due diligence. A notice recorded later for the payee confirms the case.
"""

import re
import unicodedata
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import holidays
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse

from handoff.accounts.models import Role
from handoff.compliance import selectors, tins
from handoff.compliance.choices import (
    TIN_ASK_AGAIN,
    MismatchSource,
    TinMatchResult,
    TinType,
)
from handoff.compliance.models import W8, W9, BackupWithholdingRate, BNotice, TinCheck
from handoff.core import audit
from handoff.core.principal import Principal
from handoff.engagements.calendar import add_business_days
from handoff.notifications.events import Event
from handoff.notifications.services import admins_and, notify
from handoff.payables.choices import PROCESSOR_REPORTED
from handoff.payables.models import Payment

MAX_LINES = 100_000  # Pub. 2108-A: a bulk file holds at most 100,000 name/TIN pairs
NAME_LENGTH = 40
SEND_WITHIN = 15  # business days after the IRS's notice to send the B notice (Pub. 1281)
WITHHOLD_AFTER = 30  # business days after it, withholding starts unless a certified TIN came
CENT = Decimal("0.01")
HUNDRED = Decimal(100)

_TIN_TYPE_CODE = {TinType.EIN: "1", TinType.SSN: "2", TinType.ITIN: "2"}
_ACCOUNT = re.compile(r"W9N(\d{1,17})")


# --- The request file --------------------------------------------------------------------------
def to_check(principal: Principal) -> list[W9]:
    """The current W-9s the IRS has not answered yet, or answered "ask again" (a request the
    IRS found missing, invalid or duplicate). A mismatch waits for a new W-9 instead. A payee
    who gave a W-8 since is a foreign person now, with no 1099 to match a TIN for."""
    last_result = (
        TinCheck.objects.visible_to(principal)
        .filter(w9=OuterRef("pk"))
        .order_by("-checked_on", "-id")
        .values("result")[:1]
    )
    newer_w8 = W8.objects.visible_to(principal).filter(
        provider=OuterRef("provider"), signed_on__gt=OuterRef("signed_on")
    )
    return list(
        selectors.current_w9_rows(principal)
        .annotate(last_result=Subquery(last_result))
        .filter(Q(last_result__isnull=True) | Q(last_result__in=TIN_ASK_AGAIN))
        .filter(~Exists(newer_w8))
        .select_related("provider")
        .order_by("legal_name", "pk")
    )


def matching_name(w9: W9) -> str:
    """The name as the IRS matches it: line 1 of the W-9 with accents taken off ("José" is
    "Jose"), keeping only letters, digits, spaces, hyphens and ampersands (Pub. 2108-A), at
    most 40 characters."""
    plain = unicodedata.normalize("NFKD", w9.legal_name).encode("ascii", "ignore").decode()
    kept = re.sub(r"[^A-Za-z0-9 &-]", "", plain)
    return " ".join(kept.split())[:NAME_LENGTH].strip()


def account_number(w9: W9) -> str:
    return f"W9N{w9.pk}"


@transaction.atomic
def request_file(principal: Principal) -> tuple[str, int]:
    """The bulk TIN Matching request file for the payees not yet matched, and its line count
    (the first 100,000 by name, the most one file may hold). It holds full TINs, so it is an
    admin's, and the audit trail records who prepared it."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Preparing a TIN Matching file")
    rows = to_check(principal)
    if not rows:
        raise ValidationError(
            {"file": "Every current W-9 has its IRS answer: there is nothing to ask."}
        )
    lines = [
        ";".join(
            (
                _TIN_TYPE_CODE[w9.tin_type],
                tins.decrypt(w9.tin_encrypted),
                matching_name(w9),
                account_number(w9),
            )
        )
        for w9 in rows[:MAX_LINES]
    ]
    audit.record(
        principal.organization,
        principal.user,
        "tin_matching.requested",
        principal.organization,
        f"Prepared a TIN Matching request for {len(lines)} payee{'s' if len(lines) != 1 else ''}",
    )
    return "\r\n".join(lines) + "\r\n", len(lines)


# --- The result file ---------------------------------------------------------------------------
def _parse(principal: Principal, content: bytes) -> list[tuple[W9, int]]:
    try:
        text = content.decode("ascii")
    except UnicodeDecodeError:
        raise ValidationError(
            {"file": "This is not the IRS's result file: it holds characters beyond plain text."}
        ) from None
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise ValidationError({"file": "The file is empty."})
    if len(lines) > MAX_LINES:
        raise ValidationError({"file": f"A result file holds at most {MAX_LINES:,} lines."})
    wanted, problems, parsed = {}, [], []
    for number, line in enumerate(lines, start=1):
        fields = [field.strip() for field in line.split(";")]
        if len(fields) != 5:
            problems.append(
                f"Line {number}: expected five fields (TIN type;TIN;name;account;result), "
                f"found {len(fields)}."
            )
            continue
        _type, digits, _name, account, result = fields
        match = _ACCOUNT.fullmatch(account)
        if not match:
            problems.append(f"Line {number}: the account number is not one Handoff sent.")
            continue
        if not result.isdigit() or int(result) not in TinMatchResult.values:
            problems.append(f"Line {number}: the result is not an IRS indicator 0–8.")
            continue
        wanted[number] = int(match.group(1))
        parsed.append((number, digits, int(result)))
    found = W9.objects.visible_to(principal).in_bulk(set(wanted.values()))
    rows = []
    for number, digits, result in parsed:
        w9 = found.get(wanted[number])
        if w9 is None:
            problems.append(f"Line {number}: no W-9 of this organization has that account number.")
        elif not digits.isdigit() or tins.fingerprint(digits) != w9.tin_hash:
            problems.append(
                f"Line {number}: the TIN is not the one on {w9.legal_name}'s W-9 (it changed "
                "since the request, or the line was edited)."
            )
        else:
            rows.append((w9, result))
    if problems:
        shown = problems[:20] + ([f"…and {len(problems) - 20} more."] if len(problems) > 20 else [])
        raise ValidationError({"file": ["Nothing was recorded.", *shown]})
    return rows


@transaction.atomic
def import_results(principal: Principal, content: bytes, checked_on: date) -> dict:
    """Record the IRS's answer for every line of a bulk result file; all lines or none. Each
    mismatch opens the payee's B-notice path and tells the admins."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Recording TIN Matching results")
    if checked_on > principal.organization.today():
        raise ValidationError({"checked_on": "The date of the IRS's result is in the future."})
    rows = _parse(principal, content)
    counts = {"matched": 0, "mismatched": 0, "ask_again": 0}
    opened = []
    for w9, result in rows:
        check = TinCheck.objects.create(
            organization=principal.organization,
            w9=w9,
            result=result,
            checked_on=checked_on,
            recorded_by=principal.user,
        )
        if check.matched:
            counts["matched"] += 1
        elif check.mismatched:
            counts["mismatched"] += 1
            case = _open(principal, w9, MismatchSource.TIN_MATCHING, checked_on, second=False)
            if case is not None:
                opened.append(case)
        else:
            counts["ask_again"] += 1
    audit.record(
        principal.organization,
        principal.user,
        "tin_matching.imported",
        principal.organization,
        f"Recorded TIN Matching results of {checked_on:%Y-%m-%d}: {counts['matched']} matched, "
        f"{counts['mismatched']} mismatched, {counts['ask_again']} to ask again",
    )
    for case in opened:
        _tell_admins(principal, case)
    return {**counts, "opened": opened}


# --- The B-notice path -------------------------------------------------------------------------
def federal_business_days(start: date, days: int) -> date:
    """``days`` business days after ``start``, skipping weekends and federal legal holidays."""
    off = holidays.US(years=range(start.year, start.year + 2))
    return add_business_days(start, days, off)


def _open_cases(principal: Principal, provider):
    return BNotice.objects.visible_to(principal).filter(provider=provider, resolved_on=None)


def _timetable(case: BNotice) -> None:
    """The case's dates from the day the notice (or result) arrived: the B notice (or, after
    TIN Matching, the request for a corrected W-9) within 15 business days; withholding 30
    business days after an IRS notice, none on a TIN Matching result alone."""
    case.send_by = federal_business_days(case.received_on, SEND_WITHIN)
    case.withholding_from = (
        federal_business_days(case.received_on, WITHHOLD_AFTER) if case.from_irs_notice else None
    )


def _open(principal, w9, source, received_on, *, second) -> BNotice | None:
    """A new case for the payee, or None when one is already open (the open one stands)."""
    if _open_cases(principal, w9.provider).exists():
        return None
    case = BNotice(
        organization=principal.organization,
        provider=w9.provider,
        w9=w9,
        source=source,
        received_on=received_on,
        second=second,
        opened_by=principal.user,
    )
    _timetable(case)
    try:
        with transaction.atomic():
            case.save()
    except IntegrityError:  # another request opened it a moment ago
        return None
    audit.record(
        principal.organization,
        principal.user,
        "b_notice.opened",
        case,
        f"Opened a name/TIN mismatch case for {w9.provider.name}: "
        f"{case.get_source_display()} of {received_on:%Y-%m-%d}",
    )
    return case


def _tell_admins(principal: Principal, case: BNotice) -> None:
    org = principal.organization
    name = case.provider.name
    if case.withholding_from is None:
        body = (
            f"IRS TIN Matching says {name}'s name and TIN do not match. Ask {name} for a "
            f"corrected, signed W-9 by {case.send_by:%B %-d, %Y}; if the IRS later sends a "
            "CP2100 or 972CG notice naming them, record it and backup withholding follows."
        )
    else:
        rate = current_rate(case.withholding_from).percent.normalize()
        body = (
            f"Send {name} a B notice asking for a certified TIN by {case.send_by:%B %-d, %Y}. "
            f"Unless a new W-9 arrives first, withhold {rate:f}% of payments from "
            f"{case.withholding_from:%B %-d, %Y}."
        )
    notify(
        organization=org,
        event=Event.TIN_MISMATCH,
        subject=f"{name}'s name and TIN do not match the IRS's records",
        body=body,
        url=reverse("compliance:tin_matching", args=[org.slug]),
        users=admins_and(Principal.system(org)),
        key=f"b_notice:{case.pk}:{case.source}:{case.received_on:%Y%m%d}",
        actor=principal.user,
    )


@transaction.atomic
def record_notice(
    principal: Principal, *, w9: W9, source: str, received_on: date, second: bool
) -> BNotice:
    """Record an IRS notice (CP2100/CP2100A or 972CG) naming this payee. It opens the B-notice
    path, or confirms an open TIN Matching case, which then takes the notice's dates."""
    principal.require_in(principal.organization_id, Role.ADMIN, "Recording an IRS notice")
    errors = {}
    if source not in (MismatchSource.CP2100, MismatchSource.LETTER_972CG):
        errors["source"] = "Choose the IRS notice: CP2100/CP2100A or Letter 972CG."
    if received_on > principal.organization.today():
        errors["received_on"] = "The date received is in the future."
    elif not BackupWithholdingRate.objects.filter(effective_from__lte=received_on).exists():
        errors["received_on"] = "Handoff has no backup withholding rate for a date that early."
    open_case = _open_cases(principal, w9.provider).select_for_update().first()
    if open_case is not None and open_case.from_irs_notice:
        errors["w9"] = f"{w9.provider.name} already has an open case from an IRS notice."
    if errors:
        raise ValidationError(errors)
    if open_case is None:
        case = _open(principal, w9, source, received_on, second=second)
        if case is None:
            raise ValidationError({"w9": f"{w9.provider.name} already has an open case."})
    else:
        case = open_case
        case.w9, case.source, case.received_on, case.second = w9, source, received_on, second
        case.b_notice_sent_on = None  # the B notice follows the IRS's notice
        _timetable(case)
        case.save()
        audit.record(
            case.organization,
            principal.user,
            "b_notice.confirmed",
            case,
            f"The IRS's {case.get_source_display()} of {received_on:%Y-%m-%d} confirmed the "
            f"TIN Matching mismatch of {w9.provider.name}",
        )
    _tell_admins(principal, case)
    return case


def what_was_sent(case: BNotice) -> str:
    """What an admin sends the payee: the B notice after an IRS notice, else a W-9 request."""
    if not case.from_irs_notice:
        return "request for a corrected W-9"
    return f"{'second' if case.second else 'first'} B notice"


@transaction.atomic
def mark_sent(principal: Principal, case: BNotice, sent_on: date) -> BNotice:
    principal.require_in(case.organization_id, Role.ADMIN, "Recording a B notice")
    case = BNotice.objects.visible_to(principal).select_for_update().get(pk=case.pk)
    if not case.is_open:
        raise ValidationError({"b_notice_sent_on": "This case is closed."})
    if sent_on < case.received_on or sent_on > case.organization.today():
        raise ValidationError(
            {"b_notice_sent_on": "Give a date between the notice's receipt and today."}
        )
    case.b_notice_sent_on = sent_on
    case.save(update_fields=["b_notice_sent_on"])
    audit.record(
        case.organization,
        principal.user,
        "b_notice.sent",
        case,
        f"Recorded the {what_was_sent(case)} to {case.provider.name} sent on {sent_on:%Y-%m-%d}",
    )
    return case


@transaction.atomic
def resolve(principal: Principal, case: BNotice, *, on: date, note: str) -> BNotice:
    """Close a case by hand: after a second notice, the IRS's or SSA's validation arrived."""
    principal.require_in(case.organization_id, Role.ADMIN, "Closing a B-notice case")
    case = BNotice.objects.visible_to(principal).select_for_update().get(pk=case.pk)
    note = " ".join((note or "").split())
    errors = {}
    if not case.is_open:
        errors["resolved_on"] = "This case is already closed."
    elif on < case.received_on or on > case.organization.today():
        errors["resolved_on"] = "Give a date between the notice's receipt and today."
    if not note:
        errors["resolution"] = "Say what ended it (e.g. the SSA's validation letter of …)."
    if errors:
        raise ValidationError(errors)
    case.resolved_on, case.resolution = on, note[:300]
    case.save(update_fields=["resolved_on", "resolution"])
    audit.record(
        case.organization, principal.user, "b_notice.resolved", case, f"Closed: {case.resolution}"
    )
    return case


def certified_tin_arrived(principal: Principal, w9: W9) -> None:
    """A newly signed W-9 is a certified TIN: it ends a first-notice case (a second notice
    needs the IRS's or SSA's validation instead, so that case stays open)."""
    for case in BNotice.objects.visible_to(principal).filter(
        provider=w9.provider, resolved_on=None, second=False
    ):
        case.resolved_on = case.organization.today()
        case.resolution = f"A new W-9 signed {w9.signed_on:%Y-%m-%d} certified the TIN."
        case.save(update_fields=["resolved_on", "resolution"])
        audit.record(case.organization, principal.user, "b_notice.resolved", case, case.resolution)


# --- Backup withholding ------------------------------------------------------------------------
def current_rate(day: date) -> BackupWithholdingRate:
    rate = (
        BackupWithholdingRate.objects.filter(effective_from__lte=day)
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=day))
        .first()
    )
    if rate is None:
        raise ValidationError(
            {"paid_on": "No backup withholding rate covers this date: run `handoff migrate`."}
        )
    return rate


def withholding_for(principal: Principal, payment: Payment) -> Decimal:
    """What to withhold from a payment: the dated rate of its amount when the payee's case
    calls for withholding on its date, or their W-9 in force has item 2 crossed out. Card and
    network payments are the processor's, and an exempt payee (a corporation, code 5…) is not
    subject to backup withholding (Instructions for the Requester of Form W-9, "Exempt
    payees")."""
    if payment.method in PROCESSOR_REPORTED:
        return Decimal(0)
    current = selectors.current_w9s(principal, [payment.provider_id]).get(payment.provider_id)
    if current is not None and current.exempt_payee_code:
        return Decimal(0)  # an exempt payee (W-9 line 4) is not subject to backup withholding
    # A payee who crossed out item 2 of the W-9 certification says the IRS told them they
    # are subject to backup withholding (Form W-9, Part II, "Certification instructions").
    certified_subject = current is not None and current.item_2_crossed_out
    cases = BNotice.objects.visible_to(principal).filter(
        provider=payment.provider, withholding_from__lte=payment.paid_on
    )
    if not certified_subject and not any(case.withholds_on(payment.paid_on) for case in cases):
        return Decimal(0)
    rate = current_rate(payment.paid_on).percent
    return (payment.amount * rate / HUNDRED).quantize(CENT, rounding=ROUND_HALF_UP)


def cases(principal: Principal):
    return BNotice.objects.visible_to(principal).select_related("provider", "w9")


def recent_checks(principal: Principal, limit: int = 50):
    return (
        TinCheck.objects.visible_to(principal)
        .select_related("w9__provider")
        .order_by("-recorded_at", "-id")[:limit]
    )


def last_checks(principal: Principal, w9s) -> dict[int, TinCheck]:
    """The IRS's latest answer for each of ``w9s``, by W-9 id, in one query."""
    latest = {}
    for check in TinCheck.objects.visible_to(principal).filter(w9__in=list(w9s)):
        latest.setdefault(check.w9_id, check)  # newest first (the model's ordering)
    return latest
