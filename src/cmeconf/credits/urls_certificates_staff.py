"""Staff pages of certificates. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.credits import views_certificates_staff as views

PREFIX = "<slug:provider>/<slug:activity>/certificates/"
# Under the provider's settings: "<provider>/<name>/" alone is an activity's address.
TEMPLATES = "<slug:provider>/settings/certificate-templates/"

urlpatterns = [
    path(PREFIX, views.certificates_page, name="certificates"),
    path(f"{PREFIX}issue/", views.batch_start, name="certificates_batch_start"),
    path(
        f"{PREFIX}batches/<int:batch>/status/",
        views.batch_status,
        name="certificates_batch_status",
    ),
    path(f"{PREFIX}template/", views.choose_template, name="certificates_template"),
    path(f"{PREFIX}<int:certificate>/revoke/", views.revoke, name="certificate_revoke"),
    path(f"{PREFIX}<int:certificate>/reissue/", views.reissue, name="certificate_reissue"),
    path(TEMPLATES, views.templates_page, name="certificate_templates"),
    path(f"{TEMPLATES}new/", views.template_edit, name="certificate_template_new"),
    path(f"{TEMPLATES}<int:template>/", views.template_edit, name="certificate_template"),
    path(
        f"{TEMPLATES}<int:template>/preview.pdf",
        views.template_preview,
        name="certificate_template_preview",
    ),
]
