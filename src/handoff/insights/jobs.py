"""Evaluate's periodic sweep: start each period's relationship check-ins. Registered with the
notifications sweep registry from ``apps.InsightsConfig.ready``.

Safe to run twice: a provider has one round per period (a unique constraint), each person is
asked once in it, and each message carries the key ``checkin:<id>``.
"""

import logging
from datetime import datetime, timedelta

from handoff.core.principal import Principal
from handoff.insights import checkins
from handoff.notifications.sweeps import sweep

logger = logging.getLogger(__name__)


@sweep(every=timedelta(days=1), name="insights.checkin_rounds")
def checkin_rounds(now: datetime) -> int:
    """Start the rounds the organizations' cadences call for; how many were started. One
    provider's failure does not stop the others."""
    started = 0
    for provider, period_start, period_end in checkins.due_rounds(now):
        try:
            checkins.start_round(
                Principal.system(provider.organization),
                provider,
                period_start=period_start,
                period_end=period_end,
                now=now,
            )
        except Exception:
            logger.exception("The check-in round for provider %s could not start", provider.pk)
        else:
            started += 1
    return started
