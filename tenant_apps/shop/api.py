"""The shop API at /api/v1/shop/ on the shop's own host: profile, staff, invitations, settlement
bank account, API tokens, and the caller's own staff record.

One view per operation (a path with several methods holds one per method). Every view needs a
signed-in caller with a staff record in this shop whose role opens the view's section, or a shop
API token whose scopes open it (`access.IsShopStaff`); the services check the rules again and
their refusals become the one error body.
"""

from typing import ClassVar

from django.utils import timezone
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    inline_serializer,
)
from rest_framework import serializers, status
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from backend.api.pagination import page_schema, paginated_response
from backend.lib.ip import client_ip
from backend.views import media_url
from shared_apps.onboarding.interface import request_bank_account_change, settlement_accounts

from . import permissions, selectors, services
from .access import IsShopStaff, OnShopHost
from .auth import ShopTokenAuthentication
from .models import ApiTokenScope, StaffRole

TAGS = ["shop"]


class ShopApiView(APIView):
    """Base for the shop API: `section` (or `sections` per method) names the console section
    the caller's role must open (see permissions.SECTIONS), or a shop API token's scopes
    (permissions.TOKEN_SCOPES). `token_access = False` refuses tokens whatever their scopes."""

    permission_classes: ClassVar[list] = [IsAuthenticated, IsShopStaff]
    section = "dashboard"
    sections: ClassVar[dict[str, str]] = {}
    token_access = True

    def section_for(self, method: str) -> str:
        return self.sections.get(method, self.section)

    def service_kwargs(self) -> dict:
        request = self.request
        return {
            "shop": request.tenant,
            "member": request.staff_member,
            "actor": request.user,
            "ip": client_ip(request),
        }

    def page(self, queryset, serializer_class) -> Response:
        return paginated_response(self, self.request, queryset, serializer_class)


@extend_schema_serializer(component_name="ShopStaffMember")
class StaffMemberOut(serializers.Serializer):
    id = serializers.IntegerField()
    user_id = serializers.IntegerField()
    email = serializers.EmailField()
    display_name = serializers.CharField()
    role = serializers.ChoiceField(choices=StaffRole.choices)
    joined_at = serializers.DateTimeField()


@extend_schema_serializer(component_name="ShopStaffInvitation")
class InvitationOut(serializers.Serializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=StaffRole.choices)
    created_at = serializers.DateTimeField()
    expires_at = serializers.DateTimeField()


# --- profile -----------------------------------------------------------------------------------


