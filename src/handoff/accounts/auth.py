import zoneinfo

from django.utils import timezone
from ninja.security import HttpBearer

from handoff.accounts.services import authenticate_api_token


class ApiTokenAuth(HttpBearer):
    """Bearer tokens from the API tokens page; sets ``request.org`` and ``request.membership``."""

    def authenticate(self, request, token):
        found = authenticate_api_token(token)
        if found is None:
            return None
        api_token, membership = found
        request.org = membership.organization
        request.membership = membership
        request.user = membership.user
        # Dates ("today", due dates, expiry) follow the organization's zone, as on the pages.
        timezone.activate(zoneinfo.ZoneInfo(request.org.time_zone))
        return api_token
