"""The disclosure to learners on the activity page, as handout and slide PDFs, and for the stage."""

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from cmeconf.activities.models import PlanningRole
from cmeconf.integrity import handout, learner, review, services, support
from cmeconf.integrity.models import IneligibleCompany, LearnerDisclosureVersion
from cmeconf.providers.models import Accreditation
from tests.factories import (
    IneligibleCompanyFactory,
    SessionFactory,
    SessionFacultyFactory,
    TeamFactory,
    UserFactory,
    at,
)


@pytest.fixture
def reviewer(provider):
    person = UserFactory()
    TeamFactory(provider=provider, name="COI", permissions=["review"], members=[person])
    return person


@pytest.fixture
def session(activity):
    return SessionFactory(activity=activity, title="Statins in 2027")


@pytest.fixture
def statinco(db):
    return IneligibleCompany.objects.create(name="Statinco", key="statinco", kind="pharmaceutical")


def _speaker(session, first, last, role="speaker"):
    person = UserFactory(first_name=first, last_name=last, credentials="MD")
    SessionFacultyFactory(session=session, person=person, role=role)
    return person


def _planner(activity, first, last, role="course_director"):
    person = UserFactory(first_name=first, last_name=last, credentials="MD")
    PlanningRole.objects.create(activity=activity, person=person, role=role)
    return person


def _none(person):
    services.submit_disclosure(person, by=person, attested=True, relationships=[])


def _with(person, company, nature="speaker"):
    d = services.submit_disclosure(
        person,
        by=person,
        attested=True,
        relationships=[
            {
                "company": company,
                "nature": nature,
                "start_date": dt.date(2025, 5, 1),
                "end_date": None,
            }
        ],
    )
    return d.relationships.get()


def _mitigate(activity, relationship, reviewer):
    decision = review.decide_relevance(
        activity, relationship, reviewer=reviewer, relevant=True, reason="Same therapeutic area."
    )
    review.mitigate(decision, by=reviewer, method="attest")


def _support(activity, company, *, kind, by, in_kind="", amount=None):
    supporter = support.add_supporter(
        activity.provider,
        company=company,
        by=by,
        contact_name="Rita Repman",
        contact_email="rita@statinco.example",
    )
    return support.create_agreement(
        activity,
        by=by,
        supporter=supporter,
        kind=kind,
        amount=amount,
        in_kind_description=in_kind,
        purpose="Unrestricted educational grant for the lipid track",
        terms="Standard terms; no say over faculty or content.",
    )


def _text(pdf: bytes) -> tuple[PdfReader, str]:
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return reader, " ".join(text.split())


def _base(activity) -> str:
    return f"/{activity.provider.slug}/{activity.slug}"


def _section(html: str) -> str:
    found = re.search(r'<section aria-labelledby="disclosure".*?</section>', html, re.S)
    assert found, "the activity page has no disclosure section"
    return found.group(0)


@pytest.fixture
def full(activity, session, statinco, reviewer):
    """A planner without relationships, a speaker with a mitigated one, two supporters."""
    director = _planner(activity, "Dana", "Director")
    _none(director)
    speaker = _speaker(session, "Ben", "Lind")
    _mitigate(activity, _with(speaker, statinco), reviewer)
    devico = IneligibleCompanyFactory(name="Devico Medical")
    _support(activity, statinco, kind="cash", by=reviewer, amount=Decimal("25000.00"))
    _support(activity, devico, kind="in_kind", by=reviewer, in_kind="Loan of ultrasound machines")
    return {"director": director, "speaker": speaker, "devico": devico}


NO_RELATIONSHIPS = (
    "Dana Director, MD has no relevant financial relationships with ineligible companies."
)
MITIGATED = (
    "Ben Lind, MD has relevant financial relationships with: Statinco (Speaker (speakers' "
    "bureau)). All relevant financial relationships have been mitigated."
)


# --- the activity page -------------------------------------------------------------------------


def test_activity_page_shows_planners_faculty_and_supporters(client, activity, full):
    section = _section(client.get(_base(activity) + "/").text).replace("&#x27;", "'")
    assert NO_RELATIONSHIPS in section
    assert "(Course director)" in section
    assert MITIGATED in section
    assert "(Speaker)" in section
    assert "All relevant financial relationships have been mitigated." in section.split("<h3>")[0]
    assert "This activity receives commercial support from:" in section
    assert "Devico Medical: in-kind support (Loan of ultrasound machines)" in section
    assert "Statinco: financial support" in section
    assert f'href="{_base(activity)}/disclosure.pdf"' in section
    assert f'href="{_base(activity)}/disclosure-slide.pdf"' in section


