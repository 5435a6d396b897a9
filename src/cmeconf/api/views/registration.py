"""Registration: the options, your own registration and workshops, registrants, the set-up.

Thin: every change goes through registration.services (registrations, sign-ups,
payments) or registration.setup (types, prices, promo codes, questions), which check
who may act and write the audit trail. The learner's endpoints look up the caller's own
registration, never one named in the URL, so nobody reaches another's; the staff
endpoints need the "registration" team permission, as the staff pages do.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from cmeconf.activities.models import Session
from cmeconf.api.serializers.registration import (
    CancelSerializer,
    GroupResultSerializer,
    GroupSerializer,
    IdentifiersSerializer,
    ManualPaymentSerializer,
    MyRegistrationSerializer,
    PriceTierSerializer,
    PromoSerializer,
    QuestionSerializer,
    QuestionWriteSerializer,
    RegisterSerializer,
    RegistrantDetailSerializer,
    RegistrantFilterSerializer,
    RegistrantSerializer,
    RegistrationOptionsSerializer,
    SetupSerializer,
    SignupSerializer,
    TypeSerializer,
)
from cmeconf.api.views.base import ActivityScopedView
from cmeconf.providers.permissions import Permission
from cmeconf.registration import identifiers, services, setup
from cmeconf.registration.choices import PaymentStatus, RegistrationStatus, SignupStatus
from cmeconf.registration.models import (
    Payment,
    PriceTier,
    PromoCode,
    Question,
    Registration,
    RegistrationGroup,
    RegistrationSetup,
    RegistrationType,
    WorkshopSignup,
)
from cmeconf.registration.pricing import current_tier

REG = Permission.REGISTRATION
ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=12, decimal_places=2))


def _param(name: str, description: str) -> OpenApiParameter:
    return OpenApiParameter(name, int, OpenApiParameter.PATH, description=description)


REGISTRATION = _param("registration", "The id of the registration.")
TYPE = _param("type", "The id of the registration type.")
TIER = _param("tier", "The id of the price tier.")
PROMO = _param("promo", "The id of the promo code.")
QUESTION = _param("question", "The id of the question.")
WORKSHOP = OpenApiParameter(
    "code", str, OpenApiParameter.PATH, description="The workshop session's code."
)


def registrations_of(activity) -> QuerySet[Registration]:
    """The activity's registrations with what their representation shows, in a few queries."""
    paid = Sum("payments__amount", filter=Q(payments__status=PaymentStatus.PAID))
    money = DecimalField(max_digits=12, decimal_places=2)
    return (
        Registration.objects.filter(activity=activity)
        .select_related("person", "registration_type", "promo_code", "group", "registered_by")
        .annotate(paid_total=Coalesce(paid, ZERO, output_field=money))
        .annotate(
            balance=Greatest(F("price") - F("discount"), ZERO, output_field=money) - F("paid_total")
        )
        .prefetch_related(
            Prefetch(
                "workshop_signups",
                queryset=WorkshopSignup.objects.exclude(status=SignupStatus.CANCELLED)
                .select_related("session")
                .order_by("session__start", "id"),
                to_attr="live_signups",
            )
        )
    )


def _with_answers(registration: Registration, activity) -> Registration:
    """Attach the answers with the questions' wording (one query for all questions)."""
    labels = dict(Question.objects.filter(activity=activity).values_list("pk", "label"))
    registration.answer_list = [
        {"question": int(key), "label": labels.get(int(key), ""), "answer": value}
        for key, value in registration.answers.items()
        if str(key).isdigit()
    ]
    return registration


def _credit_options(codes: list[str]) -> list[dict]:
    """The offered credit types with the identifiers each asks for, and why."""

    def named(names) -> list[dict]:
        return [{"name": n, "label": identifiers.IDENTIFIER_LABELS[n]} for n in names]

    rows = []
    for code, label in identifiers.credit_type_choices(codes):
        need = identifiers.NEEDS.get(code)
        rows.append(
            {
                "code": code,
                "label": label,
                "required": named(need.required if need else ()),
                "optional": named(need.optional if need else ()),
                "reason": need.reason if need else "",
            }
        )
    return rows


