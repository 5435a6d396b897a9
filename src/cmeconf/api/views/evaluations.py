"""Evaluations: building the forms, reading the results (staff), answering them (learners).

Thin: forms and questions change through evaluations.builder, answers through
evaluations.services.submit, results come from evaluations.results, exactly as the
pages. Staff with the credit or program permission build forms; credit or reports
read results [C8][A4]. The me/ endpoints work on the caller's own responses only:
nobody reads another learner's answers, and results never name anyone.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cmeconf.activities.models import Session
from cmeconf.api.serializers.evaluations import (
    EvaluationAnswersSerializer,
    EvaluationFormCreateSerializer,
    EvaluationFormDetailSerializer,
    EvaluationFormSerializer,
    EvaluationFormUpdateSerializer,
    EvaluationQuestionMoveSerializer,
    EvaluationQuestionSerializer,
    EvaluationQuestionWriteSerializer,
    EvaluationResultsSerializer,
    EvaluationSubmittedSerializer,
    MyEvaluationDetailSerializer,
    MyEvaluationSerializer,
)
from cmeconf.api.views.base import ActivityScopedView
from cmeconf.api.views.integrity_base import TeamScopedView
from cmeconf.evaluations import builder, results, services
from cmeconf.evaluations.models import (
    EvaluationForm,
    EvaluationQuestion,
    EvaluationResponse,
    FormKind,
)
from cmeconf.evaluations.standard import ensure_activity_form

BUILD = builder.BUILD_PERMISSIONS
READ = builder.READ_PERMISSIONS

FORM = OpenApiParameter(
    "form", int, OpenApiParameter.PATH, description="The id of the evaluation form."
)
QUESTION = OpenApiParameter(
    "question", int, OpenApiParameter.PATH, description="The id of the question."
)


def _forms(activity):
    return (
        EvaluationForm.objects.filter(activity=activity)
        .select_related("session")
        .annotate(responses_count=Count("responses", distinct=True))
        .order_by("kind", "session__start", "id")
    )


def _form_data(form: EvaluationForm, *, questions: bool = False) -> dict:
    data = {
        "id": form.pk,
        "kind": form.kind,
        "title": form.title,
        "introduction": form.introduction,
        "session": form.session if form.session_id else None,
        "required_for_credit": form.required_for_credit,
        "send_after_days": form.send_after_days,
        "is_open": form.is_open,
        "responses": getattr(form, "responses_count", None),
        "created": form.created,
        "updated": form.updated,
    }
    if data["responses"] is None:
        data["responses"] = form.responses.count()
    if questions:
        data["questions"] = list(form.questions.order_by("order", "id"))
    return data


class _StaffView(TeamScopedView):
    """An activity's evaluation forms: build with credit or program, read with those or
    with reports (the overview page opens to either)."""

    read_any = BUILD | READ
    write_any = BUILD

    def form(self) -> EvaluationForm:
        form = (
            EvaluationForm.objects.filter(activity=self.activity, pk=self.kwargs["form"])
            .select_related("session")
            .first()
        )
        if form is None:
            raise Http404(_("No such evaluation form in this activity."))
        form.activity = self.activity
        return form

    def question(self, form: EvaluationForm) -> EvaluationQuestion:
        question = EvaluationQuestion.objects.filter(form=form, pk=self.kwargs["question"]).first()
        if question is None:
            raise Http404(_("No such question in this form."))
        question.form = form
        return question

    def detail(self, form: EvaluationForm, code: int = status.HTTP_200_OK) -> Response:
        fresh = _forms(self.activity).get(pk=form.pk)
        body = EvaluationFormDetailSerializer(
            _form_data(fresh, questions=True), context=self.get_serializer_context()
        ).data
        return Response(body, status=code)


@extend_schema(tags=["evaluations"])
class FormList(_StaffView):
    """The activity's evaluation forms: the activity evaluation, session forms, follow-up."""

    serializer_class = EvaluationFormSerializer
    pagination_class = None  # a handful per activity

    @extend_schema(
        summary="List the evaluation forms",
        description="For teams with the credit, program or reports permission. The activity "
        "evaluation, with its standard questions, is created the first time someone who may "
        "build forms lists them (as on the staff page).",
        responses={200: EvaluationFormSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        if BUILD & self.scope.perms:
            ensure_activity_form(self.activity, by=request.user)
        forms = [_form_data(f) for f in _forms(self.activity)]
        return Response(
            EvaluationFormSerializer(forms, many=True, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Add a session evaluation or the follow-up survey",
        description="A session evaluation is optional feedback and does not gate credit; the "
        "follow-up survey asks, some days after the activity, what changed in practice [C8] "
        "and starts with two questions you may change. One of each per session / activity.",
        request=EvaluationFormCreateSerializer,
        responses={201: EvaluationFormDetailSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = EvaluationFormCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if data["kind"] == FormKind.SESSION:
            session = Session.objects.filter(activity=self.activity, code=data["session"]).first()
            if session is None:
                raise ValidationError({"session": _("No such session in this activity.")})
            session.activity = self.activity
            form = builder.create_session_form(session, by=request.user, title=data["title"])
        else:
            form = builder.create_follow_up_form(
                self.activity,
                by=request.user,
                send_after_days=data.get("send_after_days", builder.DEFAULT_FOLLOW_UP_DAYS),
                title=data["title"],
            )
        return self.detail(form, status.HTTP_201_CREATED)


@extend_schema(tags=["evaluations"], parameters=[FORM])
class FormDetail(_StaffView):
    serializer_class = EvaluationFormDetailSerializer
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(summary="One evaluation form with its questions")
    def get(self, request, *args, **kwargs) -> Response:
        return self.detail(self.form())

    @extend_schema(
        summary="Change a form's title, introduction, whether it is open, or (follow-up) delay",
        request=EvaluationFormUpdateSerializer,
        responses={200: EvaluationFormDetailSerializer},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        form = self.form()
        serializer = EvaluationFormUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        if form.kind != FormKind.FOLLOW_UP and "send_after_days" in changes:
            raise ValidationError(
                {"send_after_days": _("Only the follow-up survey is sent after the activity.")}
            )
        builder.update_form(form, by=request.user, **changes)
        return self.detail(form)

    @extend_schema(
        summary="Delete a session form or the follow-up survey nobody answered yet",
        description="The activity evaluation cannot be deleted (credit waits for it [E3][B3]); "
        "a form with answers is closed instead (PATCH is_open false).",
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        builder.delete_form(self.form(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["evaluations"], parameters=[FORM])
class QuestionList(_StaffView):
    serializer_class = EvaluationQuestionWriteSerializer
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Add a question at the end of the form",
        description="Kinds: rating (scale_min to scale_max, 0 to 10; choices: the labels of "
        "the two ends or none), single and multiple (2 to 20 different choices), text, "
        "commitment (a commitment to change). Problems come back by field.",
        request=EvaluationQuestionWriteSerializer,
        responses={201: EvaluationQuestionSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        form = self.form()
        serializer = EvaluationQuestionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = builder.add_question(form, by=request.user, **serializer.validated_data)
        return Response(EvaluationQuestionSerializer(question).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["evaluations"], parameters=[FORM, QUESTION])
class QuestionDetail(_StaffView):
    serializer_class = EvaluationQuestionWriteSerializer
    http_method_names = ["patch", "delete", "options"]

    @extend_schema(
        summary="Change a question",
        description="The standard questions cannot be changed [C8][A4]. Once learners have "
        "answered the form, only the wording (text, help_text) may be corrected, so that "
        "every answer keeps its meaning.",
        request=EvaluationQuestionWriteSerializer(partial=True),
        responses={200: EvaluationQuestionSerializer},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        question = self.question(self.form())
        serializer = EvaluationQuestionWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        builder.edit_question(question, by=request.user, **serializer.validated_data)
        return Response(EvaluationQuestionSerializer(question).data)

    @extend_schema(
        summary="Delete a question of a form nobody answered yet",
        description="The standard questions cannot be deleted.",
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        builder.delete_question(self.question(self.form()), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["evaluations"], parameters=[FORM, QUESTION])
class QuestionMove(_StaffView):
    serializer_class = EvaluationQuestionMoveSerializer
    pagination_class = None  # the form's questions, all of them
    http_method_names = ["post", "options"]

    @extend_schema(
        summary="Move a question one place up or down",
        description="A question shown only after another's answer (the bias comment) stays "
        "below that question. Answers the form's questions in their new order.",
        request=EvaluationQuestionMoveSerializer,
        responses={200: EvaluationQuestionSerializer(many=True)},
    )
    def post(self, request, *args, **kwargs) -> Response:
        form = self.form()
        question = self.question(form)
        serializer = EvaluationQuestionMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        builder.move_question(
            question, by=request.user, up=serializer.validated_data["direction"] == "up"
        )
        questions = form.questions.order_by("order", "id")
        return Response(EvaluationQuestionSerializer(questions, many=True).data)


@extend_schema(tags=["evaluations"], parameters=[FORM])
class FormResults(_StaffView):
    """What learners answered, per question; never who answered what."""

    serializer_class = EvaluationResultsSerializer
    read_any = READ
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="The results of a form",
        description="For teams with the credit or reports permission. Per question: how many "
        "answered, each option's count and share, the mean of a rating, the texts written. "
        "Responses that found commercial bias come first (bias_reports), with their comment "
        "and anonymous response number [A4].",
    )
    def get(self, request, *args, **kwargs) -> Response:
        form = self.form()
        found = results.form_results(form)
        body = {
            "form": _form_data(form) | {"responses": found.responses},
            "responses": found.responses,
            "mean_seconds": found.mean_seconds,
            "bias_reports": found.bias_reports,
            "questions": found.questions,
        }
        return Response(
            EvaluationResultsSerializer(body, context=self.get_serializer_context()).data
        )


# --- the learner's own evaluations -------------------------------------------------------------


class _MineView(ActivityScopedView):
    """Anyone signed in who can see the activity; each answers only for themselves."""

    permission_classes = [IsAuthenticated]
    read_permission = None
    write_permission = None

    def answerable(self) -> list[EvaluationForm]:
        """The forms of the activity the caller is among those who answer (open or not)."""
        user = self.request.user
        if services.is_registered(self.activity, user):
            # Every accredited activity asks the standard questions [C8][A4]: the form
            # exists from the first time a learner looks for it (as on the learner's page).
            ensure_activity_form(self.activity)
        forms = list(
            EvaluationForm.objects.filter(activity=self.activity)
            .select_related("session")
            .order_by("kind", "session__start", "id")
        )
        for form in forms:
            form.activity = self.activity
        return [f for f in forms if services.may_answer(f, user)]

    def row(self, form: EvaluationForm, submitted: dict) -> dict:
        closed = services.closed_reason(form)
        return {
            "id": form.pk,
            "kind": form.kind,
            "title": form.title,
            "session": form.session if form.session_id else None,
            "required_for_credit": form.required_for_credit,
            "submitted_at": submitted.get(form.pk),
            "open": not closed,
            "closed_reason": closed,
        }

    def submitted(self) -> dict:
        return dict(
            EvaluationResponse.objects.filter(
                form__activity=self.activity, person=self.request.user
            ).values_list("form_id", "submitted_at")
        )


@extend_schema(tags=["evaluations"])
class MyEvaluationList(_MineView):
    serializer_class = MyEvaluationSerializer
    pagination_class = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="The evaluation forms you may answer, done or not",
        description="The activity evaluation and follow-up survey with a confirmed "
        "registration; a session's evaluation also with attendance recorded at the session. "
        "Each says whether it takes answers now and when you submitted it. Empty when you "
        "are not among those who answer.",
        responses={200: MyEvaluationSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        submitted = self.submitted()
        rows = [self.row(f, submitted) for f in self.answerable()]
        return Response(
            MyEvaluationSerializer(rows, many=True, context=self.get_serializer_context()).data
        )


def _by_question(exc: ValidationError, ids: set[int]) -> dict:
    """The service's errors by field q<id> as {"answers": {"<id>": [...]}}; others as given."""
    if not hasattr(exc, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    body: dict = {}
    for field, messages in exc.message_dict.items():
        if field.startswith("q") and field[1:].isdigit() and int(field[1:]) in ids:
            body.setdefault("answers", {})[field[1:]] = messages
        elif field == NON_FIELD_ERRORS:
            body[api_settings.NON_FIELD_ERRORS_KEY] = messages
        else:
            body[field] = messages
    return body


@extend_schema(
    tags=["evaluations"],
    parameters=[
        OpenApiParameter(
            "form", int, OpenApiParameter.PATH, description="The id of the evaluation form."
        )
    ],
)
class MyEvaluation(_MineView):
    serializer_class = MyEvaluationDetailSerializer
    http_method_names = ["get", "post", "head", "options"]

    def form(self) -> EvaluationForm:
        form = (
            EvaluationForm.objects.filter(activity=self.activity, pk=self.kwargs["form"])
            .select_related("session")
            .first()
        )
        if form is None:
            raise Http404(_("No such evaluation form in this activity."))
        form.activity = self.activity
        if not services.may_answer(form, self.request.user):
            raise PermissionDenied(_(services.NOT_ALLOWED))
        return form

    @extend_schema(
        summary="A form to answer: its questions",
        description="403 when you are not among those who answer it. `opened` is a signed "
        "note of when you opened the form: send it back with your answers, so that the time "
        "spent is recorded (ANCC counts evaluation time [N1]). It counts only for your own "
        "answers, and not after two hours.",
        responses={200: MyEvaluationDetailSerializer, 404: OpenApiResponse(description="No form.")},
    )
    def get(self, request, *args, **kwargs) -> Response:
        form = self.form()
        body = self.row(form, self.submitted()) | {
            "introduction": form.introduction,
            "questions": services.questions_of(form),
            "opened": services.opened_token(form, person=request.user),
        }
        return Response(
            MyEvaluationDetailSerializer(body, context=self.get_serializer_context()).data
        )

    @extend_schema(
        summary="Submit your answers, once",
        description="All answers at once, by question id. A required question needs an "
        "answer; the question on where bias was seen is required when you answered that the "
        "content was not free of commercial bias, and ignored otherwise [A4]. Mistakes come "
        'back by question id under "answers", and nothing is saved. A form is sent only once: '
        "a second submission answers 400.",
        request=EvaluationAnswersSerializer,
        responses={201: EvaluationSubmittedSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        form = self.form()
        serializer = EvaluationAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        questions = services.questions_of(form)
        ids = {q.pk for q in questions}
        unknown = {
            key: [_("No such question in this form.")]
            for key in data["answers"]
            if not (key.isdigit() and int(key) in ids)
        }
        if unknown:
            raise serializers.ValidationError({"answers": unknown})
        answers = {f"q{key}": value for key, value in data["answers"].items()}
        seconds = services.seconds_from_token(data["opened"], form, person=request.user)
        try:
            response = services.submit(form, request.user, answers, seconds_spent=seconds)
        except ValidationError as exc:
            raise serializers.ValidationError(_by_question(exc, ids)) from exc
        return Response(
            EvaluationSubmittedSerializer(response, context=self.get_serializer_context()).data,
            status=status.HTTP_201_CREATED,
        )
