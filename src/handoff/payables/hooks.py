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
