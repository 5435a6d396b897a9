"""The API's OpenAPI generator: drf-spectacular's, plus the error answers every view gives."""

from __future__ import annotations

from drf_spectacular import openapi
from rest_framework.permissions import AllowAny

from cmeconf.api.views.base import ProviderScopedView

DETAIL = {
    "type": "object",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
FIELD_ERRORS = {
    "type": "object",
    "description": "Messages by field name; errors of no single field under non_field_errors. "
    "A list field's errors are keyed by the item's position.",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "object"}]
    },
}


PATH_PARAMETERS = {
    "provider": "The provider's short name (slug).",
    "activity": "The activity's short name (slug), unique within its provider.",
    "code": "The session's six-character code.",
    "id": "The id of the room or track.",
    "name": "A lifecycle step: start_planning, submit_for_review, return_to_planning, "
    "approve, publish, complete or close.",
}


def _body(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


class AutoSchema(openapi.AutoSchema):
    """Views may set `validates_query` (bad filters: 400) and `provider_in_query` (404)."""

    def _resolve_path_parameters(self, variables: list[str]) -> list[dict]:
        parameters = super()._resolve_path_parameters(variables)
        for parameter in parameters:
            if not parameter.get("description") and parameter["name"] in PATH_PARAMETERS:
                parameter["description"] = PATH_PARAMETERS[parameter["name"]]
        return parameters

    def _get_response_bodies(self, direction: str = "response") -> dict:
        responses = super()._get_response_bodies(direction)
        errors = {}
        if self.method not in ("GET", "HEAD", "OPTIONS"):
            errors["400"] = _body("Invalid input; nothing was changed.", FIELD_ERRORS)
        elif getattr(self.view, "validates_query", False):
            errors["400"] = _body("Invalid query parameters.", FIELD_ERRORS)
        if not any(isinstance(p, AllowAny) for p in self.view.get_permissions()):
            errors["401"] = _body("No valid credentials came with a request that needs them.",
                                  DETAIL)  # fmt: skip
        if isinstance(self.view, ProviderScopedView):
            errors["403"] = _body("Your teams do not allow this.", DETAIL)
        if "{provider}" in self.path or getattr(self.view, "provider_in_query", False):
            errors["404"] = _body(
                "No such provider, activity or object, or one that you may not see.", DETAIL
            )
        for code, body in errors.items():
            responses.setdefault(code, body)
        return responses
