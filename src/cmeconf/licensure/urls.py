"""The learner's licensure pages, under /licensure/."""

from django.urls import path

from cmeconf.licensure import views

app_name = "licensure"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("licences/add/", views.licence_edit, name="licence_add"),
    path("licences/<int:pk>/", views.licence_edit, name="licence_edit"),
    path("licences/<int:pk>/delete/", views.licence_delete, name="licence_delete"),
    path("licences/<int:pk>/fill/", views.licence_fill, name="fill"),
    path("certifications/add/", views.certification_edit, name="certification_add"),
    path("certifications/<int:pk>/", views.certification_edit, name="certification_edit"),
    path(
        "certifications/<int:pk>/delete/",
        views.certification_delete,
        name="certification_delete",
    ),
    path("credits/", views.credit_list, name="credits"),
    path("credits/add/", views.credit_add, name="credit_add"),
    path("credits/import/", views.credit_import, name="credit_import"),
    path("credits/<int:pk>/delete/", views.credit_delete, name="credit_delete"),
]
