"""Independent checks of the report files: the published schemas, not our code.

The MedBiquitous XSDs import each other by absolute http://ns.medbiq.org/ URLs and
W3C/DCMI schemas; `_Local` resolves them onto the copies in tests/formats/ (the same map
as tests/formats/accme-pars/medbiq-xsd/catalog.xml), so validation never uses the network.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
from functools import cache
from pathlib import Path

import jsonschema
from lxml import etree

FORMATS = Path(__file__).resolve().parent.parent / "formats" / "accme-pars"
MEDBIQ = FORMATS / "medbiq-xsd"
MEMS_NS = "http://ns.medbiq.org/metrics/v1/"

_FIXED = {
    "http://www.w3.org/2001/xml.xsd": MEDBIQ / "ext" / "xml.xsd",
    "http://www.dublincore.org/schemas/xmls/qdc/dcterms.xsd": MEDBIQ / "ext" / "dcterms.xsd",
    "http://www.w3.org/2004/08/xop/include": MEDBIQ / "ext" / "xop-include.xsd",
}


class _Local(etree.Resolver):
    def resolve(self, url, pubid, context):
        url = (url or "").strip()
        if url in _FIXED:
            return self.resolve_filename(str(_FIXED[url]), context)
        if url.startswith("http://ns.medbiq.org/"):
            local = MEDBIQ / "ns.medbiq.org" / url.removeprefix("http://ns.medbiq.org/")
            return self.resolve_filename(str(local), context)
        if url.startswith(("http://", "https://")):
            raise AssertionError(f"schema import not available offline: {url}")
        return None


@cache
def xml_schema(relative: str) -> etree.XMLSchema:
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Local())
    return etree.XMLSchema(etree.parse(str(MEDBIQ / "ns.medbiq.org" / relative), parser))


def mems_schema() -> etree.XMLSchema:
    return xml_schema("metrics/v1/medicaleducationmetrics.xsd")


def activity_report_schema() -> etree.XMLSchema:
    return xml_schema("activityreport/v2/activityreport.xsd")


def assert_valid_xml(schema: etree.XMLSchema, element) -> None:
    if not schema.validate(element):
        raise AssertionError("\n".join(str(e) for e in schema.error_log))


def assert_valid_pars_activity_xml(content: bytes) -> list:
    """`<ACCMEActivities>` with each MEMS record valid against the MEMS v1 XSD.

    No public XSD of ACCME's wrapper exists (formats README): the wrapper's name is
    checked, each MedicalEducationMetrics element is validated on its own.
    """
    root = etree.fromstring(content)
    assert root.tag == "ACCMEActivities"
    records = list(root)
    assert records, "no MedicalEducationMetrics"
    for record in records:
        assert record.tag == f"{{{MEMS_NS}}}MedicalEducationMetrics"
        assert_valid_xml(mems_schema(), etree.fromstring(etree.tostring(record)))
    return records


_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_checker() -> jsonschema.FormatChecker:
    """The draft 2020-12 format checker, with a strict RFC 3339 "date-time".

    python-jsonschema checks "date-time" only when an optional package is installed;
    without it the format would pass unchecked, so it is checked here.
    """
    checker = copy.deepcopy(jsonschema.Draft202012Validator.FORMAT_CHECKER)

    @checker.checks("date-time", raises=ValueError)
    def _date_time(value) -> bool:
        if not isinstance(value, str):
            return True
        if not _RFC3339.match(value):
            raise ValueError(f"not an RFC 3339 date-time: {value}")
        dt.datetime.fromisoformat(value.replace("z", "Z"))
        return True

    return checker


@cache
def json_validator(name: str) -> jsonschema.Draft202012Validator:
    schema = json.loads((FORMATS / name).read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema, format_checker=_format_checker())


def assert_valid_json(name: str, data) -> None:
    errors = sorted(json_validator(name).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        raise AssertionError("\n".join(f"{list(e.path)}: {e.message}" for e in errors))


ACTIVITY_SCHEMA = "accme-pars-activity.schema_v0_1_2.fixed.json"
LEARNER_SCHEMA = "accme-pars-learner-reports.schema_v0_5.fixed.json"
