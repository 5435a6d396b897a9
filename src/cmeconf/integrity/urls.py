"""Pages of a person's own disclosure, under /disclosure/ (namespace "integrity")."""

from django.urls import path

from cmeconf.integrity import views

app_name = "integrity"

urlpatterns = [
    path("", views.disclosure, name="disclosure"),
    path("new/", views.disclosure_new, name="disclosure_new"),
    path("refuse/", views.disclosure_refuse, name="disclosure_refuse"),
    path("companies/", views.company_search, name="company_search"),
    path("invite/<str:token>/", views.invitation, name="invitation"),
    path("invite/<str:token>/refuse/", views.invitation_refuse, name="invitation_refuse"),
    path("invite/<str:token>/done/", views.invitation_done, name="invitation_done"),
    path("invite/<str:token>/companies/", views.invitation_companies, name="invitation_companies"),
]
