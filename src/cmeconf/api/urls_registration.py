"""Registration endpoints of an activity: the options, your own registration, registrants,
groups and the set-up. Included inside the activity's patterns of cmeconf.api.urls."""

from django.urls import path

from cmeconf.api.views import registration as views

urlpatterns = [
    path(
        "registration/options/",
        views.RegistrationOptions.as_view(),
        name="registration_options",
    ),
    # The caller's own registration.
    path("registration/", views.MyRegistration.as_view(), name="my_registration"),
    path(
        "registration/identifiers/",
        views.MyIdentifiers.as_view(),
        name="my_identifiers",
    ),
    path(
        "registration/cancel/",
        views.MyRegistrationCancel.as_view(),
        name="my_registration_cancel",
    ),
    path(
        "registration/accept/",
        views.MyRegistrationAccept.as_view(),
        name="my_registration_accept",
    ),
    path(
        "registration/decline/",
        views.MyRegistrationDecline.as_view(),
        name="my_registration_decline",
    ),
    path(
        "registration/workshops/<str:code>/",
        views.MyWorkshop.as_view(),
        name="my_workshop",
    ),
    path(
        "registration/workshops/<str:code>/accept/",
        views.MyWorkshopAccept.as_view(),
        name="my_workshop_accept",
    ),
    path(
        "registration/workshops/<str:code>/decline/",
        views.MyWorkshopDecline.as_view(),
        name="my_workshop_decline",
    ),
    # Registration staff.
    path("registrants/", views.RegistrantList.as_view(), name="registrants"),
    path(
        "registrants/<int:registration>/",
        views.RegistrantDetail.as_view(),
        name="registrant",
    ),
    path(
        "registrants/<int:registration>/payments/",
        views.RegistrantPayments.as_view(),
        name="registrant_payments",
    ),
    path(
        "registrants/<int:registration>/identifiers/",
        views.RegistrantIdentifiers.as_view(),
        name="registrant_identifiers",
    ),
    path(
        "registrants/<int:registration>/cancel/",
        views.RegistrantCancel.as_view(),
        name="registrant_cancel",
    ),
    path("groups/", views.GroupRegistration.as_view(), name="registration_groups"),
    path("registration-setup/", views.SetupDetail.as_view(), name="registration_setup"),
    path("registration-types/", views.TypeList.as_view(), name="registration_types"),
    path(
        "registration-types/<int:type>/",
        views.TypeDetail.as_view(),
        name="registration_type",
    ),
    path(
        "registration-types/<int:type>/prices/",
        views.TierList.as_view(),
        name="registration_tiers",
    ),
    path(
        "registration-types/<int:type>/prices/<int:tier>/",
        views.TierDetail.as_view(),
        name="registration_tier",
    ),
    path("promo-codes/", views.PromoList.as_view(), name="promo_codes"),
    path("promo-codes/<int:promo>/", views.PromoDetail.as_view(), name="promo_code"),
    path(
        "registration-questions/",
        views.QuestionList.as_view(),
        name="registration_questions",
    ),
    path(
        "registration-questions/<int:question>/",
        views.QuestionDetail.as_view(),
        name="registration_question",
    ),
]
