"""What apps above ``payables`` check when a payment is recorded, called by its services.

``payables`` may not import ``compliance``, yet a payment's tax side lives there: whether the
payee's W-9 (or W-8) is on file, the organization's rule refusing payments without one, and
backup withholding while an IRS name/TIN notice is open. So ``compliance`` registers a check
from its ``AppConfig.ready()``, and :func:`check_payment` runs every registered check on a
payment about to be saved, inside the service's transaction.
"""

from collections.abc import Callable

# check(principal, payment) -> warnings; it may set the payment's ``without_w9`` and
# ``backup_withheld``, or raise ValidationError to refuse the payment.
Check = Callable[..., list[str]]

_checks: list[Check] = []

# finder(principal, tin_digits) -> the ids of the providers whose W-9 carries that TIN. An
# import from an accounting system matches its payees by TIN first; the W-9s are
# ``compliance``'s, so it registers the finder.
PayeeFinder = Callable[..., set[int]]

_payee_finders: list[PayeeFinder] = []


def on_payment(check: Check) -> Check:
    """Register ``check(principal, payment)``; registering it again changes nothing."""
    if check not in _checks:
        _checks.append(check)
    return check


def check_payment(principal, payment) -> list[str]:
    """Run every registered check on ``payment`` (not yet saved); returns their warnings."""
    warnings: list[str] = []
    for check in _checks:
        warnings.extend(check(principal, payment))
    return warnings


def on_payee_by_tin(finder: PayeeFinder) -> PayeeFinder:
    """Register ``finder(principal, tin_digits)``; registering it again changes nothing."""
    if finder not in _payee_finders:
        _payee_finders.append(finder)
    return finder


def payee_by_tin(principal, tin_digits: str) -> set[int]:
    """The providers of ``principal``'s organization whose W-9 has this nine-digit TIN (empty
    when no app is registered to know, or none has it)."""
    found: set[int] = set()
    for finder in _payee_finders:
        found |= set(finder(principal, tin_digits))
    return found


# check(principal, invoice) -> warnings, or raise ValidationError to refuse the approval.
# ``compliance`` registers its "no payment without a W-9" rule: an approved invoice is payable,
# so the rule applies at approval too (warn, or refuse when the settings say so).
ApprovalCheck = Callable[..., list[str]]

_approval_checks: list[ApprovalCheck] = []


def on_approval(check: ApprovalCheck) -> ApprovalCheck:
    """Register ``check(principal, invoice)``; registering it again changes nothing."""
    if check not in _approval_checks:
        _approval_checks.append(check)
    return check


def check_approval(principal, invoice) -> list[str]:
    """Run every registered approval check on ``invoice`` (locked, not yet approved)."""
    warnings: list[str] = []
    for check in _approval_checks:
        warnings.extend(check(principal, invoice))
    return warnings