class ProfileApi(ShopApiView):
    """Anyone on the staff reads the profile (the storefront shows it anyway); settings edit it."""

    sections: ClassVar[dict[str, str]] = {"GET": "dashboard", "PATCH": "settings"}

    @extend_schema_serializer(component_name="ShopProfile")
    class Output(serializers.Serializer):
        name = serializers.CharField()
        description = serializers.CharField()
        logo_url = serializers.CharField(help_text="Empty when the shop has no logo.")
        updated_at = serializers.DateTimeField()

    @extend_schema_serializer(component_name="ShopProfileUpdate")
    class Input(serializers.Serializer):
        name = serializers.CharField(
            required=False, allow_blank=True, help_text="2 to 60 characters."
        )
        description = serializers.CharField(
            required=False, allow_blank=True, help_text="At most 2,000 characters."
        )
        logo = serializers.FileField(
            required=False,
            help_text="PNG, JPEG or WebP; at most 2 MB; sides ≥ 32 px. "
            "Send as multipart/form-data.",
        )
        remove_logo = serializers.BooleanField(required=False, default=False)

    @staticmethod
    def output(profile) -> dict:
        return ProfileApi.Output(
            {
                "name": profile.name,
                "description": profile.description,
                "logo_url": media_url(profile.logo.name),
                "updated_at": profile.updated_at,
            }
        ).data

    @extend_schema(tags=TAGS, summary="Read the shop's profile", responses={200: Output})
    def get(self, request):
        return Response(self.output(selectors.profile()))

    @extend_schema(
        tags=TAGS,
        summary="Change the shop's name, description or logo",
        description="Renaming the shop also renames it across the mall.",
        request={"multipart/form-data": Input, "application/json": Input},
        responses={200: Output},
    )
    def patch(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        profile = services.profile_update(
            **self.service_kwargs(),
            data={key: values[key] for key in ("name", "description") if key in values},
            logo=values.get("logo"),
            remove_logo=values.get("remove_logo", False),
        )
        return Response(self.output(profile))


class OrderSettingsApi(ShopApiView):
    """Anyone on the staff reads the order settings; settings (owner, manager) change them."""

    sections: ClassVar[dict[str, str]] = {"GET": "dashboard", "PATCH": "settings"}

    @extend_schema_serializer(component_name="ShopOrderSettings")
    class Output(serializers.Serializer):
        payment_minutes = serializers.IntegerField(help_text="Minutes a shopper has to pay (5–1440).")
        confirm_orders = serializers.BooleanField(help_text="Paid orders wait for the shop's confirmation.")
        auto_complete_days = serializers.IntegerField(help_text="Days after delivery an order completes (1–30).")
        after_sales_days = serializers.IntegerField(
            help_text="Days after delivery the buyer may ask for after-sales (7–90); the shop is settled "
            "for an order only after they passed.")

    @extend_schema_serializer(component_name="ShopOrderSettingsUpdate")
    class Input(serializers.Serializer):
        payment_minutes = serializers.IntegerField(required=False)
        confirm_orders = serializers.BooleanField(required=False)
        auto_complete_days = serializers.IntegerField(required=False)
        after_sales_days = serializers.IntegerField(required=False)

    @staticmethod
    def output(profile) -> dict:
        return OrderSettingsApi.Output(profile).data

    @extend_schema(tags=TAGS, summary="Read the shop's order settings", operation_id="shop_order_settings_get",
                   responses={200: Output})
    def get(self, request):
        return Response(self.output(selectors.profile()))

    @extend_schema(tags=TAGS, summary="Change the shop's order settings", operation_id="shop_order_settings_update",
                   description="New orders take the new settings; placed orders keep theirs. 400 names a value "
                   "out of range.", request=Input, responses={200: Output})
    def patch(self, request):
        data = request.data if isinstance(request.data, dict) else {}
        values = {key: data[key] for key in self.Input().fields if key in data}
        return Response(self.output(services.order_settings_update(**self.service_kwargs(), data=values)))


# --- staff -------------------------------------------------------------------------------------


class StaffListApi(ShopApiView):
    section = "staff"

    @extend_schema(
        tags=TAGS,
        summary="List the shop's staff",
        operation_id="shop_staff_list",
        responses={200: page_schema("PaginatedShopStaffList", StaffMemberOut)},
    )
    def get(self, request):
        return self.page(selectors.staff_list(), StaffMemberOut)


class StaffDetailApi(ShopApiView):
    section = "staff"

    @extend_schema_serializer(component_name="ShopStaffRoleChange")
    class Input(serializers.Serializer):
        role = serializers.ChoiceField(choices=StaffRole.choices)

    @extend_schema(
        tags=TAGS,
        summary="Change a staff member's role",
        description="Owners grant manager and below; managers grant the roles below manager. "
        "The owner's role never changes here.",
        request=Input,
        responses={200: StaffMemberOut},
    )
    def patch(self, request, member_id: int):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        target = services.staff_change_role(
            **self.service_kwargs(), member_id=member_id, role=data.validated_data["role"]
        )
        return Response(StaffMemberOut(target).data)

    @extend_schema(tags=TAGS, summary="Remove a staff member", responses={204: None})
    def delete(self, request, member_id: int):
        services.staff_remove(**self.service_kwargs(), member_id=member_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- invitations -------------------------------------------------------------------------------


class InvitationListApi(ShopApiView):
    section = "staff"

    @extend_schema_serializer(component_name="ShopStaffInvite")
    class Input(serializers.Serializer):
        email = serializers.EmailField(max_length=254)
        role = serializers.ChoiceField(choices=StaffRole.choices)

    @extend_schema(
        tags=TAGS,
        summary="List open invitations",
        operation_id="shop_invitations_list",
        responses={200: page_schema("PaginatedShopStaffInvitationList", InvitationOut)},
    )
    def get(self, request):
        return self.page(selectors.open_invitations(), InvitationOut)

    @extend_schema(
        tags=TAGS,
        summary="Invite a person to the staff by e-mail",
        description="Sends a mail with a single-use link valid for seven days. 409 when the "
        "address is already on the staff or already invited.",
        request=Input,
        responses={201: InvitationOut},
    )
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.staff_invite(**self.service_kwargs(), **data.validated_data)
        return Response(InvitationOut(invitation).data, status=status.HTTP_201_CREATED)


class InvitationDetailApi(ShopApiView):
    section = "staff"

    @extend_schema(tags=TAGS, summary="Revoke an open invitation", responses={204: None})
    def delete(self, request, invitation_id: int):
        services.invitation_revoke(**self.service_kwargs(), invitation_id=invitation_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InvitationAcceptApi(APIView):
    """The invited person is not on the staff yet: a sign-in on this host is all it takes."""

    permission_classes: ClassVar[list] = [IsAuthenticated, OnShopHost]

    @extend_schema_serializer(component_name="ShopInvitationAccept")
    class Input(serializers.Serializer):
        token = serializers.CharField(max_length=200)

    @extend_schema(
        tags=TAGS,
        summary="Accept an invitation (join the staff)",
        description="The caller must be signed in with the invited e-mail address (403 otherwise).",
        request=Input,
        responses={200: StaffMemberOut},
    )
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        member = services.invitation_accept(
            shop=request.tenant,
            user=request.user,
            token=data.validated_data["token"],
            ip=client_ip(request),
        )
        return Response(StaffMemberOut(member).data)


# --- API tokens --------------------------------------------------------------------------------

TOKEN_TAGS = ["api-tokens"]


@extend_schema_serializer(component_name="ShopApiToken")
class ApiTokenOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    prefix = serializers.CharField(help_text="The first characters of the secret, to tell tokens apart.")
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=ApiTokenScope.choices))
    status = serializers.SerializerMethodField(help_text="One of: active, expired, revoked.")
    created_by_user_id = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(
        allow_null=True, help_text="Updated at most once a minute."
    )
    expires_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.CharField())
    def get_status(self, token) -> str:
        return token.state(timezone.now())


