"""The activity file: a real ZIP with a PDF summary, CSV tables and a SHA-256 manifest."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from cmeconf.activities.choices import ActivityState
from cmeconf.activities.models import (
    Amendment,
    LearningObjective,
    PlanningRecord,
    PlanningRole,
    ReviewComment,
)
from cmeconf.common.models import AuditEntry
from cmeconf.integrity import audit_file, learner, review, services
from cmeconf.integrity.models import (
    CommercialSupporter,
    LedgerEntry,
    SharingConsent,
    SupportAgreement,
)
from cmeconf.providers.models import Accreditation
from tests.factories import (
    ActivityFactory,
    IneligibleCompanyFactory,
    ProviderFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
    at,
)

pytestmark = pytest.mark.django_db

INJECTION = '=HYPERLINK("http://evil.example","click")'


@pytest.fixture
def reviewer(provider):
    person = UserFactory(email="coi@acp.example", first_name="Rita", last_name="Reviewer")
    TeamFactory(provider=provider, name="COI review", permissions=["review"], members=[person])
    return person


def disclose(person, *rels):
    d = services.submit_disclosure(
        person,
        by=person,
        attested=True,
        relationships=[
            {
                "company": IneligibleCompanyFactory(name=name),
                "nature": nature,
                "start_date": dt.date(2024, 1, 1),
                "end_date": None,
            }
            for name, nature in rels
        ],
    )
    return list(d.relationships.order_by("id"))


def speaker(activity, first, last, title="Heart failure 2027"):
    person = UserFactory(first_name=first, last_name=last, credentials="MD")
    session = SessionFactory(activity=activity, title=title)
    SessionFacultyFactory(session=session, person=person)
    return person, session


@pytest.fixture
def world(activity, reviewer, admin_user):
    """An activity with something in every table, including a formula in a title."""
    Accreditation.objects.create(provider=activity.provider, accreditor="ACCME", identifier="0042")
    PlanningRecord.objects.filter(activity=activity).update(
        practice_gap="Clinicians under-prescribe SGLT2 inhibitors in heart failure.",
        gap_sources=["literature", "quality_data"],
        educational_needs=["competence"],
        intended_change=["performance"],
        evaluation_plan="Chart audit of prescriptions six months later.",
    )
    LearningObjective.objects.create(activity=activity, text="Start SGLT2 inhibitors when due")
    director = UserFactory(first_name="Dana", last_name="Director")
    PlanningRole.objects.create(activity=activity, person=director, role="course_director")
    services.submit_disclosure(director, by=director, attested=True, relationships=[])

    ada, ada_session = speaker(activity, "Ada", "Aster", "SGLT2 inhibitors")
    consult, other = disclose(ada, ("Oncopharm", "consultant"), ("Stentco", "speaker"))
    first = review.decide_relevance(
        activity, consult, reviewer=reviewer, relevant=False, reason="Different disease."
    )
    decision = review.decide_relevance(
        activity, consult, reviewer=reviewer, relevant=True, reason="Talks on its drug class."
    )
    review.mitigate(
        decision,
        by=reviewer,
        method="peer_review_content",
        peer_name="Dr Peer",
        peer_review_date=dt.date(2027, 3, 1),
    )
    review.decide_relevance(activity, other, reviewer=reviewer, relevant=False, reason="Unrelated")

    ben, _ = speaker(activity, "Ben", "Birch", INJECTION)
    (employ,) = disclose(ben, ("Devicecorp", "employee"))
    review.record_exception(
        activity, employ, reviewer=reviewer, exception="unrelated", reason="Teaches ethics."
    )
    cy, _ = speaker(activity, "Cy", "Cedar")
    services.refuse_disclosure(cy, by=cy)
    speaker(activity, "Dee", "Dune")  # never disclosed

    learner.lines_shown(activity, f"session:{ada_session.code}", [ada.pk])

    company = IneligibleCompanyFactory(name="Cardiopharm")
    supporter = CommercialSupporter.objects.create(provider=activity.provider, company=company)
    common = {
        "activity": activity,
        "supporter": supporter,
        "purpose": "Educational grant",
        "terms": "Provider controls content.",
        "created_by": admin_user,
    }
    on_time = SupportAgreement.objects.create(
        **common,
        reference="GR-1",
        kind="cash",
        amount=Decimal("5000.00"),
        provider_signatory="Pat Provider",
        provider_signed_on=dt.date(2027, 3, 1),
        supporter_signatory="Sam Supporter",
        supporter_signed_on=dt.date(2027, 3, 2),
    )
    SupportAgreement.objects.create(
        **common,
        reference="GR-2",
        kind="cash",
        amount=Decimal("1000.00"),
        provider_signed_on=dt.date(2027, 3, 1),
        supporter_signed_on=activity.start_date + dt.timedelta(days=1),
    )
    SupportAgreement.objects.create(**common, reference="GR-3", kind="in_kind")
    now = timezone.now()
    for amount, voided in ((Decimal("5000.00"), None), (Decimal("700.00"), now)):
        LedgerEntry.objects.create(
            activity=activity,
            agreement=on_time,
            kind="receipt",
            date=dt.date(2027, 3, 10),
            amount=amount,
            payee="Cardiopharm",
            description="-1 typo" if voided else "Grant received",
            recorded_by=admin_user,
            recorded_at=now,
            voided_at=voided,
            voided_by=admin_user if voided else None,
            void_reason="Entered twice" if voided else "",
        )
    ReviewComment.objects.create(
        activity=activity,
        author=reviewer,
        body="Cite the 2026 guideline.",
        activity_state=ActivityState.IN_REVIEW,
        created=now,
    )
    Amendment.objects.create(
        activity=activity,
        summary="Moved a session",
        reason="Speaker's flight",
        changes={"room": ["Hall A", "Hall B"]},
        made_by=admin_user,
        made_at=now,
        activity_state=ActivityState.PUBLISHED,
    )
    for n in range(3):
        SharingConsent.objects.create(
            person=UserFactory(first_name="Secret", last_name=f"Learner{n}"),
            activity=activity,
            wording="Share my details",
            source="registration",
            given_at=now,
            withdrawn_at=now if n == 0 else None,
        )
    return {"ada": ada, "ben": ben, "cy": cy, "first": first, "decision": decision}


def rows(body: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(body.decode("utf-8-sig"))))


def test_zip_holds_summary_tables_and_a_matching_manifest(activity, world):
    archive = zipfile.ZipFile(io.BytesIO(audit_file.activity_file_zip(activity)))
    names = archive.namelist()
    assert names == ["summary.pdf", *audit_file.CSV_FILES, "manifest.sha256"]
    manifest = archive.read("manifest.sha256").decode().splitlines()
    sums = dict(reversed(line.split("  ", 1)) for line in manifest)
    assert set(sums) == set(names) - {"manifest.sha256"}
    for name, digest in sums.items():
        assert hashlib.sha256(archive.read(name)).hexdigest() == digest
    assert archive.read("summary.pdf").startswith(b"%PDF")


def test_disclosure_rows_cover_relationships_none_refusals_and_missing(activity, world):
    table = rows(audit_file.activity_file_csvs(activity)["disclosures.csv"])
    by_name: dict[str, list[dict]] = {}
    for row in table:
        by_name.setdefault(row["name"], []).append(row)
    ada = {r["company"]: r for r in by_name["Ada Aster, MD"]}
    assert set(ada) == {"Oncopharm", "Stentco"}
    assert ada["Oncopharm"]["review status"] == "relevant, mitigated"
    assert ada["Stentco"]["review status"] == "not relevant"
    assert ada["Oncopharm"]["disclosure status"] == "cleared"
    (ben,) = by_name["Ben Birch, MD"]
    assert ben["company"] == "Devicecorp"
    assert ben["exception"].startswith("The content is not related")
    (cy,) = by_name["Cy Cedar, MD"]
    assert (cy["disclosure status"], cy["company"]) == (
        "refused to disclose",
        "refused to disclose",
    )
    (dee,) = by_name["Dee Dune, MD"]
    assert dee["disclosure status"] == "no disclosure on file"
    assert "No disclosure on file" in dee["blockers"]
    director = by_name[next(n for n in by_name if n.startswith("Dana Director"))]
    assert [r["company"] for r in director] == ["none"]
    assert director[0]["roles"] == "Course director"
    joined = PlanningRole.objects.get(activity=activity, role="course_director").added_on
    assert director[0]["role starts"] == joined.isoformat()


def test_decisions_keep_superseded_ones_with_reason_reviewer_and_date(activity, world):
    table = rows(audit_file.activity_file_csvs(activity)["decisions.csv"])
    onco = [r for r in table if r["company"] == "Oncopharm"]
    assert [(r["relevant"], r["reason"], r["standing"]) for r in onco] == [
        ("no", "Different disease.", "superseded"),
        ("yes", "Talks on its drug class.", "current"),
    ]
    assert onco[1]["reviewer"] == "Rita Reviewer, MD"
    decided = dt.datetime.fromisoformat(onco[1]["decided"])
    # To the second (ISO 8601 with the activity's UTC offset).
    assert decided == world["decision"].decided_at.replace(microsecond=0)
    assert decided.utcoffset() == activity.tz.utcoffset(decided.replace(tzinfo=None))


def test_mitigation_says_whether_it_came_before_the_role(activity, world):
    (row,) = rows(audit_file.activity_file_csvs(activity)["mitigations.csv"])
    assert row["method"] == "Peer review of the content"
    assert (row["peer reviewer"], row["peer review date"]) == ("Dr Peer", "2027-03-01")
    assert row["role starts"] == "2027-04-14"
    # Recorded today, long before the activity of April 2027.
    assert row["recorded before the role started"] == "yes"


def test_mitigation_after_the_role_started_is_marked(activity, reviewer):
    person, _ = speaker(activity, "Lu", "Late")
    (rel,) = disclose(person, ("Slowpharm", "advisor"))
    decision = review.decide_relevance(
        activity, rel, reviewer=reviewer, relevant=True, reason="Same drug class."
    )
    review.mitigate(decision, by=reviewer, method="attest", now=at(activity.start_date, 18))
    (row,) = rows(audit_file.activity_file_csvs(activity)["mitigations.csv"])
    assert row["recorded before the role started"] == "yes"  # the same day
    review.mitigate(
        decision,
        by=reviewer,
        method="divest",
        now=at(activity.start_date + dt.timedelta(days=1), 8),
    )
    table = rows(audit_file.activity_file_csvs(activity)["mitigations.csv"])
    assert [r["recorded before the role started"] for r in table] == ["yes", "no"]


def test_agreements_flag_late_and_unsigned(activity, world):
    table = {
        r["reference"]: r for r in rows(audit_file.activity_file_csvs(activity)["agreements.csv"])
    }
    assert (table["GR-1"]["status"], table["GR-1"]["late"]) == ("signed", "no")
    assert table["GR-1"]["provider signed on"] == "2027-03-01"
    assert table["GR-1"]["supporter signatory"] == "Sam Supporter"
    assert (table["GR-2"]["status"], table["GR-2"]["late"]) == ("signed late", "yes")
    assert (table["GR-3"]["status"], table["GR-3"]["signed by both"]) == (
        "not signed by both",
        "no",
    )


def test_ledger_shows_voided_entries_as_such(activity, world, admin_user):
    table = rows(audit_file.activity_file_csvs(activity)["ledger.csv"])
    assert sorted((r["amount"], r["status"]) for r in table) == [
        ("5000.00", "valid"),
        ("700.00", "voided"),
    ]
    voided = next(r for r in table if r["status"] == "voided")
    assert voided["void reason"] == "Entered twice"
    assert voided["voided by"] == admin_user.display_name
    assert voided["voided"]


def test_learner_disclosures_as_shown(activity, world):
    table = rows(audit_file.activity_file_csvs(activity)["learner_disclosures.csv"])
    (row,) = table
    assert row["scope"].startswith("session:")
    assert "Ada Aster, MD has relevant financial relationships with: Oncopharm" in row["text"]
    assert "All relevant financial relationships have been mitigated." in row["text"]


def test_planning_objectives_comments_amendments_and_audit_log(activity, world):
    csvs = audit_file.activity_file_csvs(activity)
    planning = {r["field"]: r["value"] for r in rows(csvs["planning.csv"])}
    assert planning["professional practice gap"].startswith("Clinicians under-prescribe")
    assert planning["sources of the gap"] == "Peer-reviewed literature; Quality or outcomes data"
    assert (
        planning["how change will be analysed"] == "Chart audit of prescriptions six months later."
    )
    assert planning["accreditations"] == "ACCME 0042"
    assert [r["objective"] for r in rows(csvs["objectives.csv"])] == [
        "Start SGLT2 inhibitors when due"
    ]
    assert rows(csvs["review_comments.csv"])[0]["comment"] == "Cite the 2026 guideline."
    (amendment,) = rows(csvs["amendments.csv"])
    assert (amendment["what changed"], amendment["reason"]) == (
        "Moved a session",
        "Speaker's flight",
    )
    actions = [r["action"] for r in rows(csvs["audit_log.csv"])]
    assert actions.count("coi.relevance_decided") == 3
    assert "coi.mitigated" in actions and "coi.exception_recorded" in actions
    faculty = {r["name"] for r in rows(csvs["faculty.csv"])}
    assert {"Ada Aster, MD", "Ben Birch, MD", "Cy Cedar, MD", "Dee Dune, MD"} <= faculty


def test_learners_who_consented_are_counted_never_named(activity, world):
    body = audit_file.activity_file_zip(activity)
    archive = zipfile.ZipFile(io.BytesIO(body))
    for name in archive.namelist():
        if name.endswith(".csv"):
            assert b"Learner0" not in archive.read(name), name
    text = "\n".join(
        p.extract_text() for p in PdfReader(io.BytesIO(archive.read("summary.pdf"))).pages
    )
    flat = " ".join(text.split())
    assert "Secret" not in flat
    assert "Learners consenting to share their details (open) 2" in flat
    assert "Consents withdrawn 1" in flat


def test_cells_that_look_like_formulas_are_quoted(activity, world):
    csvs = audit_file.activity_file_csvs(activity)
    titles = [r["title"] for r in rows(csvs["sessions.csv"])]
    assert "'" + INJECTION in titles
    assert INJECTION not in titles
    ledger = rows(csvs["ledger.csv"])
    assert "'-1 typo" in [r["description"] for r in ledger]
    for name, body in csvs.items():
        for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))):
            for cell in row:
                assert not cell.startswith(("=", "+", "-", "@")), (name, cell)


def test_summary_pdf_names_the_activity_people_and_decisions(activity, world):
    reader = PdfReader(io.BytesIO(audit_file.activity_file_pdf(activity)))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert "Annual Meeting 2027" in flat
    assert "American College of Practitioners" in flat
    assert "Clinicians under-prescribe SGLT2 inhibitors" in flat
    assert "Chart audit of prescriptions" in flat
    for name in ("Ada Aster, MD", "Ben Birch, MD", "Cy Cedar, MD", "Dee Dune, MD"):
        assert name in flat
    assert "Oncopharm (Consultant): relevant, mitigated" in flat
    assert "Peer review of the content" in flat
    assert "refused to disclose" in flat
    assert "signed late" in flat
    assert "has relevant financial relationships with: Oncopharm" in flat
    for name in audit_file.CSV_FILES:
        assert name in flat


def test_query_count_does_not_grow_with_sessions(provider, reviewer):
    def build(n: int) -> int:
        act = ActivityFactory(provider=provider)
        for i in range(n):
            person, session = speaker(act, f"P{i}", f"Person{i}", f"Talk {i}")
            (rel,) = disclose(person, (f"Company {act.pk}-{i}", "consultant"))
            d = review.decide_relevance(act, rel, reviewer=reviewer, relevant=True, reason="Yes")
            review.mitigate(d, by=reviewer, method="divest")
            learner.lines_shown(act, f"session:{session.code}", [person.pk])
        with CaptureQueriesContext(connection) as ctx:
            body = audit_file.activity_file_zip(act)
        assert zipfile.ZipFile(io.BytesIO(body)).testzip() is None
        table = rows(zipfile.ZipFile(io.BytesIO(body)).read("disclosures.csv"))
        assert len(table) == n
        return len(ctx.captured_queries)

    assert build(3) == build(6)


# --- Staff downloads ----------------------------------------------------------------------


def url(activity, kind: str) -> str:
    return reverse(f"staff:activity_file_{kind}", args=[activity.provider.slug, activity.slug])


@pytest.mark.parametrize("kind", ["zip", "pdf"])
def test_reviewer_downloads_and_the_export_is_recorded(client, activity, world, reviewer, kind):
    client.force_login(reviewer)
    response = client.get(url(activity, kind))
    assert response.status_code == 200
    assert response["Content-Type"] == {"zip": "application/zip", "pdf": "application/pdf"}[kind]
    assert 'filename="acp-annual-2027-activity-file-' in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.filter(action="activity.file_exported").get()
    assert entry.actor == reviewer
    assert entry.activity_id == activity.pk
    assert entry.after["format"] == kind
    assert entry.after["sha256"] == hashlib.sha256(response.content).hexdigest()


def test_reports_staff_may_download(client, activity, world):
    person = UserFactory()
    TeamFactory(provider=activity.provider, permissions=["reports"], members=[person])
    client.force_login(person)
    response = client.get(url(activity, "zip"))
    assert response.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(response.content)).namelist()[0] == "summary.pdf"


def test_members_without_reports_or_review_get_403(client, activity, world):
    person = UserFactory()
    TeamFactory(provider=activity.provider, permissions=["program", "credit"], members=[person])
    client.force_login(person)
    for kind in ("zip", "pdf"):
        response = client.get(url(activity, kind))
        assert response.status_code == 403
        assert b"Oncopharm" not in response.content
    assert not AuditEntry.objects.filter(action="activity.file_exported").exists()


def test_another_providers_staff_get_404(client, activity, world):
    other = ProviderFactory()
    outsider = UserFactory()
    TeamFactory(provider=other, members=[outsider])
    client.force_login(outsider)
    response = client.get(url(activity, "zip"))
    assert response.status_code == 404
    assert b"Oncopharm" not in response.content


def test_audit_page_links_to_the_downloads(client, activity, admin_user):
    client.force_login(admin_user)
    page = client.get(
        reverse("staff:audit", args=[activity.provider.slug, activity.slug])
    ).content.decode()
    assert url(activity, "zip") in page
    assert url(activity, "pdf") in page


def test_command_writes_the_zip_and_records_it(activity, world, tmp_path):
    target = tmp_path / "file.zip"
    out = io.StringIO()
    call_command("export_activity_file", "acp", "annual-2027", "-o", str(target), stdout=out)
    body = target.read_bytes()
    assert "summary.pdf" in zipfile.ZipFile(io.BytesIO(body)).namelist()
    entry = AuditEntry.objects.get(action="activity.file_exported")
    assert entry.actor is None and entry.actor_repr == "system"
    assert entry.after["sha256"] == hashlib.sha256(body).hexdigest()
    assert str(target) in out.getvalue()


def test_command_refuses_an_unknown_activity(activity, tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No activity"):
        call_command("export_activity_file", "acp", "nope", "-o", str(tmp_path / "x.zip"))
    assert not (tmp_path / "x.zip").exists()


def test_session_times_are_in_the_activity_zone(activity, world):
    table = rows(audit_file.activity_file_csvs(activity)["sessions.csv"])
    starts = {dt.datetime.fromisoformat(r["start"]) for r in table}
    assert starts == {at(activity.start_date, 9)}
    assert all(r["start"].endswith("-04:00") for r in table)
