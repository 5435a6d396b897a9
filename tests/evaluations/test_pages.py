"""The learner's pages and the staff pages, with who may open them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cmeconf.evaluations import builder, services
from cmeconf.evaluations.models import EvaluationForm, EvaluationResponse, FormKind, QuestionKind
from cmeconf.evaluations.standard import ensure_activity_form
from tests.evaluations.conftest import GOOD, answers_for, register, staff_with
from tests.factories import ProviderFactory, SessionFactory, UserFactory

pytestmark = pytest.mark.django_db


def learner_url(name, activity, *extra):
    return reverse(f"evaluations:{name}", args=[activity.provider.slug, activity.slug, *extra])


def staff_url(name, activity, *extra):
    return reverse(f"staff:{name}", args=[activity.provider.slug, activity.slug, *extra])


# --- learner -----------------------------------------------------------------------------------


def test_learner_sees_a_readable_form(client, live, registered):
    client.force_login(registered)
    response = client.get(learner_url("activity_form", live))
    html = response.content.decode()
    assert response.status_code == 200
    form = EvaluationForm.objects.get(activity=live, kind=FormKind.ACTIVITY)
    assert html.count("<fieldset") == 4
    assert "How well were the learning objectives of this activity met?" in html
    assert "1 (Not met)" in html and "5 (Fully met)" in html
    assert 'name="opened"' in html
    assert "Answer this only if you answered “No”" in html
    assert response.context["form"] == form


def test_learner_submits_and_time_is_recorded(client, live, registered):
    client.force_login(registered)
    page = client.get(learner_url("activity_form", live))
    form = page.context["form"]
    token = services.opened_token(form, person=registered, now=timezone.now().timestamp() - 300)
    data = answers_for(form, **GOOD) | {"opened": token}
    response = client.post(learner_url("activity_form", live), data)
    assert response.status_code == 302
    assert response["Location"] == learner_url("done", live)
    saved = EvaluationResponse.objects.get(form=form, person=registered)
    assert 300 <= saved.seconds_spent <= 302
    done = client.get(response["Location"])
    assert "Thank you" in done.content.decode()
    # A second visit goes to the thanks page; a second post saves nothing.
    assert client.get(learner_url("activity_form", live))["Location"] == learner_url("done", live)
    client.post(learner_url("activity_form", live), data)
    assert EvaluationResponse.objects.filter(person=registered).count() == 1


def test_forged_timestamp_records_no_time(client, live, registered):
    client.force_login(registered)
    form = ensure_activity_form(live)
    data = answers_for(form, **GOOD) | {"opened": "eyJmb3JtIjoxLCJhdCI6MH0:forged:sig"}
    client.post(learner_url("activity_form", live), data)
    assert EvaluationResponse.objects.get(person=registered).seconds_spent is None


def test_errors_are_shown_by_field(client, live, registered):
    client.force_login(registered)
    form = ensure_activity_form(live)
    data = answers_for(form, **(GOOD | {"free_of_bias": "No"}))
    response = client.post(learner_url("activity_form", live), data)
    assert response.status_code == 400
    comment = form.questions.get(standard="bias_comment")
    errors = response.context["answer_form"].errors
    assert list(errors) == [f"q{comment.pk}"]
    html = response.content.decode()
    assert f'id="id_q{comment.pk}_errors"' in html
    assert "Nothing was sent." in html
    assert not EvaluationResponse.objects.exists()


def test_answers_are_not_rendered_as_html(client, live, registered):
    client.force_login(registered)
    form = ensure_activity_form(live)
    data = answers_for(form, **(GOOD | {"objectives_met": "9"}))
    data[f"q{form.questions.get(standard='intent_to_change').pk}"] = "<script>alert(1)</script>"
    html = client.post(learner_url("activity_form", live), data).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_not_registered_learner_is_refused(client, live, learner):
    client.force_login(learner)
    response = client.get(learner_url("activity_form", live))
    assert response.status_code == 403
    assert "Only learners with a confirmed registration" in response.content.decode()
    form = ensure_activity_form(live)
    response = client.post(learner_url("activity_form", live), answers_for(form, **GOOD))
    assert response.status_code == 403
    assert not EvaluationResponse.objects.exists()


def test_anonymous_goes_to_login(client, live):
    for name in ("activity_form", "follow_up", "done"):
        response = client.get(learner_url(name, live))
        assert response.status_code == 302
        assert "/accounts/login" in response["Location"]


def test_session_form_page(client, live, registered, admin_user):
    session = SessionFactory(activity=live, start=timezone.now() - dt.timedelta(hours=1))
    form = builder.create_session_form(session, by=admin_user)
    q = builder.add_question(form, by=admin_user, kind=QuestionKind.RATING, text="Speaker?")
    client.force_login(registered)
    url = learner_url("session_form", live, session.code)
    assert "Speaker?" in client.get(url).content.decode()
    assert client.post(url, {f"q{q.pk}": "5"}).status_code == 302
    assert EvaluationResponse.objects.get(form=form).answers.get().value == 5
    other = SessionFactory(activity=live)
    assert client.get(learner_url("session_form", live, other.code)).status_code == 404


def test_follow_up_page_needs_the_survey(client, live, registered):
    client.force_login(registered)
    assert client.get(learner_url("follow_up", live)).status_code == 404


# --- staff -------------------------------------------------------------------------------------


@pytest.fixture
def setup(live, admin_user):
    form = ensure_activity_form(live)
    own = builder.add_question(
        form, by=admin_user, kind=QuestionKind.TEXT, text="Best talk?", required=False
    )
    person = register(live)
    services.submit(form, person, answers_for(form, **GOOD))
    return form, own


def _urls(live, form, question):
    """(method, url, read-only?) of every staff page."""
    return [
        ("get", staff_url("evaluations", live), "either"),
        ("post", staff_url("evaluation_add_session", live), "build"),
        ("post", staff_url("evaluation_add_follow_up", live), "build"),
        ("get", staff_url("evaluation_form", live, form.pk), "build"),
        ("post", staff_url("evaluation_settings", live, form.pk), "build"),
        ("post", staff_url("evaluation_delete", live, form.pk), "build"),
        ("post", staff_url("evaluation_question_add", live, form.pk), "build"),
        ("get", staff_url("evaluation_question", live, form.pk, question.pk), "build"),
        ("post", staff_url("evaluation_question_delete", live, form.pk, question.pk), "build"),
        ("post", staff_url("evaluation_question_move", live, form.pk, question.pk), "build"),
        ("get", staff_url("evaluation_results", live, form.pk), "read"),
        ("get", staff_url("evaluation_answers_csv", live, form.pk), "read"),
        ("get", staff_url("evaluation_summary_csv", live, form.pk), "read"),
    ]


def test_permission_matrix(client, live, provider, setup):
    form, own = setup
    people = {
        "credit": (staff_with(provider, "credit"), {"build", "read", "either"}),
        "program": (staff_with(provider, "program"), {"build", "either"}),
        "reports": (staff_with(provider, "reports"), {"read", "either"}),
        "registration": (staff_with(provider, "registration"), set()),
    }
    for who, (user, allowed) in people.items():
        client.force_login(user)
        for method, url, need in _urls(live, form, own):
            status = getattr(client, method)(url).status_code
            if need in allowed:
                assert status not in (403, 404), (who, method, url, status)
            else:
                assert status == 403, (who, method, url, status)
    # Everything the build pages can change stayed as it was for those refused; the
    # credit person's empty posts changed nothing either (invalid, or refused).
    assert form.questions.filter(pk=own.pk).exists()


def test_other_provider_learner_and_anonymous_are_refused(client, live, setup):
    form, own = setup
    outsider = staff_with(ProviderFactory(slug="other"), "credit", "reports", "program")
    learner = UserFactory()
    for method, url, _need in _urls(live, form, own):
        client.logout()
        response = getattr(client, method)(url)
        assert response.status_code == 302 and "/accounts/login" in response["Location"]
        for user in (outsider, learner):
            client.force_login(user)
            assert getattr(client, method)(url).status_code == 404, url


def test_builder_pages(client, live, admin_user):
    client.force_login(admin_user)
    overview = client.get(staff_url("evaluations", live))
    assert overview.status_code == 200
    form = EvaluationForm.objects.get(activity=live, kind=FormKind.ACTIVITY)
    assert form.title in overview.content.decode()
    response = client.post(
        staff_url("evaluation_question_add", live, form.pk),
        {"kind": "single", "text": "Venue?", "choices": "Good", "scale_min": 1, "scale_max": 5},
    )
    assert response.status_code == 400
    assert "Give at least two options" in response.content.decode()
    response = client.post(
        staff_url("evaluation_question_add", live, form.pk),
        {
            "kind": "single",
            "text": "Venue?",
            "choices": "Good\nPoor",
            "scale_min": 1,
            "scale_max": 5,
            "required": "on",
        },
    )
    assert response.status_code == 302
    venue = form.questions.get(text="Venue?")
    assert venue.choices == ["Good", "Poor"] and venue.required
    page = client.get(staff_url("evaluation_form", live, form.pk)).content.decode()
    assert "Venue?" in page and "asked by every accredited activity" in page
    response = client.post(
        staff_url("evaluation_question", live, form.pk, venue.pk),
        {
            "kind": "single",
            "text": "The venue?",
            "choices": "Good\nPoor",
            "scale_min": 1,
            "scale_max": 5,
            "required": "on",
        },
    )
    assert response.status_code == 302
    venue.refresh_from_db()
    assert venue.text == "The venue?"
    client.post(staff_url("evaluation_question_move", live, form.pk, venue.pk), {"direction": "up"})
    assert list(form.questions.order_by("order"))[-2] == venue
    client.post(staff_url("evaluation_question_delete", live, form.pk, venue.pk))
    assert not form.questions.filter(pk=venue.pk).exists()
    standard = form.questions.get(standard="free_of_bias")
    assert (
        client.get(staff_url("evaluation_question", live, form.pk, standard.pk)).status_code == 200
    )
    client.post(staff_url("evaluation_question_delete", live, form.pk, standard.pk))
    assert form.questions.filter(pk=standard.pk).exists()


def test_session_and_follow_up_created_from_the_overview(client, live, admin_user):
    session = SessionFactory(activity=live)
    client.force_login(admin_user)
    response = client.post(staff_url("evaluation_add_session", live), {"session": session.code})
    assert response.status_code == 302
    assert EvaluationForm.objects.filter(session=session, kind=FormKind.SESSION).exists()
    response = client.post(staff_url("evaluation_add_follow_up", live), {"send_after_days": 30})
    assert response.status_code == 302
    follow = EvaluationForm.objects.get(activity=live, kind=FormKind.FOLLOW_UP)
    assert follow.send_after_days == 30


def test_results_page_and_csv(client, live, reports_staff, setup):
    form, _own = setup
    client.force_login(reports_staff)
    page = client.get(staff_url("evaluation_results", live, form.pk))
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html and "Start statins earlier" in html
    assert page.context["results"].responses == 1
    csv_response = client.get(staff_url("evaluation_answers_csv", live, form.pk))
    assert csv_response["Content-Type"].startswith("text/csv")
    body = csv_response.content.decode("utf-8-sig")
    assert body.splitlines()[1].startswith("1,")
    summary = client.get(staff_url("evaluation_summary_csv", live, form.pk))
    assert "question,kind,answered,option,count,percent,mean" in summary.content.decode("utf-8-sig")


def test_results_page_flags_bias_first(client, live, admin_user):
    form = ensure_activity_form(live)
    person = register(live)
    data = answers_for(form, **(GOOD | {"free_of_bias": "No"}))
    data[f"q{form.questions.get(standard='bias_comment').pk}"] = "<b>Brand X</b> everywhere"
    services.submit(form, person, data)
    client.force_login(admin_user)
    html = client.get(staff_url("evaluation_results", live, form.pk)).content.decode()
    assert html.index('id="bias-reports"') < html.index('class="eval-result"')
    assert "&lt;b&gt;Brand X&lt;/b&gt; everywhere" in html


def test_the_overview_counts_responses_without_a_query_per_form(client, live, admin_user):
    """The response counts come with the forms (one annotated query), not one per form."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(admin_user)
    url = staff_url("evaluations", live)
    sessions = [SessionFactory(activity=live) for _ in range(3)]
    first = builder.create_session_form(sessions[0], by=admin_user)
    client.get(url)  # the first visit creates the activity form

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for session in sessions[1:]:
        builder.create_session_form(session, by=admin_user)
    learner = register(live)
    services.submit(
        ensure_activity_form(live), learner, answers_for(ensure_activity_form(live), **GOOD)
    )
    assert count() == one
    html = client.get(url).content.decode()
    assert first.title in html
    rows = client.get(url).context["rows"]
    assert sorted(n for _f, n in rows) == [0, 0, 0, 1]