@extend_schema_serializer(component_name="ShopApiTokenCreated")
class ApiTokenCreatedOut(ApiTokenOut):
    token = serializers.CharField(
        help_text="The secret, shown this once: only its hash is stored. Send it as "
        "`Authorization: Bearer <token>` on this shop's host."
    )


class ApiTokenApiView(ShopApiView):
    """Tokens are managed by a person signed in to the console (a session), never by a token:
    a token cannot make or revoke tokens. The token authenticator stays in the list only to
    answer a token with a clear 403 instead of 'not signed in'."""

    authentication_classes: ClassVar[list] = [ShopTokenAuthentication, SessionAuthentication]
    section = permissions.TOKENS_SECTION
    token_access = False


class ApiTokenListApi(ApiTokenApiView):
    @extend_schema_serializer(component_name="ShopApiTokenCreate")
    class Input(serializers.Serializer):
        name = serializers.CharField(
            max_length=60, help_text="What uses the token, e.g. “ERP sync”. 1 to 60 characters."
        )
        scopes = serializers.MultipleChoiceField(choices=ApiTokenScope.choices, allow_empty=False)
        expires_at = serializers.DateTimeField(
            required=False, allow_null=True, help_text="Optional; must be in the future."
        )

    @extend_schema(
        tags=TOKEN_TAGS,
        summary="List the shop's API tokens",
        description="Newest first, revoked and expired ones included. Owner and managers only; "
        "needs a signed-in session (an API token cannot list tokens).",
        operation_id="shop_api_tokens_list",
        responses={200: page_schema("PaginatedShopApiTokenList", ApiTokenOut)},
    )
    def get(self, request):
        return self.page(selectors.api_tokens(), ApiTokenOut)

    @extend_schema(
        tags=TOKEN_TAGS,
        summary="Make an API token for an ERP or another program",
        description="The response carries the secret (`token`) this once; only its hash is "
        "stored. Owner and managers only; needs a signed-in session. 409 when the shop already "
        "has 20 active tokens.",
        request=Input,
        responses={201: ApiTokenCreatedOut},
    )
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        values = data.validated_data
        issued = services.api_token_create(
            **self.service_kwargs(),
            name=values["name"],
            scopes=sorted(values["scopes"]),
            expires_at=values.get("expires_at"),
        )
        body = {**ApiTokenOut(issued.token).data, "token": issued.secret}
        response = Response(body, status=status.HTTP_201_CREATED)
        response["Cache-Control"] = "no-store"
        return response


