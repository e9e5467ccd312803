import factory

from handoff.accounts.models import User
from handoff.providers.models import Contact, Provider


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Person {n}")
    email = factory.Sequence(lambda n: f"person{n}@example.com")
    password = factory.PostGenerationMethodCall("set_password", "a-Strong-passw0rd")

    @factory.post_generation
    def _save(self, create, extracted, **kwargs):
        if create:
            self.save()


class ProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Provider

    name = factory.Sequence(lambda n: f"Provider {n:03d}")
    kind = "firm"
    status = "active"


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    organization = factory.SelfAttribute("provider.organization")
    name = factory.Sequence(lambda n: f"Contact {n}")
    email = factory.Sequence(lambda n: f"contact{n}@provider.example")


def portal_login(contact, user):
    """``user`` given live portal access as ``contact`` (an invitation already accepted)."""
    from datetime import timedelta

    from django.utils import timezone

    from handoff.accounts.models import PortalAccess

    now = timezone.now()
    return PortalAccess.objects.create(
        organization_id=contact.organization_id,
        contact=contact,
        user=user,
        token_hash=PortalAccess.hash(f"login-{contact.pk}-{user.pk}"),
        expires_at=now + timedelta(days=7),
        accepted_at=now,
    )


def principal_for(user, org):
    """What a request by ``user`` at ``org`` resolves to (member or portal contact), for calling
    services directly as the pages and the API do."""
    from handoff.accounts.principal import for_session

    principal = for_session(user, org.slug)
    assert principal is not None, f"{user} is neither a member nor a portal contact of {org}"
    return principal
