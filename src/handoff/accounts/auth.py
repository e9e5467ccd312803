from ninja.security import HttpBearer

from handoff.accounts.access import enter
from handoff.accounts.principal import for_token


class TokenAuth(HttpBearer):
    """Bearer tokens from the API tokens page, a member's or a provider contact's: sets
    ``request.principal`` (and ``request.user``). Each operation declares who may call it with
    :func:`handoff.core.api.api_access`. ``providers`` narrows a whole router: False admits
    members' tokens only, True provider contacts' only, None both (the handler's
    ``api_access`` then says who may call it)."""

    def __init__(self, *, providers: bool | None = False):
        super().__init__()
        self.providers = providers

    def authenticate(self, request, token):
        principal = for_token(token)
        if principal is None:
            return None
        if self.providers is not None and principal.is_provider != self.providers:
            return None
        request.user = principal.user
        enter(request, principal)
        return principal