class ApiTokenDetailApi(ApiTokenApiView):
    @extend_schema(
        tags=TOKEN_TAGS,
        summary="Revoke an API token",
        description="The token is refused from its next request on. 409 when already revoked.",
        responses={204: None},
    )
    def delete(self, request, token_id: int):
        services.api_token_revoke(**self.service_kwargs(), token_id=token_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- settlement bank account -------------------------------------------------------------------


@extend_schema_serializer(component_name="ShopSettlementAccount")
class BankAccountOut(serializers.Serializer):
    status = serializers.CharField()
    bank_name = serializers.CharField()
    bank_branch = serializers.CharField()
    account_name = serializers.CharField()
    account_number_masked = serializers.CharField()
    requested_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)


class BankAccountApi(ShopApiView):
    section = "bank_account"

    @extend_schema_serializer(component_name="ShopSettlementAccounts")
    class Output(serializers.Serializer):
        company_name = serializers.CharField(help_text="A new account's name must equal this.")
        active = BankAccountOut(allow_null=True)
        pending = BankAccountOut(
            allow_null=True, help_text="A change waiting for an operator's review."
        )
        payouts_paused = serializers.BooleanField(help_text="True while a change waits for review.")

    @extend_schema(tags=TAGS, summary="Read the settlement bank account", responses={200: Output})
    def get(self, request):
        active, pending = settlement_accounts(shop_id=request.tenant.pk)
        return Response(
            self.Output(
                {
                    "company_name": request.tenant.company_name,
                    "active": active,
                    "pending": pending,
                    "payouts_paused": pending is not None,
                }
            ).data
        )


class BankAccountChangeApi(ShopApiView):
    section = "bank_account"

    @extend_schema_serializer(component_name="ShopSettlementAccountChange")
    class Input(serializers.Serializer):
        bank_name = serializers.CharField(max_length=60)
        bank_branch = serializers.CharField(
            max_length=100, required=False, allow_blank=True, default=""
        )
        account_name = serializers.CharField(max_length=120)
        account_number = serializers.CharField(max_length=40)

    @extend_schema(
        tags=TAGS,
        summary="Ask to be paid into another bank account",
        description="The change waits for an operator's review; payouts pause until it is "
        "approved. 409 while another change is waiting.",
        request=Input,
        responses={201: BankAccountOut},
    )
    def post(self, request):
        data = self.Input(data=request.data)
        data.is_valid(raise_exception=True)
        pending = request_bank_account_change(
            shop_id=request.tenant.pk, actor=request.user, ip=client_ip(request), **data.validated_data
        )
        return Response(BankAccountOut(pending).data, status=status.HTTP_201_CREATED)


# --- me ----------------------------------------------------------------------------------------


class MeApi(ShopApiView):
    section = "dashboard"

    @extend_schema_serializer(component_name="ShopMe")
    class Output(serializers.Serializer):
        id = serializers.IntegerField()
        user_id = serializers.IntegerField()
        email = serializers.EmailField()
        display_name = serializers.CharField()
        role = serializers.ChoiceField(choices=StaffRole.choices)
        sections = serializers.ListField(child=serializers.CharField())
        shop = inline_serializer(
            name="ShopMeShop",
            fields={
                "id": serializers.IntegerField(),
                "subdomain": serializers.CharField(),
                "name": serializers.CharField(),
                "status": serializers.CharField(),
                "read_only": serializers.BooleanField(),
            },
        )

    @extend_schema(
        tags=TAGS,
        summary="My staff record in this shop and the sections my role opens",
        responses={200: Output},
    )
    def get(self, request):
        member, shop = request.staff_member, request.tenant
        return Response(
            self.Output(
                {
                    "id": member.pk,
                    "user_id": member.user_id,
                    "email": member.email,
                    "display_name": member.display_name,
                    "role": member.role,
                    "sections": permissions.sections_for(member.role),
                    "shop": {
                        "id": shop.pk,
                        "subdomain": shop.subdomain,
                        "name": shop.name,
                        "status": shop.status,
                        "read_only": shop.is_read_only,
                    },
                }
            ).data
        )
