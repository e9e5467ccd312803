from ninja.security import HttpBearer

from handoff.accounts.access import enter
from handoff.accounts.principal import for_token


class TokenAuth(HttpBearer):
    """Bearer tokens from the API tokens page, a member's or a provider contact's: sets
    ``request.principal`` (and ``request.user``). Each operation declares who may call it with
    :func:`handoff.core.api.api_access`; ``providers=False`` answers a provider contact's token
    401 for a whole router."""

    def __init__(self, *, providers: bool = False):
        super().__init__()
        self.providers = providers

    def authenticate(self, request, token):
        principal = for_token(token)
        if principal is None or principal.is_provider != self.providers:
            return None
        request.user = principal.user
        enter(request, principal)
        return principal
