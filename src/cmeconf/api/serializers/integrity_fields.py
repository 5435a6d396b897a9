"""Fields the integrity serializers share: named choice sets and people."""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers


class NamedChoiceField(serializers.ChoiceField):
    """A choice field whose choice set has its own name in the OpenAPI schema.

    Several resources have a `kind` (of a company, of support, of a ledger entry) with
    different choices; naming each set keeps the generated schema stable and readable.
    """

    def __init__(self, choices, *, enum_name: str, **kwargs) -> None:
        self.enum_name = enum_name
        super().__init__(choices, **kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = "cmeconf.api.serializers.integrity_fields.NamedChoiceField"
    match_subclasses = True

    def get_name(self) -> str:
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction) -> dict:
        values = [str(value) for value in self.target.choices if value != ""]
        lines = [f"* `{value}` - {label}" for value, label in self.target.choices.items() if value]
        return {"type": "string", "enum": values, "description": "\n".join(lines)}


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField(source="full_name")
    email = serializers.EmailField()


@extend_schema_field(serializers.CharField(allow_null=True))
class PersonNameField(serializers.Field):
    """A person as a name (their e-mail address when they gave no name); null for nobody."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("read_only", True)
        super().__init__(**kwargs)

    def to_representation(self, value) -> str | None:
        if value is None:
            return None
        return value.full_name or value.email