def test_only_company_names_reach_learners(client, activity, full):
    """No logo, amount, contact, purpose or terms of an agreement: names and nature [A6][A21]."""
    section = _section(client.get(_base(activity) + "/").text)
    pdf = _text(handout.handout_pdf(activity))[1]
    for shown in (section, pdf):
        assert "<img" not in shown
        for private in ("25000", "25,000", "Rita", "rita@", "Unrestricted", "Standard terms"):
            assert private not in shown


def test_worked_example_17_on_the_activity_page(client, activity, session):
    """Faculty with no relationships: learners are still told so [A11]."""
    _none(_speaker(session, "Ada", "Okafor"))
    section = _section(client.get(_base(activity) + "/").text)
    assert (
        "Ada Okafor, MD has no relevant financial relationships with ineligible companies."
    ) in section
    assert "This activity receives no commercial support." in section


def test_statement_waits_for_every_review(client, activity, session, statinco, reviewer):
    """'All mitigated' is said only when true of everyone listed [A6]."""
    relationship = _with(_speaker(session, "Ben", "Lind"), statinco)
    section = _section(client.get(_base(activity) + "/").text)
    assert "Ben Lind, MD: disclosure under review." in section
    assert "Statinco" not in section
    assert "All relevant financial relationships have been mitigated." not in section
    _mitigate(activity, relationship, reviewer)
    section = _section(client.get(_base(activity) + "/").text)  # the decision shows at once
    assert "All relevant financial relationships have been mitigated." in section
    assert "Statinco (Speaker" in section


def test_an_activity_without_people_claims_no_mitigation(client, activity):
    section = _section(client.get(_base(activity) + "/").text)
    assert "have been mitigated" not in section
    assert (
        "The planners and faculty of this activity and their disclosures are shown here once known."
    ) in section


def test_a_person_without_a_name_is_not_shown_by_e_mail(client, activity, session):
    person = UserFactory(first_name="", last_name="", email="hidden@example.org")
    SessionFacultyFactory(session=session, person=person)
    page = client.get(_base(activity) + "/").text
    assert "hidden@example.org" not in page
    assert "Name to be announced, MD: disclosure not yet available." in _section(page)


@pytest.mark.parametrize("n", [1, 3])
def test_activity_disclosure_queries_do_not_grow(
    activity, statinco, reviewer, django_assert_num_queries, n
):
    for i in range(n):
        session = SessionFactory(activity=activity, start=at(activity.start_date, 8 + i))
        _mitigate(activity, _with(_speaker(session, f"Sam{i}", "Speaker"), statinco), reviewer)
        _none(_planner(activity, f"Pat{i}", "Planner", role="planner"))
        _support(activity, IneligibleCompanyFactory(), kind="cash", by=reviewer)
    with django_assert_num_queries(9):
        found = learner.activity_disclosure(activity)
    assert len(found.people) == 2 * n
    assert len(found.supporters) == n


# --- handout and slide -----------------------------------------------------------------------


