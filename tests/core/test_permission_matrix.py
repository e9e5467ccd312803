"""The permission matrix, generated from what the app serves rather than from a hand list.

Every API operation (``handoff.core.api.operations``: the operations as the API serves them,
the same ones its OpenAPI document describes) and every URL pattern (the resolver) is walked:

- each declares its least role (``@api_access`` / ``@public_operation`` on an operation,
  ``@principal_required`` on a page), or is one of the few pages outside any organization
  listed below with the reason; a new route without one fails here;
- every role below the least role is refused (403) on every method — below the least role for
  writing, for a page whose form needs more than reading it (``writes=``) — before its input is
  read, and the refusals change nothing;
- someone outside the organization cannot tell its rows from missing ones: another
  organization's member gets the organization's pages as 404, and the API answers them the
  same as for an id that does not exist;
- a provider's contact is refused the members' operations and pages, and on those open to
  contacts (the members' task and issue endpoints too) sees another provider's rows as missing;
  an operation open to both is checked for both: the outsider and the least role as well;
- the least role is admitted (neither 401 nor 403; a page it reads renders).

Path parameters are filled with real rows of the demo organization: the noun before each
parameter names the model (``/tasks/{task_id}`` is a task). A new noun fails the test until
``NOUNS`` learns it.
"""

import hashlib
import re

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from handoff import demo
from handoff.accounts import services as accounts
from handoff.accounts.models import Membership, Organization, PortalAccess, User
from handoff.core.api import PUBLIC, operations
from handoff.core.principal import PROVIDER, Principal
from handoff.core.roles import Role, role_at_least
from handoff.core.tenancy import TenantModel
from tests.factories import principal_for

# Pages outside any organization: signing in and out, a person's own organizations, and the
# one-time links whose token in the address is the credential.
PUBLIC_PAGES = {
    "handoff.accounts.views.home": "sends a visitor to sign in, a member to their organization",
    "handoff.accounts.views.signup": "creating an account: the address to mail a link to",
    "handoff.accounts.views.signup_sent": "the same 'check your e-mail' page for anyone",
    "handoff.accounts.views.signup_finish": "sign-up's signed link mailed to the address",
    "handoff.accounts.views.view": "logging in (Django's log-in page, answering 429 to a wait)",
    "handoff.accounts.views.organization_list": "the signed-in person's own organizations",
    "handoff.accounts.views.organization_create": "anyone signed in founds an organization",
    "handoff.accounts.views.accept_invitation": "a one-time invitation link",
    "handoff.providers.vetting_views.reference_answer": "a reference's one-time form link",
    "handoff.work.views.calendar_feed": "a calendar feed's secret address",
    "handoff.accounts.portal_views.accept": "a provider contact's one-time portal invitation",
    "handoff.insights.checkin_views.checkin_answer": "a check-in's one-time answer link",
    "handoff.compliance.onboarding_views.onboarding_start": "a contractor's W-9 link",
    "handoff.compliance.onboarding_views.onboarding_pdf": "the W-9 a link's holder signed",
    "handoff.compliance.onboarding_views.onboarding_facts": "a W-9 link's holder's answers",
    "handoff.compliance.onboarding_views.onboarding_agreement": "the agreement sent with a link",
    "handoff.signatures.views.sign": "a signer's one-time link",
    "handoff.signatures.views.decline": "a signer's one-time link: declining",
    "handoff.signatures.views.document": "the document a signer's link asks them to sign",
    "handoff.signatures.views.signed_copy": "the signed copy, for its signers' links",
    "handoff.signatures.views.verify": "anyone holding a sealed PDF checks it",
}
AUTH_PAGES = "django.contrib.auth.views."  # login, logout, password change and reset

