from django.contrib import admin
from django.urls import include, path

from cmeconf.activities import urls_staff as activity_staff_urls
from cmeconf.activities.views import public
from cmeconf.integrity import urls_staff as integrity_staff_urls
from cmeconf.providers import urls as provider_staff_urls

staff_patterns = (
    provider_staff_urls.urlpatterns
    + activity_staff_urls.urlpatterns
    + integrity_staff_urls.urlpatterns
    + [path("", include("cmeconf.integrity.urls_support"))]
    + [path("", include("cmeconf.integrity.urls_audit_file"))]
    + [path("", include("cmeconf.registration.urls_staff"))]
    + [path("", include("cmeconf.registration.urls_payments_staff"))]
    + [path("", include("cmeconf.registration.urls_badges_staff"))]
    + [path("", include("cmeconf.checkin.urls_staff"))]
    + [path("", include("cmeconf.attendance.urls_staff"))]
    + [path("", include("cmeconf.licensure.urls_staff"))]
    + [path("", include("cmeconf.credits.urls_designation_staff"))]
    + [path("", include("cmeconf.credits.urls_claims_staff"))]
    + [path("", include("cmeconf.credits.urls_certificates_staff"))]
    + [path("", include("cmeconf.evaluations.urls_staff"))]
    + [path("", include("cmeconf.reporting.urls_staff"))]
)

urlpatterns = [
    path("", public.home, name="home"),
    path("admin/", admin.site.urls),
    path("accounts/", include("cmeconf.accounts.urls")),
    path("disclosure/", include("cmeconf.integrity.urls")),
    path("sharing/", include("cmeconf.integrity.urls_sharing")),
    path("licensure/", include("cmeconf.licensure.urls")),
    path("staff/", include((staff_patterns, "staff"))),
    path("certificates/", include("cmeconf.credits.urls_open_badges")),
    path("certificates/", include("cmeconf.credits.urls_certificates")),
    path("transcript/", include("cmeconf.licensure.urls_transcripts")),
    path("api/v1/", include("cmeconf.api.urls")),
    path("payments/", include("cmeconf.registration.urls_webhooks")),
    path("<slug:provider>/<slug:activity>/", include("cmeconf.integrity.urls_public")),
    path("<slug:provider>/<slug:activity>/", include("cmeconf.registration.urls_public")),
    path("<slug:provider>/<slug:activity>/", include("cmeconf.registration.urls_payments")),
    path("<slug:provider>/<slug:activity>/", include("cmeconf.registration.urls_badges")),
    path("<slug:provider>/<slug:activity>/", include("cmeconf.evaluations.urls")),
    path("<slug:provider>/<slug:activity>/", include("cmeconf.credits.urls_claims")),
    path("<slug:provider>/<slug:activity>/", include("cmeconf.activities.urls_public")),
]

handler500 = "cmeconf.common.views.handler500"