class _RegistrationView(ActivityScopedView):
    """Activity-scoped, with the activity's set-up and registrations found within it only."""

    def setup_or_404(self) -> RegistrationSetup:
        found = RegistrationSetup.objects.filter(activity=self.activity).first()
        if found is None:
            raise Http404(_("This activity does not take registrations."))
        return found

    def registration(self, pk: int) -> Registration:
        reg = registrations_of(self.activity).filter(pk=pk).first()
        if reg is None:
            raise Http404(_("No such registration in this activity."))
        reg.activity = self.activity
        return _with_answers(reg, self.activity)

    def ctx(self) -> dict:
        return self.get_serializer_context()


# --- the options (public) -----------------------------------------------------------------------


@extend_schema(tags=["registration"])
class RegistrationOptions(_RegistrationView):
    """What the registration form offers: types with today's price and seats, questions."""

    serializer_class = RegistrationOptionsSerializer
    read_permission = None
    http_method_names = ["get", "head", "options"]

    @extend_schema(
        summary="Registration types, prices, seats, questions and workshops",
        description="Readable by anyone who can see the activity. Seats and prices are as "
        "of now; 404 when the activity does not take registrations.",
    )
    def get(self, request, *args, **kwargs) -> Response:
        found = self.setup_or_404()
        now = timezone.now()
        types = RegistrationType.objects.filter(
            activity=self.activity, is_active=True
        ).prefetch_related("prices")
        type_rows = []
        for reg_type in types:
            reg_type.activity = self.activity
            tier = current_tier(reg_type, now)
            has_prices = bool(reg_type.prices.all())
            type_rows.append(
                {
                    "code": reg_type.code,
                    "name": reg_type.name,
                    "description": reg_type.description,
                    "mode": reg_type.mode,
                    "professions": reg_type.professions or [],
                    "price": tier,
                    "on_sale": tier is not None or not has_prices,
                    "seats_left": services.seats_left(self.activity, reg_type),
                }
            )
        workshops = [
            {"session": s, "seats_left": services.session_seats_left(s)}
            for s in Session.objects.filter(
                activity=self.activity, capacity__isnull=False, start__isnull=False
            ).order_by("start", "code")
        ]
        data = {
            "state": services.registration_state(found),
            "opens_at": found.opens_at,
            "closes_at": found.closes_at,
            "currency": found.currency,
            "seats_left": services.seats_left(self.activity),
            "cancellation_deadline": found.cancellation_deadline,
            "refund_percent": found.refund_percent,
            "credit_types": _credit_options(found.credit_types or []),
            "types": type_rows,
            "questions": list(Question.objects.filter(activity=self.activity)),
            "workshops": workshops,
        }
        return Response(RegistrationOptionsSerializer(data, context=self.ctx()).data)


# --- your own registration ----------------------------------------------------------------------


class _OwnView(_RegistrationView):
    """The caller's own registration: any signed-in person who can see the activity."""

    permission_classes = [IsAuthenticated]
    read_permission = None
    write_permission = None

    def own(self) -> Registration:
        reg = (
            registrations_of(self.activity)
            .filter(person=self.request.user)
            .exclude(status=RegistrationStatus.CANCELLED)
            .first()
        )
        if reg is None:
            raise Http404(_("You are not registered for this activity."))
        reg.activity = self.activity
        return _with_answers(reg, self.activity)

    def shown(self, code: int = status.HTTP_200_OK) -> Response:
        return Response(MyRegistrationSerializer(self.own(), context=self.ctx()).data, status=code)