# The noun before a path parameter, and the model whose row it names.
NOUNS = {
    "providers": "providers.Provider",
    "contacts": "providers.Contact",
    "references": "providers.Reference",
    "reference-questions": "providers.ReferenceQuestion",
    "due-diligence": "providers.DueDiligenceItem",
    "functions": "decisions.BusinessFunction",
    "analyses": "decisions.Analysis",
    "roles": "decisions.InHouseRole",
    "quotes": "decisions.Quote",
    "shortlist": "decisions.ShortlistCandidate",
    "engagements": "engagements.Engagement",
    "escalation-levels": "engagements.EscalationLevel",
    "escalation": "engagements.EscalationLevel",
    "service-levels": "engagements.ServiceLevel",
    "workflow-steps": "engagements.WorkflowStep",
    "workflow": "engagements.WorkflowStep",
    "holidays": "engagements.Holiday",
    "w9-links": "compliance.OnboardingLink",
    "access": "engagements.AccessGrant",
    "exit-items": "engagements.ExitItem",
    "items": "engagements.ExitItem",
    "versions": "engagements.AgreementVersion",
    "agreement": "engagements.AgreementVersion",
    "signed": "engagements.SignedAgreement",
    "signatures": "signatures.SignatureRequest",
    "signature-requests": "signatures.SignatureRequest",
    "signers": "signatures.Signer",
    "agreement-clauses": "engagements.AgreementClause",
    "assessments": "compliance.ClassificationAssessment",
    "w9s": "compliance.W9",
    "b-notices": "compliance.BNotice",
    "w9": "compliance.W9",
    "w8s": "compliance.W8",
    "w8": "compliance.W8",
    "copies": "compliance.RecipientStatement",
    "tax-statements": "compliance.RecipientStatement",
    "tasks": "work.Task",
    "attachments": "work.TaskAttachment",
    "files": "work.TaskAttachment",
    "schedules": "work.Schedule",
    "calendar-feeds": "work.CalendarFeed",
    "issues": "work.Issue",
    "portal-access": "accounts.PortalAccess",
    "portal": "accounts.PortalAccess",
    "checkins": "insights.CheckIn",
    "notifications": "notifications.Notification",
    "inbox": "notifications.Notification",
    "webhooks": "notifications.Webhook",
    "deliveries": "notifications.WebhookDelivery",
    "api-tokens": "accounts.ApiToken",
    "invitations": "accounts.Invitation",
    "members": "accounts.Membership",
    "invoices": "payables.Invoice",
    "approval-rules": "payables.ApprovalRule",
    "invoice-files": "payables.InvoiceAttachment",
    "mappings": "payables.ColumnMapping",
}
# Parameters that are values rather than rows.
VALUES = {"year": "2025", "severity": "high", "token": "no-such-token", "action": "pause"}
MISSING = "987654321"  # an id no row has
ROLES = [Role.VIEWER, Role.MEMBER, Role.MANAGER, Role.ADMIN, Role.OWNER]


# --- The routes -------------------------------------------------------------------------------
def api_operations():
    from handoff.api import api

    assert get_resolver().url_patterns  # the API binds its operations when its URLs are built

    for path, operation in operations(api):
        for method in operation.methods:
            yield method, "/api/v1/" + path, operation.view_func


def pages():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, view in walk(get_resolver().url_patterns):
        if not route.startswith("api/v1/"):
            yield route, view


def view_name(view) -> str:
    return f"{view.__module__}.{view.__name__}"


def test_every_route_declares_its_least_role():
    undeclared = [
        f"{method} {path}: add @api_access(role) or @public_operation"
        for method, path, handler in api_operations()
        if getattr(handler, "least_role", None) not in (*Role.values, PUBLIC)
    ]
    for route, view in pages():
        if view_name(view) in PUBLIC_PAGES or view_name(view).startswith(AUTH_PAGES):
            continue
        if getattr(view, "least_role", None) not in Role.values:
            undeclared.append(f"/{route}: decorate {view_name(view)} with @principal_required")
        elif "<slug:org_slug>" not in route:
            undeclared.append(f"/{route}: an organization's page names the organization")
    assert not undeclared, "\n".join(undeclared)