def test_handout_is_a_pdf_with_everything_learners_are_told(client, activity, full):
    Accreditation.objects.create(provider=activity.provider, accreditor="ACCME", identifier="7")
    response = client.get(_base(activity) + "/disclosure.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader, text = _text(response.content)
    assert "Disclosure of financial relationships" in text
    assert "Annual Meeting 2027" in text
    assert (
        "The American College of Practitioners is accredited by the Accreditation Council "
        "for Continuing Medical Education (ACCME) to provide continuing medical education "
        "for physicians."
    ) in text
    assert NO_RELATIONSHIPS in text
    assert MITIGATED in text
    assert "Course director" in text
    assert "Statinco: financial support" in text
    assert "Devico Medical: in-kind support (Loan of ultrasound machines)" in text
    kept = LearnerDisclosureVersion.objects.get(activity=activity, scope="handout")
    assert f"Version {kept.digest}." in text
    assert "Generated " in text
    # Letter for an activity in New York; A4 on request.
    assert [round(float(x)) for x in reader.pages[0].mediabox[2:]] == [612, 792]
    a4 = PdfReader(io.BytesIO(client.get(_base(activity) + "/disclosure.pdf?paper=a4").content))
    assert [round(float(x)) for x in a4.pages[0].mediabox[2:]] == [595, 842]
    assert client.get(_base(activity) + "/disclosure.pdf?paper=tabloid").status_code == 404


def test_handout_names_the_joint_provider_and_skips_lapsed_accreditation(activity, full):
    activity.joint_provider = "Lakeside Heart Foundation"
    activity.save()
    Accreditation.objects.create(
        provider=activity.provider,
        accreditor="ACCME",
        identifier="7",
        valid_until=activity.start_date,
    )
    text = _text(handout.handout_pdf(activity))[1]
    assert (
        "through the joint providership of American College of Practitioners and Lakeside "
        "Heart Foundation."
    ) in text
    Accreditation.objects.filter(provider=activity.provider).update(
        valid_until=activity.start_date - dt.timedelta(days=1)
    )
    text = _text(handout.handout_pdf(activity))[1]
    assert "Accreditation Council" not in text
    assert NO_RELATIONSHIPS in text


def test_slide_is_16_9_in_large_type(client, activity, full):
    response = client.get(_base(activity) + "/disclosure-slide.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader, text = _text(response.content)
    width, height = (float(x) for x in reader.pages[0].mediabox[2:])
    assert width / height == pytest.approx(16 / 9, rel=0.01)
    assert len(reader.pages) == 1
    assert NO_RELATIONSHIPS in text
    assert MITIGATED in text
    assert "Statinco: financial support" in text
    kept = LearnerDisclosureVersion.objects.get(activity=activity, scope="slide")
    assert f"version {kept.digest[:12]}" in text


def test_a_long_list_continues_on_further_slides(activity, session):
    names = [f"Person{i:02d} Faculty{i:02d}" for i in range(24)]
    for name in names:
        first, last = name.split()
        _none(_speaker(session, first, last))
    reader, text = _text(handout.slide_pdf(activity))
    assert len(reader.pages) > 1
    assert "Disclosure of financial relationships (continued)" in reader.pages[1].extract_text()
    for name in names:
        assert f"{name}, MD has no relevant financial relationships" in text


def test_session_slide_shows_only_that_sessions_faculty(client, activity, session, full):
    other = SessionFactory(
        activity=activity, title="Hypertension", start=at(activity.start_date, 11)
    )
    _none(_speaker(other, "Olga", "Other"))
    response = client.get(f"{_base(activity)}/sessions/{session.code}/disclosure-slide.pdf")
    text = _text(response.content)[1]
    assert "Statins in 2027" in text
    assert MITIGATED in text
    assert "Olga Other" not in text
    assert "Dana Director" not in text  # planners are on the activity's slide, not a session's
    assert "Devico Medical: in-kind support" in text
    assert LearnerDisclosureVersion.objects.filter(scope=f"slide:{session.code}").count() == 1


# --- versions kept -----------------------------------------------------------------------------


def test_each_place_keeps_its_versions_and_a_decision_makes_a_new_one(
    client, activity, session, statinco, reviewer
):
    relationship = _with(_speaker(session, "Ben", "Lind"), statinco)
    base = _base(activity)
    urls = {
        "activity": base + "/",
        "handout": base + "/disclosure.pdf",
        "slide": base + "/disclosure-slide.pdf",
        f"slide:{session.code}": f"{base}/sessions/{session.code}/disclosure-slide.pdf",
        f"stage:{session.code}": f"{base}/sessions/{session.code}/disclosure.json",
    }

    def visit():
        for url in urls.values():
            assert client.get(url).status_code == 200

    visit()
    visit()  # the same version again: nothing new kept
    first = {v.scope: v for v in LearnerDisclosureVersion.objects.filter(activity=activity)}
    assert set(first) == set(urls)
    assert any("Ben Lind, MD: disclosure under review." in line for line in first["handout"].lines)
    # The same text carries the same digest wherever it is shown.
    assert first["activity"].digest == first["handout"].digest == first["slide"].digest

    _mitigate(activity, relationship, reviewer)
    visit()
    for scope in urls:
        versions = LearnerDisclosureVersion.objects.filter(activity=activity, scope=scope)
        assert versions.count() == 2, scope
        latest = versions.order_by("first_shown", "id").last()
        assert any("Statinco (Speaker" in line for line in latest.lines), scope
        assert latest.digest != first[scope].digest


def test_supporters_are_part_of_the_version(activity, full, reviewer):
    before = learner.activity_disclosure(activity).digest
    _support(activity, IneligibleCompanyFactory(name="Lipidex"), kind="cash", by=reviewer)
    after = learner.activity_disclosure(activity)
    assert after.digest != before
    assert "Lipidex: financial support" in after.shown


def test_a_new_supporter_reaches_the_cached_activity_page_at_once(client, activity, reviewer):
    page = client.get(_base(activity) + "/").text  # now in the visitors' page cache
    assert "This activity receives no commercial support." in _section(page)
    _support(activity, IneligibleCompanyFactory(name="Lipidex"), kind="cash", by=reviewer)
    section = _section(client.get(_base(activity) + "/").text)
    assert "Lipidex: financial support" in section
    assert "no commercial support" not in section


def test_a_file_is_revalidated_and_changes_with_a_decision(
    client, activity, session, statinco, reviewer
):
    relationship = _with(_speaker(session, "Ben", "Lind"), statinco)
    url = _base(activity) + "/disclosure-slide.pdf"
    first = client.get(url)
    assert "no-cache" in first["Cache-Control"]
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    _mitigate(activity, relationship, reviewer)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert "Statinco (Speaker" in _text(again.content)[1]


# --- virtual stage ---------------------------------------------------------------------------


def test_stage_json_has_what_a_player_shows_before_the_stream(client, activity, session, full):
    data = client.get(f"{_base(activity)}/sessions/{session.code}/disclosure.json").json()
    kept = LearnerDisclosureVersion.objects.get(scope=f"stage:{session.code}")
    assert data == {
        "activity": {
            "slug": "annual-2027",
            "title": "Annual Meeting 2027",
            "provider": "American College of Practitioners",
            "time_zone": "America/New_York",
        },
        "session": {
            "code": session.code,
            "title": "Statins in 2027",
            "start": "2027-04-14T09:00:00-04:00",
            "end": "2027-04-14T10:00:00-04:00",
        },
        "accredited": True,
        "heading": "Disclosure of financial relationships",
        "statement": (
            "Everyone in control of the content of this session disclosed all financial "
            "relationships with ineligible companies of the past 24 months. All relevant "
            "financial relationships have been mitigated."
        ),
        "people": [
            {
                "name": "Ben Lind, MD",
                "roles": ["Speaker"],
                "line": MITIGATED,
                "standing": "mitigated",
            }
        ],
        "supporters_intro": "This activity receives commercial support from:",
        "supporters": [
            {
                "company": "Devico Medical",
                "line": "Devico Medical: in-kind support (Loan of ultrasound machines)",
            },
            {"company": "Statinco", "line": "Statinco: financial support"},
        ],
        "version": kept.digest,
        "generated": data["generated"],
        "slide": f"{_base(activity)}/sessions/{session.code}/disclosure-slide.pdf",
    }
    assert dt.datetime.fromisoformat(data["generated"]).tzinfo is not None


def test_stage_json_of_a_promotional_session_carries_no_disclosure(client, activity):
    industry = SessionFactory(activity=activity, format="industry", credit_eligible=False)
    _none(_speaker(industry, "Ivy", "Industry"))
    data = client.get(f"{_base(activity)}/sessions/{industry.code}/disclosure.json").json()
    assert data["accredited"] is False
    assert data["people"] == []
    assert data["supporters"] == []
    assert data["statement"] == "This session is not part of the accredited education."


# --- not public --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["draft", "planning", "in_review", "approved"])
def test_files_of_an_activity_learners_cannot_see_are_404(client, activity, session, state):
    activity.state = state
    activity.save()
    base = _base(activity)
    for url in (
        base + "/disclosure.pdf",
        base + "/disclosure-slide.pdf",
        f"{base}/sessions/{session.code}/disclosure-slide.pdf",
        f"{base}/sessions/{session.code}/disclosure.json",
    ):
        assert client.get(url).status_code == 404, url
    assert not LearnerDisclosureVersion.objects.exists()


def test_an_unknown_session_is_404(client, activity):
    base = _base(activity)
    assert client.get(f"{base}/sessions/NOSUCH/disclosure.json").status_code == 404
    assert client.get(f"{base}/sessions/NOSUCH/disclosure-slide.pdf").status_code == 404
