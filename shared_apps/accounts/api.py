"""Account API on the mall host: register, SMS codes, sign in/out, tokens, password reset."""

from django.contrib.auth import authenticate, login, logout
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import permissions, serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.authtoken.models import Token
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.api.errors import ServiceError
from backend.lib.ip import client_ip

from . import services
from .forms import PasswordResetForm
from .models import SmsPurpose
from .views import locked_out_message

BACKEND = "shared_apps.accounts.backends.IdentifierBackend"


class UserOut(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField(allow_null=True)
    display_name = serializers.CharField()
    masked_phone = serializers.CharField()
    operator_role = serializers.CharField()


def user_out(user) -> dict:
    return UserOut(user).data


class PublicView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"


class SessionOpeningView(PublicView):
    """An anonymous endpoint that signs the caller in with a session cookie.

    DRF checks CSRF only for requests already authenticated by a session, so without this a
    page on another site could post a form here and sign the visitor in as someone else (login
    CSRF). These endpoints therefore check CSRF (token and exact origin) like every session
    call; clients without a browser use the token endpoint, which opens no session.
    """

    def initial(self, request, *args, **kwargs):
        SessionAuthentication().enforce_csrf(request)
        super().initial(request, *args, **kwargs)


class RegisterEmailApi(SessionOpeningView):
    class Input(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        password = serializers.CharField(max_length=128)
        display_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)

    @extend_schema(request=Input, responses={201: UserOut}, tags=["accounts"], summary="Register with e-mail")
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_register_email(**data.validated_data)
        login(request._request, user, backend=BACKEND)
        return Response(user_out(user), status=status.HTTP_201_CREATED)


class SmsSendApi(PublicView):
    throttle_scope = "sms"

    class Input(serializers.Serializer):
        phone = serializers.CharField(max_length=20)
        purpose = serializers.ChoiceField(choices=[SmsPurpose.REGISTER, SmsPurpose.RESET])

    @extend_schema(request=Input, responses={202: None}, tags=["accounts"],
                   summary="Send an SMS verification code",
                   description="One per phone per minute, five per hour. For `reset` the answer is the "
                               "same whether or not the number is registered.")
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        ip = client_ip(request._request)
        try:
            if data.validated_data["purpose"] == SmsPurpose.RESET:
                services.sms_reset_code_send(phone=data.validated_data["phone"], ip=ip)
            else:
                services.sms_code_send(phone=data.validated_data["phone"], purpose=SmsPurpose.REGISTER, ip=ip)
        except serializers.DjangoValidationError as exc:
            raise ServiceError(exc.messages[0], fields={"phone": exc.messages}) from exc
        return Response(status=status.HTTP_202_ACCEPTED)


class RegisterPhoneApi(SessionOpeningView):
    class Input(serializers.Serializer):
        phone = serializers.CharField(max_length=20)
        code = serializers.CharField(max_length=6)
        password = serializers.CharField(max_length=128)
        display_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)

    @extend_schema(request=Input, responses={201: UserOut}, tags=["accounts"], summary="Register with a phone number")
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            user = services.user_register_phone(**data.validated_data)
        except serializers.DjangoValidationError as exc:
            raise ServiceError(exc.messages[0], fields={"phone": exc.messages}) from exc
        login(request._request, user, backend=BACKEND)
        return Response(user_out(user), status=status.HTTP_201_CREATED)


class Credentials(serializers.Serializer):
    identifier = serializers.CharField(max_length=254, help_text="E-mail address or mobile number")
    password = serializers.CharField(max_length=128)


def _authenticate(request, data) -> object:
    credentials = Credentials(data=data)
    credentials.is_valid(raise_exception=True)
    user = authenticate(request._request, username=credentials.validated_data["identifier"],
                        password=credentials.validated_data["password"])
    if user is None:
        if getattr(request._request, "axes_locked_out", False):
            # AxesMiddleware answers with lockout_response anyway; this keeps the view honest.
            raise ServiceError(locked_out_message(), code="locked_out", status_code=429)
        raise ServiceError(_("The e-mail/phone or password is wrong."), code="bad_credentials",
                           status_code=401)
    return user


class LoginApi(SessionOpeningView):
    @extend_schema(request=Credentials, responses={200: UserOut}, tags=["accounts"],
                   summary="Sign in (session)",
                   description="Failed attempts are counted per identifier and IP; after five, "
                               "sign-in is locked for AXES_COOLOFF_MINUTES (15 by default) with the "
                               "same answer whether or not the account exists. Needs the CSRF token "
                               "(X-CSRFToken header) like every session call.")
    def post(self, request):
        user = _authenticate(request, request.data)
        login(request._request, user, backend=BACKEND)
        return Response(user_out(user))


class TokenApi(PublicView):
    @extend_schema(request=Credentials, responses={200: inline_serializer("TokenOut", {"token": serializers.CharField()})},
                   tags=["accounts"], summary="Get an API token")
    def post(self, request):
        user = _authenticate(request, request.data)
        token, _created = Token.objects.get_or_create(user=user)
        return Response({"token": token.key})


class LogoutApi(APIView):
    @extend_schema(request=None, responses={204: None}, tags=["accounts"], summary="Sign out")
    def post(self, request):
        logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeApi(APIView):
    @extend_schema(responses={200: UserOut}, tags=["accounts"], summary="The signed-in account")
    def get(self, request):
        return Response(user_out(request.user))


class PasswordResetApi(PublicView):
    class Input(serializers.Serializer):
        email = serializers.EmailField(max_length=254)

    @extend_schema(request=Input, responses={202: None}, tags=["accounts"], summary="Mail a password reset link",
                   description="Answers 202 whether or not an account uses the address; the mail "
                               "leaves from a background task.")
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        form = PasswordResetForm(data={"email": data.validated_data["email"]})
        if form.is_valid():
            form.save(request=request._request, email_template_name="accounts/mail/password_reset.txt",
                      subject_template_name="accounts/mail/password_reset_subject.txt",
                      use_https=request.is_secure())
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetSmsApi(PublicView):
    class Input(serializers.Serializer):
        phone = serializers.CharField(max_length=20)
        code = serializers.CharField(max_length=6)
        new_password = serializers.CharField(max_length=128)

    @extend_schema(request=Input, responses={204: None}, tags=["accounts"], summary="Reset a password with an SMS code")
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.password_reset_by_sms(**data.validated_data)
        except serializers.DjangoValidationError as exc:
            raise ServiceError(exc.messages[0], fields={"phone": exc.messages}) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


class HandoffApi(APIView):
    class Input(serializers.Serializer):
        target = serializers.URLField(max_length=500, help_text="Absolute URL on a mall host")

    @extend_schema(request=Input, responses={200: inline_serializer("HandoffOut", {"url": serializers.URLField()})},
                   tags=["accounts"], summary="One-time sign-in link to another mall host",
                   description="Session cookies are host-only; open the returned URL (valid 60 s, single use) "
                               "to be signed in on the target host.")
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        return Response({"url": services.handoff_issue(user=request.user, target_url=data.validated_data["target"])})
