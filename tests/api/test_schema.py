from pathlib import Path

import jsonschema
import pytest
import yaml
from django.core.management import call_command

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "api" / "openapi.yaml"


def test_committed_schema_is_current(tmp_path):
    fresh = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", file=str(fresh))
    assert COMMITTED.exists(), "docs/api/openapi.yaml is missing: run `make schema`"
    assert fresh.read_text() == COMMITTED.read_text(), (
        "docs/api/openapi.yaml is stale: run `make schema` and commit the result"
    )


def test_schema_is_served(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["info"]["title"] == "cmeconf API"
    paths = schema["paths"]
    assert "/api/v1/providers/{provider}/activities/{activity}/schedule/" in paths
    move = paths["/api/v1/providers/{provider}/activities/{activity}/sessions/{code}/move/"]
    assert move["post"]["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/SessionWriteResult"
    }


def _json_schema(node):
    """OpenAPI 3.0 schema objects as JSON Schema: `nullable` becomes a null alternative."""
    if isinstance(node, list):
        return [_json_schema(n) for n in node]
    if not isinstance(node, dict):
        return node
    # drf-spectacular writes blank-or-URL as oneOf; without format checks "" matches both.
    node = {("anyOf" if k == "oneOf" else k): _json_schema(v) for k, v in node.items()}
    if node.pop("nullable", False):
        return {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture(scope="module")
def openapi():
    return yaml.safe_load(COMMITTED.read_text())


def _check(openapi, response, path: str, method: str) -> None:
    operation = openapi["paths"][path][method]
    declared = operation["responses"][str(response.status_code)]
    schema = declared["content"]["application/json"]["schema"]
    document = _json_schema({"components": openapi["components"]}) | _json_schema(schema)
    jsonschema.validate(response.json(), document)


P = "/api/v1/providers/{provider}/activities/{activity}"


def test_responses_match_the_committed_schema(openapi, staff_api, api, base, program):
    code = program["opening"].code
    checks = [
        (staff_api.get("/api/v1/providers/"), "/api/v1/providers/", "get"),
        (staff_api.get("/api/v1/providers/acp/"), "/api/v1/providers/{provider}/", "get"),
        (api.get("/api/v1/providers/acp/activities/"), "/api/v1/providers/{provider}/activities/",
         "get"),
        (staff_api.get(f"{base}/"), f"{P}/", "get"),
        (staff_api.get(f"{base}/planning/"), f"{P}/planning/", "get"),
        (api.get(f"{base}/sessions/"), f"{P}/sessions/", "get"),
        (staff_api.get(f"{base}/sessions/{code}/"), f"{P}/sessions/{{code}}/", "get"),
        (staff_api.post(f"{base}/sessions/{code}/move/", {"start": "2027-04-15T14:00"},
                        format="json"), f"{P}/sessions/{{code}}/move/", "post"),
        (api.get(f"{base}/rooms/"), f"{P}/rooms/", "get"),
        (api.get(f"{base}/tracks/"), f"{P}/tracks/", "get"),
        (api.get(f"{base}/faculty/"), f"{P}/faculty/", "get"),
        (staff_api.get(f"{base}/faculty/"), f"{P}/faculty/", "get"),
        (api.get(f"{base}/schedule/"), f"{P}/schedule/", "get"),
        (staff_api.get(f"{base}/warnings/"), f"{P}/warnings/", "get"),
        (api.get("/api/v1/topics/"), "/api/v1/topics/", "get"),
        # Errors have their declared shapes too.
        (staff_api.post(f"{base}/sessions/", {"title": "", "format": "nap"}, format="json"),
         f"{P}/sessions/", "post"),
        (api.patch(f"{base}/", {"title": "X"}, format="json"), f"{P}/", "patch"),
        (api.get(f"{base}/planning/"), f"{P}/planning/", "get"),
        (staff_api.post(f"{base}/transitions/complete/", {}, format="json"),
         f"{P}/transitions/{{name}}/", "post"),
    ]  # fmt: skip
    for response, path, method in checks:
        _check(openapi, response, path, method)
    assert [r.status_code for r, _p, _m in checks[-4:]] == [400, 401, 401, 400]
