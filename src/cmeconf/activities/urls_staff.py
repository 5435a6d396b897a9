"""Staff pages of activities. Mounted under /staff/ in the "staff" namespace."""

from django.urls import path

from cmeconf.activities.views import staff

urlpatterns = [
    path("", staff.index, name="index"),
]
