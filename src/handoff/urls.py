from django.urls import include, path

from handoff.accounts.views import home
from handoff.api import api

urlpatterns = [
    path("", home, name="home"),
    path("", include("handoff.accounts.urls")),
    path("", include("handoff.notifications.urls")),
    path("", include("handoff.signatures.urls")),
    path("", include("handoff.providers.urls")),
    path("", include("handoff.decisions.urls")),
    path("", include("handoff.engagements.urls")),
    path("", include("handoff.payables.urls")),
    path("", include("handoff.compliance.urls")),
    path("", include("handoff.work.urls")),
    path("", include("handoff.work.portal_urls")),
    path("", include("handoff.insights.urls")),
    path("api/v1/", api.urls),
]

handler400 = "handoff.core.views.bad_request"
handler403 = "handoff.core.views.permission_denied"
handler404 = "handoff.core.views.page_not_found"
handler500 = "handoff.core.views.server_error"
