"""Staff pages of registration. Joined to the "staff" namespace's patterns in cmeconf.urls."""

from django.urls import path

from cmeconf.registration import views_staff

PREFIX = "<slug:provider>/<slug:activity>/registration/"

urlpatterns = [
    path(PREFIX, views_staff.registrants, name="registration"),
    path(f"{PREFIX}registrants.csv", views_staff.registrants_csv, name="registration_csv"),
    path(
        f"{PREFIX}registrants/<int:registration>/",
        views_staff.registrant,
        name="registration_registrant",
    ),
    path(
        f"{PREFIX}registrants/<int:registration>/paid/",
        views_staff.registrant_paid,
        name="registration_paid",
    ),
    path(
        f"{PREFIX}registrants/<int:registration>/cancel/",
        views_staff.registrant_cancel,
        name="registration_cancel",
    ),
    path(f"{PREFIX}setup/", views_staff.setup_edit, name="registration_setup"),
    path(f"{PREFIX}types/", views_staff.types, name="registration_types"),
    path(f"{PREFIX}types/<int:type>/", views_staff.type_edit, name="registration_type"),
    path(f"{PREFIX}types/<int:type>/prices/", views_staff.tier_add, name="registration_tier_add"),
    path(
        f"{PREFIX}prices/<int:tier>/remove/",
        views_staff.tier_remove,
        name="registration_tier_remove",
    ),
    path(f"{PREFIX}promo-codes/", views_staff.promos, name="registration_promos"),
    path(f"{PREFIX}promo-codes/<int:promo>/", views_staff.promo_edit, name="registration_promo"),
    path(f"{PREFIX}questions/", views_staff.questions, name="registration_questions"),
    path(
        f"{PREFIX}questions/<int:question>/remove/",
        views_staff.question_remove,
        name="registration_question_remove",
    ),
]
