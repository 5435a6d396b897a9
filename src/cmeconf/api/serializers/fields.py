"""Fields shared by several serializers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class ActivityDateTimeField(serializers.DateTimeField):
    """An ISO 8601 time with the activity's UTC offset; naive input means the activity's zone."""

    def default_timezone(self) -> dt.tzinfo | None:
        activity = self.context.get("activity")
        return activity.tz if activity is not None else super().default_timezone()


# The integer ranges of PostgreSQL, the production database. Django asks the connection, so
# SQLite would advertise (and accept, then fail on in production) 64-bit values instead, and
# the generated schema would depend on the database it was made with.
INTEGER_RANGES = {
    "IntegerField": (-2_147_483_648, 2_147_483_647),
    "PositiveIntegerField": (0, 2_147_483_647),
    "SmallIntegerField": (-32_768, 32_767),
    "PositiveSmallIntegerField": (0, 32_767),
}


class ModelSerializer(serializers.ModelSerializer):
    """DRF's ModelSerializer with the same integer bounds on every database."""

    def build_standard_field(self, field_name: str, model_field) -> tuple:
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        bounds = INTEGER_RANGES.get(model_field.get_internal_type())
        if bounds and "max_value" in kwargs:
            kwargs["min_value"], kwargs["max_value"] = bounds
        return field_class, kwargs


class StrictInputMixin:
    """Refuse fields the endpoint does not take, instead of silently ignoring them.

    A client sending {"state": "published"} to an activity would otherwise get
    200 and believe it had published it.
    """

    def to_internal_value(self, data):
        unknown = {}
        if isinstance(data, Mapping):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = {
                name: [_("There is no such field here, or it cannot be changed here.")]
                for name in sorted(set(data) - writable)
            }
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if unknown and isinstance(exc.detail, dict):
                raise serializers.ValidationError(exc.detail | unknown) from exc
            raise
        if unknown:
            raise serializers.ValidationError(unknown)
        return value