# --- The people -------------------------------------------------------------------------------
class Setting:
    """The demo organization with one person of each role and a provider's portal contact,
    and another organization's owner."""

    def __init__(self):
        assert demo.load() is True
        self.org = Organization.objects.get(slug=demo.ORG_SLUG)
        self.people = {Role.OWNER: User.objects.get(email=demo.LOGIN_EMAIL)}
        for role in ROLES[:-1]:
            user = User.objects.create_user(email=f"{role}@matrix.example", name=role.title())
            Membership.objects.create(organization=self.org, user=user, role=role)
            self.people[role] = user
        access = PortalAccess.objects.visible_to(Principal.system(self.org)).live().first()
        self.contact = access.contact
        self.people[PROVIDER] = access.user
        self.provider_principal = Principal(
            organization=self.org, user=access.user, role=PROVIDER, contact=access.contact
        )
        self.outsider = User.objects.create_user(email="owner@elsewhere.example", name="Else")
        accounts.create_organization(
            user=self.outsider,
            name="Elsewhere",
            slug="elsewhere",
            time_zone="UTC",
            currency="USD",
            states=[],
        )

    def row_id(self, noun: str, *, hidden_from_provider: bool = False) -> str:
        """A row of the organization the noun names (for ``hidden_from_provider``, one the
        portal contact may not see), or an id no row has if it holds none."""
        assert noun in NOUNS, f"Teach the matrix what a row of “{noun}” is (NOUNS)."
        model = apps.get_model(NOUNS[noun])
        rows = model.objects.all_organizations().filter(organization=self.org)
        if hidden_from_provider:
            rows = rows.exclude(pk__in=model.objects.visible_to(self.provider_principal))
        found = rows.order_by("pk").values_list("pk", flat=True).first()
        return str(found) if found else MISSING

    def fill(self, route: str, pattern: str, **choice) -> str:
        """``route`` with each parameter (matched by ``pattern``) a row or value: the noun
        before it names the row's model."""

        def value(match):
            name = match.group(1)
            noun = route[: match.start()].rstrip("/").rsplit("/", 1)[-1]
            if name == "org_slug":
                return self.org.slug
            if name in VALUES:
                return VALUES[name]
            return self.row_id(noun, **choice)

        return re.sub(pattern, value, route)

    def fingerprint(self) -> dict:
        """A digest of every row of every organization's data and of the people, by model
        (what a refusal must not change); tokens are left out, as any request records a
        token's last use."""
        digests = {}
        for model in apps.get_models():
            if issubclass(model, TenantModel) and model._meta.label != "accounts.ApiToken":
                rows = model.objects.all_organizations().order_by("pk").values_list()
            elif model in (Organization, User):
                rows = model.objects.order_by("pk").values_list()
            else:
                continue
            digests[model._meta.label] = hashlib.sha256(repr(list(rows)).encode()).hexdigest()
        return digests


def changed(before: dict, after: dict) -> list[str]:
    return [label for label in before if before[label] != after[label]]


API_PARAMETER = r"\{(\w+)\}"
PAGE_PARAMETER = r"<(?:\w+:)?(\w+)>"
NOUN = r"([\w.-]+)/(?:\{|<)"  # the noun before a parameter


PORTAL_ONLY = "/api/v1/portal/"  # contacts' tokens only: a member's answers 401


def names_rows(path: str) -> bool:
    return any(name not in VALUES for name in re.findall(API_PARAMETER, path))


def below(role):
    return [lower for lower in ROLES if not role_at_least(lower, role)]


# --- The API ----------------------------------------------------------------------------------
class TokenClient:
    def __init__(self, org, user):
        _, raw = accounts.create_api_token(principal_for(user, org), name="matrix")
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")

    def call(self, method, path):
        return self.client.generic(method, path, "{}", content_type="application/json")


