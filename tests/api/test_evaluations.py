"""The evaluations API: building forms, reading results, learners answering [C8][A4]."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from cmeconf.common.models import AuditEntry
from cmeconf.evaluations import services
from cmeconf.evaluations.models import EvaluationForm, EvaluationResponse
from cmeconf.evaluations.standard import ensure_activity_form
from cmeconf.providers.permissions import Permission
from tests.evaluations.conftest import register, staff_with
from tests.factories import ActivityFactory, SessionFactory, UserFactory, at


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def live(provider):
    """An activity that started yesterday and ends tomorrow."""
    today = timezone.localdate(timezone=dt.UTC)
    return ActivityFactory(
        provider=provider,
        slug="live-2026",
        title="Live Meeting",
        start_date=today - dt.timedelta(days=1),
        end_date=today + dt.timedelta(days=1),
    )


@pytest.fixture
def url(provider, live):
    return f"/api/v1/providers/{provider.slug}/activities/{live.slug}"


@pytest.fixture
def credit(provider):
    return client_for(staff_with(provider, Permission.CREDIT))


@pytest.fixture
def form(live):
    return ensure_activity_form(live)


def by_standard(form) -> dict:
    return {q.standard: q for q in form.questions.exclude(standard="")}


def good_answers(form, **extra) -> dict:
    q = by_standard(form)
    answers = {
        str(q["objectives_met"].pk): 4,
        str(q["intent_to_change"].pk): "Start statins earlier in diabetics over 40.",
        str(q["free_of_bias"].pk): "Yes",
    }
    return answers | {str(k): v for k, v in extra.items()}


# --- building ----------------------------------------------------------------------------------


def test_builders_listing_creates_the_activity_form_with_its_standard_questions(credit, url, live):
    response = credit.get(f"{url}/evaluations/")
    assert response.status_code == 200
    [row] = response.json()
    assert row["kind"] == "activity"
    assert row["required_for_credit"] is True
    assert row["responses"] == 0
    assert row["title"] == "Evaluation of Live Meeting"
    detail = credit.get(f"{url}/evaluations/{row['id']}/").json()
    assert [q["standard"] for q in detail["questions"]] == [
        "objectives_met",
        "intent_to_change",
        "free_of_bias",
        "bias_comment",
    ]
    comment = detail["questions"][3]
    assert comment["shown_if_question"] == detail["questions"][2]["id"]
    assert comment["shown_if_values"] == ["No"]
    # A second listing changes nothing.
    credit.get(f"{url}/evaluations/")
    assert EvaluationForm.objects.filter(activity=live).count() == 1


def test_reports_staff_read_without_creating_and_cannot_build(provider, url, live):
    reports = client_for(staff_with(provider, Permission.REPORTS))
    assert reports.get(f"{url}/evaluations/").json() == []
    response = reports.post(f"{url}/evaluations/", {"kind": "follow_up"}, format="json")
    assert response.status_code == 403
    assert not EvaluationForm.objects.filter(activity=live).exists()


def test_add_a_session_form_and_refuse_a_second(credit, url, live):
    session = SessionFactory(activity=live, title="Heart failure")
    response = credit.post(
        f"{url}/evaluations/", {"kind": "session", "session": session.code}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["kind"] == "session"
    assert body["session"] == {"code": session.code, "title": "Heart failure"}
    assert body["required_for_credit"] is False
    assert body["questions"] == []
    again = credit.post(
        f"{url}/evaluations/", {"kind": "session", "session": session.code}, format="json"
    )
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This session has an evaluation form already."]}
    entry = AuditEntry.objects.filter(action="evaluation.form_created").last()
    assert entry.activity_id == live.pk


def test_a_session_of_another_activity_is_no_session_here(credit, url, provider):
    elsewhere = SessionFactory(activity=ActivityFactory(provider=provider))
    response = credit.post(
        f"{url}/evaluations/", {"kind": "session", "session": elsewhere.code}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"session": ["No such session in this activity."]}


def test_the_follow_up_survey_starts_with_two_questions(credit, url):
    response = credit.post(
        f"{url}/evaluations/", {"kind": "follow_up", "send_after_days": 30}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["send_after_days"] == 30
    assert [q["kind"] for q in body["questions"]] == ["single", "text"]
    bad = credit.post(
        f"{url}/evaluations/", {"kind": "follow_up", "send_after_days": 0}, format="json"
    )
    assert bad.status_code == 400
    assert "send_after_days" in bad.json()


def test_change_a_form_and_refuse_a_delay_on_the_activity_form(credit, url, form):
    response = credit.patch(
        f"{url}/evaluations/{form.pk}/",
        {"title": "Tell us", "introduction": "Five minutes.", "is_open": False},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["is_open"]) == ("Tell us", False)
    form.refresh_from_db()
    assert form.introduction == "Five minutes."
    assert AuditEntry.objects.filter(action="evaluation.form_changed").count() == 1
    bad = credit.patch(f"{url}/evaluations/{form.pk}/", {"send_after_days": 9}, format="json")
    assert bad.status_code == 400
    assert list(bad.json()) == ["send_after_days"]
    unknown = credit.patch(f"{url}/evaluations/{form.pk}/", {"kind": "session"}, format="json")
    assert unknown.status_code == 400


def test_the_activity_form_cannot_be_deleted_a_session_form_can(credit, url, live, form):
    refused = credit.delete(f"{url}/evaluations/{form.pk}/")
    assert refused.status_code == 400
    assert refused.json() == {
        "non_field_errors": ["The activity evaluation cannot be deleted; close it instead."]
    }
    session = SessionFactory(activity=live)
    created = credit.post(
        f"{url}/evaluations/", {"kind": "session", "session": session.code}, format="json"
    ).json()
    assert credit.delete(f"{url}/evaluations/{created['id']}/").status_code == 204
    assert not EvaluationForm.objects.filter(pk=created["id"]).exists()


def test_questions_added_checked_changed_moved_and_deleted(credit, url, form):
    base = f"{url}/evaluations/{form.pk}/questions/"
    bad = credit.post(
        base, {"kind": "rating", "text": "Pace?", "scale_min": 5, "scale_max": 2}, format="json"
    )
    assert bad.status_code == 400
    assert list(bad.json()) == ["scale_max"]
    created = credit.post(
        base,
        {"kind": "single", "text": "Venue?", "choices": ["Good", "Poor"], "required": False},
        format="json",
    )
    assert created.status_code == 201
    question = created.json()
    assert (question["choices"], question["required"], question["standard"]) == (
        ["Good", "Poor"],
        False,
        "",
    )
    changed = credit.patch(f"{base}{question['id']}/", {"text": "The venue?"}, format="json")
    assert changed.status_code == 200
    assert changed.json()["text"] == "The venue?"
    moved = credit.post(f"{base}{question['id']}/move/", {"direction": "up"}, format="json")
    assert moved.status_code == 200
    order = [q["id"] for q in moved.json()]
    assert order.index(question["id"]) == 3  # above the bias comment now
    assert credit.delete(f"{base}{question['id']}/").status_code == 204
    assert AuditEntry.objects.filter(action="evaluation.question_deleted").count() == 1


def test_standard_questions_cannot_be_changed_or_deleted(credit, url, form):
    objectives = by_standard(form)["objectives_met"]
    base = f"{url}/evaluations/{form.pk}/questions/{objectives.pk}/"
    changed = credit.patch(base, {"text": "Did you like it?"}, format="json")
    assert changed.status_code == 400
    assert "cannot be changed" in changed.json()["non_field_errors"][0]
    assert credit.delete(base).status_code == 400
    objectives.refresh_from_db()
    assert objectives.text == "How well were the learning objectives of this activity met?"


def test_answered_forms_keep_their_questions(credit, url, live, form, learner):
    question = credit.post(
        f"{url}/evaluations/{form.pk}/questions/",
        {"kind": "text", "text": "Anything else?", "required": False},
        format="json",
    ).json()
    register(live, learner)
    services.submit(form, learner, {f"q{k}": v for k, v in good_answers(form).items()})
    base = f"{url}/evaluations/{form.pk}/questions/{question['id']}/"
    assert credit.delete(base).status_code == 400
    kind = credit.patch(base, {"kind": "commitment"}, format="json")
    assert kind.status_code == 400
    assert "only the wording" in kind.json()["kind"][0]
    assert credit.patch(base, {"text": "Anything more?"}, format="json").status_code == 200


def test_a_form_of_another_activity_is_not_found(credit, url, provider):
    other = ensure_activity_form(ActivityFactory(provider=provider))
    assert credit.get(f"{url}/evaluations/{other.pk}/").status_code == 404
    assert credit.get(f"{url}/evaluations/{other.pk}/results/").status_code == 404


def test_forms_list_queries_do_not_grow_with_forms(
    credit, url, live, form, django_assert_max_num_queries
):
    SessionFactory(activity=live)
    for session in [SessionFactory(activity=live) for _ in range(3)]:
        EvaluationForm.objects.create(activity=live, session=session, kind="session", title="S")
    with django_assert_max_num_queries(20):
        response = credit.get(f"{url}/evaluations/")
    assert len(response.json()) == 4


# --- results -----------------------------------------------------------------------------------


def test_results_count_answers_put_bias_first_and_name_nobody(provider, url, live, form):
    q = by_standard(form)
    alice = register(live, first_name="Alice", last_name="Anders")
    bob = register(live, first_name="Bob", last_name="Brandt")
    services.submit(form, alice, {f"q{k}": v for k, v in good_answers(form).items()})
    services.submit(
        form,
        bob,
        {
            f"q{q['objectives_met'].pk}": "2",
            f"q{q['intent_to_change'].pk}": "Nothing: I already do this.",
            f"q{q['free_of_bias'].pk}": "No",
            f"q{q['bias_comment'].pk}": "The lunch talk promoted Drug X.",
        },
    )
    reports = client_for(staff_with(provider, Permission.REPORTS))
    response = reports.get(f"{url}/evaluations/{form.pk}/results/")
    assert response.status_code == 200
    body = response.json()
    assert body["responses"] == 2
    assert body["bias_reports"] == [
        {"response_number": 2, "comment": "The lunch talk promoted Drug X."}
    ]
    by_id = {r["id"]: r for r in body["questions"]}
    objectives = by_id[q["objectives_met"].pk]
    assert objectives["mean"] == 3.0
    assert objectives["options"][1] == {"label": "2", "count": 1, "percent": 50.0}
    assert objectives["options"][0]["label"] == "1 (Not met)"
    assert by_id[q["free_of_bias"].pk]["options"] == [
        {"label": "Yes", "count": 1, "percent": 50.0},
        {"label": "No", "count": 1, "percent": 50.0},
    ]
    assert sorted(by_id[q["intent_to_change"].pk]["texts"]) == [
        "Nothing: I already do this.",
        "Start statins earlier in diabetics over 40.",
    ]
    text = response.content.decode()
    assert "Alice" not in text and "Brandt" not in text and alice.email not in text


def test_program_staff_build_but_do_not_read_results(provider, url, form):
    program = client_for(staff_with(provider, Permission.PROGRAM))
    assert program.get(f"{url}/evaluations/{form.pk}/").status_code == 200
    response = program.get(f"{url}/evaluations/{form.pk}/results/")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your teams do not allow this."}


# --- learners ----------------------------------------------------------------------------------


def test_learners_list_the_forms_they_answer(url, live, learner):
    client = client_for(learner)
    assert client.get(f"{url}/me/evaluations/").json() == []  # not registered
    register(live, learner)
    session = SessionFactory(
        activity=live, start=at(live.start_date, 9), end=at(live.start_date, 10)
    )
    session_form = EvaluationForm.objects.create(
        activity=live, session=session, kind="session", title="The keynote"
    )
    rows = client.get(f"{url}/me/evaluations/").json()
    assert [(r["kind"], r["submitted_at"], r["open"]) for r in rows] == [
        ("activity", None, True),
        ("session", None, True),
    ]
    assert rows[1]["session"]["code"] == session.code
    assert rows[1]["id"] == session_form.pk
    assert rows[0]["required_for_credit"] is True


def test_a_learner_answers_once(url, live, form, learner):
    register(live, learner)
    client = client_for(learner)
    shown = client.get(f"{url}/me/evaluations/{form.pk}/")
    assert shown.status_code == 200
    body = shown.json()
    assert len(body["questions"]) == 4
    assert body["submitted_at"] is None
    response = client.post(
        f"{url}/me/evaluations/{form.pk}/",
        {"answers": good_answers(form), "opened": body["opened"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["form"] == form.pk
    assert response.json()["seconds_spent"] is not None
    saved = EvaluationResponse.objects.get(form=form, person=learner)
    assert {a.question.standard: a.value for a in saved.answers.all()}["objectives_met"] == 4
    again = client.post(
        f"{url}/me/evaluations/{form.pk}/", {"answers": good_answers(form)}, format="json"
    )
    assert again.status_code == 400
    assert again.json() == {
        "non_field_errors": ["You have already submitted this form; it can be sent only once."]
    }
    rows = client.get(f"{url}/me/evaluations/").json()
    assert rows[0]["submitted_at"] is not None


def test_another_persons_opened_note_records_no_time(url, live, form, learner):
    colleague = register(live)
    register(live, learner)
    note = client_for(colleague).get(f"{url}/me/evaluations/{form.pk}/").json()["opened"]
    response = client_for(learner).post(
        f"{url}/me/evaluations/{form.pk}/",
        {"answers": good_answers(form), "opened": note},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["seconds_spent"] is None


def test_errors_come_back_by_question_and_nothing_is_saved(url, live, form, learner):
    register(live, learner)
    q = by_standard(form)
    client = client_for(learner)
    answers = good_answers(form) | {str(q["free_of_bias"].pk): "No", str(q["objectives_met"].pk): 9}
    response = client.post(f"{url}/me/evaluations/{form.pk}/", {"answers": answers}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "answers": {
            str(q["objectives_met"].pk): ["Choose a number from 1 to 5."],
            str(q["bias_comment"].pk): [
                "Please tell us more: this is needed with your answer above."
            ],
        }
    }
    unknown = client.post(
        f"{url}/me/evaluations/{form.pk}/",
        {"answers": good_answers(form) | {"999999": "x"}},
        format="json",
    )
    assert unknown.json() == {"answers": {"999999": ["No such question in this form."]}}
    assert not EvaluationResponse.objects.filter(person=learner).exists()


def test_only_registered_learners_answer(url, form, learner):
    client = client_for(learner)
    response = client.get(f"{url}/me/evaluations/{form.pk}/")
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only learners with a confirmed registration of this activity may answer it."
    }
    posted = client.post(
        f"{url}/me/evaluations/{form.pk}/", {"answers": good_answers(form)}, format="json"
    )
    assert posted.status_code == 403
    assert client_for(None).get(f"{url}/me/evaluations/").status_code == 401


def test_no_answers_before_the_activity_starts(provider, learner):
    later = ActivityFactory(provider=provider, slug="later", start_date=dt.date(2099, 1, 5),
                            end_date=dt.date(2099, 1, 6))  # fmt: skip
    form = ensure_activity_form(later)
    register(later, learner)
    client = client_for(learner)
    url = f"/api/v1/providers/{provider.slug}/activities/later"
    row = client.get(f"{url}/me/evaluations/").json()[0]
    assert (row["open"], row["closed_reason"]) == (
        False,
        "The evaluation opens when the activity starts.",
    )
    response = client.post(
        f"{url}/me/evaluations/{form.pk}/", {"answers": good_answers(form)}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["The evaluation opens when the activity starts."]
    }


def test_learners_cannot_reach_staff_endpoints(url, live, form, learner):
    register(live, learner)
    client = client_for(learner)
    assert client.get(f"{url}/evaluations/").status_code == 403
    assert client.get(f"{url}/evaluations/{form.pk}/results/").status_code == 403
    response = client.post(
        f"{url}/evaluations/{form.pk}/questions/", {"kind": "text", "text": "Hi"}, format="json"
    )
    assert response.status_code == 403


def test_staff_of_another_provider_see_nothing(url, form):
    outsider = UserFactory()
    from tests.factories import ProviderFactory, TeamFactory

    TeamFactory(provider=ProviderFactory(), members=[outsider], permissions=["credit"])
    client = client_for(outsider)
    assert client.get(f"{url}/evaluations/").status_code == 403
    assert client.get(f"{url}/evaluations/{form.pk}/results/").status_code == 403


# --- the answers have the shapes the schema declares -------------------------------------------


def schema_check(api_client):
    """A function checking a response against the schema the server serves now."""
    import jsonschema
    import yaml

    from tests.api.test_schema import _json_schema

    openapi = yaml.safe_load(api_client.get("/api/v1/schema/").content)

    def check(response, path: str, method: str) -> None:
        operation = openapi["paths"][path][method]
        declared = operation["responses"][str(response.status_code)]
        schema = declared["content"]["application/json"]["schema"]
        document = _json_schema({"components": openapi["components"]}) | _json_schema(schema)
        jsonschema.validate(response.json(), document)

    return check


E = "/api/v1/providers/{provider}/activities/{activity}"


def test_responses_match_the_schema(credit, url, live, form, learner):
    check = schema_check(APIClient())
    register(live, learner)
    mine = client_for(learner)
    question = by_standard(form)["objectives_met"].pk
    checks = [
        (credit.get(f"{url}/evaluations/"), f"{E}/evaluations/", "get"),
        (credit.get(f"{url}/evaluations/{form.pk}/"), f"{E}/evaluations/{{form}}/", "get"),
        (credit.post(f"{url}/evaluations/{form.pk}/questions/{question}/move/",
                     {"direction": "down"}, format="json"),
         f"{E}/evaluations/{{form}}/questions/{{question}}/move/", "post"),
        (mine.get(f"{url}/me/evaluations/"), f"{E}/me/evaluations/", "get"),
        (mine.get(f"{url}/me/evaluations/{form.pk}/"), f"{E}/me/evaluations/{{form}}/", "get"),
        (mine.post(f"{url}/me/evaluations/{form.pk}/", {"answers": {str(question): 9}},
                   format="json"), f"{E}/me/evaluations/{{form}}/", "post"),
        (mine.post(f"{url}/me/evaluations/{form.pk}/", {"answers": good_answers(form)},
                   format="json"), f"{E}/me/evaluations/{{form}}/", "post"),
        (credit.get(f"{url}/evaluations/{form.pk}/results/"),
         f"{E}/evaluations/{{form}}/results/", "get"),
    ]  # fmt: skip
    for response, path, method in checks:
        check(response, path, method)
    assert [r.status_code for r, _p, _m in checks] == [200, 200, 200, 200, 200, 400, 201, 200]