@extend_schema(tags=["registration"])
class MyRegistration(_OwnView):
    serializer_class = MyRegistrationSerializer
    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(
        summary="Your registration for this activity",
        description="404 when you are not registered (or your registration is cancelled).",
    )
    def get(self, request, *args, **kwargs) -> Response:
        return self.shown()

    @extend_schema(
        summary="Register yourself",
        description="A seat when one is free, otherwise a place on the waiting list; with a "
        "price to pay the registration awaits payment and holds the seat. Errors are given "
        "by field: registration_type, promo_code, question_<id>, person (already "
        "registered) or non_field_errors (registration not open).",
        request=RegisterSerializer,
        responses={201: MyRegistrationSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = RegisterSerializer(data=request.data, context=self.ctx())
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.register(
            self.activity,
            request.user,
            registration_type=data["registration_type"],
            by=request.user,
            answers=data["answers"],
            promo_code=data["promo_code"],
            share_with_companies=data["share_with_companies"],
            credit_types=data["credit_types"],
            identifiers=data["identifiers"],
        )
        return self.shown(status.HTTP_201_CREATED)


@extend_schema(tags=["registration"])
class MyIdentifiers(_OwnView):
    serializer_class = IdentifiersSerializer
    http_method_names = ["put", "options"]

    @extend_schema(
        summary="Change the credit you will claim and the identifiers it needs",
        description="Both replace what you gave before. Only the identifiers the chosen "
        "credit types need are taken; errors are given by identifier name.",
        request=IdentifiersSerializer,
        responses={200: MyRegistrationSerializer},
    )
    def put(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.update_identifiers(self.own(), by=request.user, **serializer.validated_data)
        return self.shown()


@extend_schema(tags=["registration"])
class MyRegistrationCancel(_OwnView):
    serializer_class = MyRegistrationSerializer

    @extend_schema(
        summary="Cancel your registration",
        description="Your seat and workshop seats go to the next people waiting. Answers the "
        "registration as cancelled.",
        request=None,
        responses={200: MyRegistrationSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        reg = self.own()
        services.cancel(reg, by=request.user, reason="cancelled by the learner")
        reg = registrations_of(self.activity).get(pk=reg.pk)
        return Response(
            MyRegistrationSerializer(_with_answers(reg, self.activity), context=self.ctx()).data
        )


@extend_schema(tags=["registration"])
class MyRegistrationAccept(_OwnView):
    serializer_class = MyRegistrationSerializer

    @extend_schema(
        summary="Accept the seat offered to you",
        description="Refused once the offer has expired.",
        request=None,
        responses={200: MyRegistrationSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        services.accept_offer(self.own(), by=request.user)
        return self.shown()


@extend_schema(tags=["registration"])
class MyRegistrationDecline(_OwnView):
    serializer_class = MyRegistrationSerializer

    @extend_schema(
        summary="Decline the seat offered to you",
        description="Your registration is cancelled and the seat goes to the next person.",
        request=None,
        responses={200: MyRegistrationSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        reg = self.own()
        services.decline_offer(reg, by=request.user)
        reg = registrations_of(self.activity).get(pk=reg.pk)
        return Response(
            MyRegistrationSerializer(_with_answers(reg, self.activity), context=self.ctx()).data
        )


class _WorkshopView(_OwnView):
    serializer_class = SignupSerializer

    def session(self) -> Session:
        session = Session.objects.filter(activity=self.activity, code=self.kwargs["code"]).first()
        if session is None:
            raise Http404(_("No such session."))
        session.activity = self.activity
        return session

    def signup(self, registration: Registration, session: Session) -> WorkshopSignup:
        signup = (
            WorkshopSignup.objects.filter(registration=registration, session=session)
            .exclude(status=SignupStatus.CANCELLED)
            .select_related("session", "registration__person")
            .first()
        )
        if signup is None:
            raise Http404(_("You have not signed up for this session."))
        signup.session.activity = self.activity
        return signup

    def shown(self, signup: WorkshopSignup, code: int = status.HTTP_200_OK) -> Response:
        signup = WorkshopSignup.objects.select_related("session").get(pk=signup.pk)
        return Response(SignupSerializer(signup, context=self.ctx()).data, status=code)


@extend_schema(tags=["registration"], parameters=[WORKSHOP])
class MyWorkshop(_WorkshopView):
    http_method_names = ["post", "delete", "options"]

    @extend_schema(
        summary="Sign up for a workshop",
        description="A seat when one is free, otherwise a place on its waiting list. Needs a "
        "confirmed registration or one awaiting payment.",
        request=None,
        responses={201: SignupSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        signup = services.sign_up(self.own(), self.session(), by=request.user)
        return self.shown(signup, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Leave a workshop (or its waiting list)",
        description="A freed seat is offered to the next person waiting.",
        request=None,
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        services.cancel_signup(self.signup(self.own(), self.session()), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["registration"], parameters=[WORKSHOP])
class MyWorkshopAccept(_WorkshopView):
    @extend_schema(
        summary="Accept the workshop seat offered to you",
        description="Refused once the offer has expired.",
        request=None,
        responses={200: SignupSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        signup = self.signup(self.own(), self.session())
        services.accept_signup_offer(signup, by=request.user)
        return self.shown(signup)


@extend_schema(tags=["registration"], parameters=[WORKSHOP])
class MyWorkshopDecline(_WorkshopView):
    @extend_schema(
        summary="Decline the workshop seat offered to you",
        description="The seat goes to the next person waiting.",
        request=None,
        responses={200: SignupSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        signup = self.signup(self.own(), self.session())
        services.decline_signup_offer(signup, by=request.user)
        return self.shown(signup)


# --- staff: registrants -------------------------------------------------------------------------


class _StaffView(_RegistrationView):
    read_permission = REG
    write_permission = REG

    def detail(self, pk: int, code: int = status.HTTP_200_OK) -> Response:
        reg = self.registration(pk)
        reg.payment_list = list(
            Payment.objects.filter(registration=reg)
            .select_related("recorded_by")
            .order_by("created", "id")
        )
        return Response(RegistrantDetailSerializer(reg, context=self.ctx()).data, status=code)


@extend_schema(tags=["registrants"])
class RegistrantList(mixins.ListModelMixin, _StaffView):
    """The activity's registrations, by name, with search and filters."""

    serializer_class = RegistrantSerializer
    validates_query = True
    http_method_names = ["get", "head", "options"]

    def get_queryset(self) -> QuerySet[Registration]:
        if getattr(self, "swagger_fake_view", False):
            return Registration.objects.none()
        filters = RegistrantFilterSerializer(data=self.request.query_params, context=self.ctx())
        filters.is_valid(raise_exception=True)
        f = filters.validated_data
        regs = registrations_of(self.activity).order_by(
            "person__last_name", "person__first_name", "id"
        )
        for word in f.get("q", "").split():
            regs = regs.filter(
                Q(person__first_name__icontains=word)
                | Q(person__last_name__icontains=word)
                | Q(person__email__icontains=word)
            )
        if f.get("status"):
            regs = regs.filter(status=f["status"])
        if f.get("type") is not None:
            regs = regs.filter(registration_type=f["type"])
        if f.get("paid") is True:
            regs = regs.filter(balance__lte=0)
        elif f.get("paid") is False:
            regs = regs.filter(balance__gt=0)
        return regs

    @extend_schema(
        summary="List registrants",
        parameters=[RegistrantFilterSerializer],
    )
    def get(self, request, *args, **kwargs) -> Response:
        return self.list(request, *args, **kwargs)


@extend_schema(tags=["registrants"], parameters=[REGISTRATION])
class RegistrantDetail(_StaffView):
    serializer_class = RegistrantDetailSerializer
    http_method_names = ["get", "head", "options"]

    @extend_schema(summary="Read a registration, with its answers, payments and workshops")
    def get(self, request, *args, **kwargs) -> Response:
        return self.detail(self.kwargs["registration"])


@extend_schema(tags=["registrants"], parameters=[REGISTRATION])
class RegistrantPayments(_StaffView):
    serializer_class = ManualPaymentSerializer

    @extend_schema(
        summary="Record a payment received by invoice or on site",
        description="Card payments come from the payment gateway, not from here. The "
        "registration is confirmed once nothing is left to pay.",
        request=ManualPaymentSerializer,
        responses={201: RegistrantDetailSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        reg = self.registration(self.kwargs["registration"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.confirm_payment(reg, by=request.user, **serializer.validated_data)
        return self.detail(reg.pk, status.HTTP_201_CREATED)


@extend_schema(tags=["registrants"], parameters=[REGISTRATION])
class RegistrantIdentifiers(_StaffView):
    serializer_class = IdentifiersSerializer
    http_method_names = ["put", "options"]

    @extend_schema(
        summary="Change a registrant's credit types and identifiers",
        description="For people registered by a coordinator, and for corrections; both "
        "replace what was given before.",
        request=IdentifiersSerializer,
        responses={200: RegistrantDetailSerializer},
    )
    def put(self, request, *args, **kwargs) -> Response:
        reg = self.registration(self.kwargs["registration"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.update_identifiers(reg, by=request.user, **serializer.validated_data)
        return self.detail(reg.pk)


@extend_schema(tags=["registrants"], parameters=[REGISTRATION])
class RegistrantCancel(_StaffView):
    serializer_class = CancelSerializer

    @extend_schema(
        summary="Cancel a registration",
        description="Its seat and workshop seats go to the next people waiting.",
        request=CancelSerializer,
        responses={200: RegistrantDetailSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        reg = self.registration(self.kwargs["registration"])
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.cancel(reg, by=request.user, reason=serializer.validated_data["reason"])
        return self.detail(reg.pk)


@extend_schema(tags=["registrants"])
class GroupRegistration(_StaffView):
    serializer_class = GroupSerializer

    def _people(self, members: list[dict]) -> list[tuple]:
        types = {t.code: t for t in RegistrationType.objects.filter(activity=self.activity)}
        people, problems = [], []
        for member in members:
            reg_type = types.get(member["registration_type"])
            person = get_user_model().objects.filter(email__iexact=member["email"].strip()).first()
            if person is None:
                problems.append(
                    _("%(email)s: no account has this e-mail address.") % {"email": member["email"]}
                )
            if reg_type is None:
                problems.append(
                    _("%(email)s: there is no registration type “%(code)s” here.")
                    % {"email": member["email"], "code": member["registration_type"]}
                )
            if person is not None and reg_type is not None:
                people.append((person, reg_type))
        if problems:
            raise ValidationError({"people": problems})
        return people

    @extend_schema(
        summary="Register a group",
        description="Everyone listed gets a registration, or nobody does; the errors of all "
        "people come at once under people. Each person needs an account. The custom "
        "questions are not asked.",
        request=GroupSerializer,
        responses={201: GroupResultSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        coordinator = request.user
        if data.get("coordinator"):
            coordinator = get_user_model().objects.filter(email__iexact=data["coordinator"]).first()
            if coordinator is None:
                raise ValidationError({"coordinator": _("No account has this e-mail address.")})
        group = services.register_group(
            self.activity,
            coordinator=coordinator,
            name=data["name"],
            people=self._people(data["people"]),
            by=request.user,
        )
        group = RegistrationGroup.objects.select_related("coordinator").get(pk=group.pk)
        result = {
            "id": group.pk,
            "name": group.name,
            "coordinator": group.coordinator,
            "registrations": list(registrations_of(self.activity).filter(group=group)),
        }
        return Response(
            GroupResultSerializer(result, context=self.ctx()).data, status=status.HTTP_201_CREATED
        )


# --- staff: set-up ------------------------------------------------------------------------------


@extend_schema(tags=["registration set-up"])
class SetupDetail(_StaffView):
    serializer_class = SetupSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def shown(self, found: RegistrationSetup) -> Response:
        return Response(SetupSerializer(found, context=self.ctx()).data)

    @extend_schema(
        summary="How the activity takes registrations",
        description="404 until registration is set up.",
    )
    def get(self, request, *args, **kwargs) -> Response:
        return self.shown(self.setup_or_404())

    @extend_schema(
        summary="Set up or change how the activity takes registrations",
        description="The first call sets registration up. Seats in all cannot go below the "
        "seats already taken.",
        request=SetupSerializer,
        responses={200: SetupSerializer},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        return self.shown(
            setup.save_setup(self.activity, by=request.user, **serializer.validated_data)
        )


def _types(activity) -> QuerySet[RegistrationType]:
    return RegistrationType.objects.filter(activity=activity).prefetch_related("prices")


class _TypeView(_StaffView):
    serializer_class = TypeSerializer

    def reg_type(self) -> RegistrationType:
        found = get_object_or_404(_types(self.activity), pk=self.kwargs["type"])
        found.activity = self.activity
        return found

    def shown(self, reg_type: RegistrationType, code: int = status.HTTP_200_OK) -> Response:
        reg_type = _types(self.activity).get(pk=reg_type.pk)
        reg_type.seats_left = services.seats_left(self.activity, reg_type)
        return Response(TypeSerializer(reg_type, context=self.ctx()).data, status=code)


@extend_schema(tags=["registration set-up"])
class TypeList(_TypeView):
    pagination_class = None  # a handful per activity: one page

    @extend_schema(
        summary="List registration types, closed ones too, with prices and seats left",
        responses={200: TypeSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        rows = list(_types(self.activity))
        for reg_type in rows:
            reg_type.activity = self.activity
            reg_type.seats_left = services.seats_left(self.activity, reg_type)
        return Response(TypeSerializer(rows, many=True, context=self.ctx()).data)

    @extend_schema(
        summary="Add a registration type",
        request=TypeSerializer,
        responses={201: TypeSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reg_type = setup.create_type(self.activity, by=request.user, **serializer.validated_data)
        return self.shown(reg_type, status.HTTP_201_CREATED)


@extend_schema(tags=["registration set-up"], parameters=[TYPE])
class TypeDetail(_TypeView):
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(summary="Read a registration type")
    def get(self, request, *args, **kwargs) -> Response:
        return self.shown(self.reg_type())

    @extend_schema(
        summary="Change a registration type",
        description="Its seats cannot go below the seats of this type already taken.",
        request=TypeSerializer,
        responses={200: TypeSerializer},
    )
    def patch(self, request, *args, **kwargs) -> Response:
        reg_type = self.reg_type()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        setup.update_type(reg_type, by=request.user, **serializer.validated_data)
        return self.shown(reg_type)

    @extend_schema(
        summary="Remove a registration type nobody registered with",
        description="A type with registrations stays: close it for registration instead "
        "(is_active false).",
        request=None,
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        setup.remove_type(self.reg_type(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["registration set-up"], parameters=[TYPE])
class TierList(_TypeView):
    serializer_class = PriceTierSerializer

    @extend_schema(
        summary="Add a price to a registration type",
        description="An early-bird price until a date, or the price without a date (one per "
        "type) that applies once the dated ones have passed.",
        request=PriceTierSerializer,
        responses={201: TypeSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        reg_type = self.reg_type()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        setup.add_tier(reg_type, by=request.user, **serializer.validated_data)
        return self.shown(reg_type, status.HTTP_201_CREATED)


@extend_schema(tags=["registration set-up"], parameters=[TYPE, TIER])
class TierDetail(_TypeView):
    serializer_class = PriceTierSerializer
    http_method_names = ["delete", "options"]

    @extend_schema(
        summary="Remove a price",
        description="Registrations keep the price they were given.",
        request=None,
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        tier = get_object_or_404(
            PriceTier.objects.select_related("registration_type"),
            pk=self.kwargs["tier"],
            registration_type=self.reg_type(),
        )
        tier.registration_type.activity = self.activity
        setup.remove_tier(tier, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _promos(activity) -> QuerySet[PromoCode]:
    live = ~Q(registrations__status=RegistrationStatus.CANCELLED)
    return (
        PromoCode.objects.filter(activity=activity)
        .prefetch_related("registration_types")
        .annotate(used=Count("registrations", filter=live))
        .order_by("code")
    )


class _PromoView(_StaffView):
    serializer_class = PromoSerializer

    def promo(self) -> PromoCode:
        found = get_object_or_404(_promos(self.activity), pk=self.kwargs["promo"])
        found.activity = self.activity
        return found

    def shown(self, promo: PromoCode, code: int = status.HTTP_200_OK) -> Response:
        promo = _promos(self.activity).get(pk=promo.pk)
        return Response(PromoSerializer(promo, context=self.ctx()).data, status=code)


@extend_schema(tags=["registration set-up"])
class PromoList(_PromoView):
    pagination_class = None  # a handful per activity: one page

    @extend_schema(
        summary="List promo codes, with how often each was used",
        responses={200: PromoSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        rows = _promos(self.activity)
        return Response(PromoSerializer(rows, many=True, context=self.ctx()).data)

    @extend_schema(
        summary="Add a promo code", request=PromoSerializer, responses={201: PromoSerializer}
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        promo = setup.create_promo(self.activity, by=request.user, **serializer.validated_data)
        return self.shown(promo, status.HTTP_201_CREATED)


@extend_schema(tags=["registration set-up"], parameters=[PROMO])
class PromoDetail(_PromoView):
    http_method_names = ["get", "patch", "delete", "head", "options"]

    @extend_schema(summary="Read a promo code")
    def get(self, request, *args, **kwargs) -> Response:
        return self.shown(self.promo())

    @extend_schema(
        summary="Change a promo code", request=PromoSerializer, responses={200: PromoSerializer}
    )
    def patch(self, request, *args, **kwargs) -> Response:
        promo = self.promo()
        serializer = self.get_serializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        setup.update_promo(promo, by=request.user, **serializer.validated_data)
        return self.shown(promo)

    @extend_schema(
        summary="Remove a promo code nobody used",
        description="A used code stays, as the record of the discounts given: deactivate it "
        "instead (is_active false).",
        request=None,
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        setup.remove_promo(self.promo(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _QuestionView(_StaffView):
    serializer_class = QuestionSerializer


@extend_schema(tags=["registration set-up"])
class QuestionList(_QuestionView):
    pagination_class = None  # a handful per activity: one page

    @extend_schema(
        summary="List the questions of the registration form, in the order asked",
        responses={200: QuestionSerializer(many=True)},
    )
    def get(self, request, *args, **kwargs) -> Response:
        rows = Question.objects.filter(activity=self.activity)
        return Response(QuestionSerializer(rows, many=True).data)

    @extend_schema(
        summary="Add a question, asked last",
        request=QuestionWriteSerializer,
        responses={201: QuestionSerializer},
    )
    def post(self, request, *args, **kwargs) -> Response:
        serializer = QuestionWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        question = setup.add_question(self.activity, by=request.user, **serializer.validated_data)
        return Response(QuestionSerializer(question).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["registration set-up"], parameters=[QUESTION])
class QuestionDetail(_QuestionView):
    http_method_names = ["get", "delete", "head", "options"]

    def question(self) -> Question:
        found = get_object_or_404(Question, activity=self.activity, pk=self.kwargs["question"])
        found.activity = self.activity
        return found

    @extend_schema(summary="Read a question")
    def get(self, request, *args, **kwargs) -> Response:
        return Response(QuestionSerializer(self.question()).data)

    @extend_schema(
        summary="Stop asking a question",
        description="Answers already given stay on the registrations.",
        request=None,
        responses={204: None},
    )
    def delete(self, request, *args, **kwargs) -> Response:
        setup.remove_question(self.question(), by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
