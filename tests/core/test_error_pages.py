import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import client_for


@pytest.mark.django_db
def test_404_is_the_apps_own_page(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()
    assert "Traceback" not in response.content.decode()


@pytest.mark.django_db
def test_403_explains_the_role(org, member):
    response = client_for(member).get(reverse("providers:create", args=[org.slug]))
    assert response.status_code == 403
    assert "needs the manager role or higher; you are member here" in response.content.decode()


@pytest.mark.django_db
def test_forms_without_a_csrf_token_are_refused(org, manager):
    client = Client(enforce_csrf_checks=True)
    client.force_login(manager)
    response = client.post(reverse("providers:create", args=[org.slug]), {"name": "X"})
    assert response.status_code == 403
    assert "That form expired" in response.content.decode()


@pytest.mark.django_db
def test_500_is_the_apps_own_page():
    from handoff.core import views

    response = views.server_error(None)
    assert response.status_code == 500
    assert b"Something went wrong" in response.content


@pytest.mark.django_db
def test_pages_carry_titles_that_say_where_you_are(org, viewer):
    page = client_for(viewer).get(reverse("providers:list", args=[org.slug])).content.decode()
    assert "<title>Providers · Acme Dental · Handoff</title>" in page