@pytest.mark.django_db
def test_the_api_matrix():
    setting = Setting()
    tokens = {who: TokenClient(setting.org, user) for who, user in setting.people.items()}
    outsider = TokenClient(Organization.objects.get(slug="elsewhere"), setting.outsider)
    wrong = []

    def expect(response, statuses, what):
        if response.status_code not in statuses:
            wrong.append(f"{what}: {response.status_code}, expected {sorted(statuses)}")

    before = setting.fingerprint()
    for method, path, handler in api_operations():
        least, providers = handler.least_role, handler.providers
        if least == PUBLIC:
            continue
        filled = setting.fill(path, API_PARAMETER)
        for role in below(least):
            expect(tokens[role].call(method, filled), {403}, f"{role} {method} {path}")
        if not providers:
            expect(tokens[PROVIDER].call(method, filled), {403}, f"contact {method} {path}")
        elif "{" in path:  # another provider's rows look missing
            hidden = setting.fill(path, API_PARAMETER, hidden_from_provider=True)
            missing = re.sub(r"\{(\w+)\}", MISSING, path)
            shown = tokens[PROVIDER].call(method, hidden).status_code
            expect(tokens[PROVIDER].call(method, missing), {shown}, f"contact {method} {path}")
        # another organization's rows look missing, wherever members' tokens are admitted
        if names_rows(path) and not path.startswith(PORTAL_ONLY):
            missing = re.sub(r"\{(\w+)\}", MISSING, path)
            shown = outsider.call(method, filled).status_code
            expect(outsider.call(method, missing), {shown}, f"outsider {method} {path}")
            expect(outsider.call(method, filled), {404, 422}, f"outsider {method} {path}")
    assert not changed(before, setting.fingerprint()), "a refused request changed these"

    for method, path, handler in api_operations():
        if handler.least_role == PUBLIC or method != "GET":
            continue
        whom = [PROVIDER] if handler.providers else []
        if not path.startswith(PORTAL_ONLY):
            whom.append(handler.least_role)
        for who in whom:
            response = tokens[who].call(method, setting.fill(path, API_PARAMETER))
            if response.status_code in (401, 403):
                wrong.append(f"{who} {method} {path}: {response.status_code}, should be admitted")
    assert not wrong, "\n".join(wrong)


# --- The pages --------------------------------------------------------------------------------
@pytest.mark.django_db
def test_the_page_matrix():
    setting = Setting()
    sessions = {}
    for who, user in [*setting.people.items(), ("outsider", setting.outsider)]:
        sessions[who] = Client()
        sessions[who].force_login(user)
    wrong = []

    def expect(response, statuses, what):
        if response.status_code not in statuses:
            wrong.append(f"{what}: {response.status_code}, expected {sorted(statuses)}")

    org_pages = [(route, view) for route, view in pages() if getattr(view, "least_role", None)]
    before = setting.fingerprint()
    for route, view in org_pages:
        url = "/" + setting.fill(route, PAGE_PARAMETER)
        for method in ("get", "post"):

            def send(who, method=method, url=url):
                return getattr(sessions[who], method)(url)

            # A page taking only POST answers a GET 405 before asking who is there.
            expect(send("outsider"), {404, 405}, f"outsider {method} /{route}")
            least = view.least_role if method == "get" else getattr(view, "writes", None)
            for role in below(least or view.least_role):
                expect(send(role), {403, 405}, f"{role} {method} /{route}")
            if not view.providers:
                expect(send(PROVIDER), {404, 405}, f"contact {method} /{route}")
        if view.providers and "<int:" in route:
            hidden = setting.fill(route, PAGE_PARAMETER, hidden_from_provider=True)
            response = sessions[PROVIDER].get("/" + hidden)
            expect(response, {404, 405}, f"contact another's /{route}")
    assert not changed(before, setting.fingerprint()), "a refused request changed these"

    for route, view in org_pages:
        who = PROVIDER if view.providers and view.least_role == Role.VIEWER else view.least_role
        response = sessions[who].get("/" + setting.fill(route, PAGE_PARAMETER))
        if response.status_code in (401, 403) or (
            response.status_code == 404 and route.count("<int:") == 0
        ):
            wrong.append(f"{who} GET /{route}: {response.status_code}, should be admitted")
    assert not wrong, "\n".join(wrong)


@pytest.mark.django_db
def test_the_matrix_knows_every_noun():
    """A noun with no row in the demo is still checked (an id no row has), more weakly; the
    ones that have rows are most of them."""
    setting = Setting()
    nouns = {
        m.group(1) for _, path, _ in api_operations() for m in re.finditer(API_PARAMETER, path)
    }
    nouns |= {m.group(1) for route, _ in pages() for m in re.finditer(PAGE_PARAMETER, route)}
    rowless = {
        noun
        for noun in nouns - {"1099", "response-targets", "reference-check", "checkin"}
        if noun in NOUNS and setting.row_id(noun) == MISSING
    }
    assert len(rowless) <= len(nouns) // 3, sorted(rowless)
