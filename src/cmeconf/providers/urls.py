"""Staff pages of a provider (settings, teams). Mounted under /staff/ in the "staff" namespace."""

from django.urls import path

from cmeconf.providers import views

urlpatterns = [
    path("<slug:provider>/settings/", views.provider_settings, name="provider_settings"),
    path("<slug:provider>/teams/", views.teams, name="teams"),
    path("<slug:provider>/teams/new/", views.team_create, name="team_create"),
    path("<slug:provider>/teams/<int:pk>/", views.team_edit, name="team"),
    path(
        "<slug:provider>/teams/<int:pk>/members/add/",
        views.team_member_add,
        name="team_member_add",
    ),
    path(
        "<slug:provider>/teams/<int:pk>/members/<int:user_pk>/remove/",
        views.team_member_remove,
        name="team_member_remove",
    ),
]
