"""The learner's registration pages, under /<provider>/<activity>/ (namespace
"learner_registration"), beside the activity's public pages."""

from django.urls import path

from cmeconf.registration import views

app_name = "learner_registration"

urlpatterns = [
    path("register/", views.register_page, name="register"),
    path("register/group/", views.register_group_page, name="group"),
    path("my-registration/", views.my_registration, name="mine"),
    path("my-registration/cancel/", views.cancel_registration, name="cancel"),
    path("my-registration/accept/", views.accept_offer, name="accept"),
    path("my-registration/decline/", views.decline_offer, name="decline"),
    path("my-registration/credit/", views.credit_identifiers, name="credit"),
]
urlpatterns += [
    path(
        f"my-registration/workshops/<str:code>/{action}/",
        views.workshop_action,
        {"action": action},
        name=f"workshop_{action.replace('-', '_')}",
    )
    for action in ("sign-up", "cancel", "accept", "decline")
]
