"""The signatures app's sweep: remind signers who have not signed."""

from datetime import datetime, timedelta

from handoff.notifications.sweeps import sweep
from handoff.signatures import services


@sweep(every=timedelta(hours=6), name="signatures.reminders")
def signature_reminders(now: datetime) -> int:
    """Mail each signer still unsigned ``REMIND_AFTER_DAYS`` after their link went out a
    reminder, once."""
    return sum(services.remind(signer) for signer in services.to_remind(now))
