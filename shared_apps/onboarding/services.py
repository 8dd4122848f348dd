"""Writes for merchant onboarding: drafting, submitting, reviewing, approving an application,
and changing a shop's settlement bank account afterwards."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backend.api.errors import Conflict, NotFound, ServiceError, field_error
from backend.lib import hosts, pii
from backend.lib.mail import send_after_commit
from backend.lib.uploads import DOCUMENT_TYPES, check_upload
from backend.lib.validators import normalize_credit_code, normalize_phone, normalize_subdomain
from shared_apps.accounts import roles
from shared_apps.audit.services import audit_record
from shared_apps.taxonomy.selectors import business_categories
from tenants import services as shop_services
from tenants.models import Shop

from .models import (
    ApplicationDocument,
    ApplicationTransition,
    BankAccountStatus,
    DocumentKind,
    SettlementBankAccount,
    ShopApplication,
)
from .models import (
    ApplicationStatus as S,
)
from .transitions import IN_REVIEW, can_move

TEXT_FIELDS = {
    "shop_name": 60, "company_name": 120, "contact_name": 60,
    "bank_name": 60, "bank_branch": 100, "bank_account_name": 120,
}
MAX_DOCUMENTS = 10



def subdomain_taken(subdomain: str, *, exclude_application_id: int | None = None) -> bool:
    """Held by a shop, or by another application that is waiting for review."""
    if Shop.objects.filter(subdomain__iexact=subdomain).exists():
        return True
    others = ShopApplication.objects.filter(subdomain__iexact=subdomain, status__in=IN_REVIEW)
    if exclude_application_id:
        others = others.exclude(pk=exclude_application_id)
    return others.exists()


def _clean_bank_number(value: str, *, field: str = "bank_account_number") -> str:
    digits = "".join(ch for ch in str(value) if not ch.isspace())
    if not digits.isdigit() or not 8 <= len(digits) <= 30:
        raise field_error(field, _("A bank account number has 8 to 30 digits."))
    return digits


def _locked(application_id: int) -> ShopApplication:
    try:
        return ShopApplication.objects.select_for_update().get(pk=application_id)
    except ShopApplication.DoesNotExist as exc:
        raise NotFound(_("No such application.")) from exc


def _own_editable(application_id: int, actor) -> ShopApplication:
    application = _locked(application_id)
    if application.applicant_id != actor.pk:
        raise NotFound(_("No such application."))
    if not application.is_editable:
        raise Conflict(
            _("An application that is %(status)s cannot be changed.") % {"status": application.get_status_display()},
            code="not_editable",
        )
    return application


@transaction.atomic
def application_create(*, applicant) -> ShopApplication:
    return ShopApplication.objects.create(applicant=applicant)


@transaction.atomic
def application_update(*, application_id: int, actor, data: dict) -> ShopApplication:
    """Change the fields given in `data` of a draft or rejected application; each is validated
    and the first bad one is named in the error. Nothing is saved unless all are valid."""
    application = _own_editable(application_id, actor)
    update = []
    for field, limit in TEXT_FIELDS.items():
        if field in data:
            value = str(data[field] or "").strip()
            if len(value) > limit:
                raise field_error(field, _("At most %(n)d characters.") % {"n": limit})
            setattr(application, field, value)
            update.append(field)
    if "subdomain" in data:
        try:
            subdomain = normalize_subdomain(str(data["subdomain"] or ""))
        except ValidationError as exc:
            raise field_error("subdomain", exc.messages[0]) from exc
        if subdomain_taken(subdomain, exclude_application_id=application.pk):
            raise Conflict(_("This subdomain is already taken."), code="subdomain_taken",
                           fields={"subdomain": [_("Already taken.")]})
        application.subdomain = subdomain
        update.append("subdomain")
    if "credit_code" in data:
        try:
            application.credit_code = normalize_credit_code(str(data["credit_code"] or ""))
        except ValidationError as exc:
            raise field_error("credit_code", exc.messages[0]) from exc
        update.append("credit_code")
    if "contact_phone" in data:
        try:
            phone = normalize_phone(str(data["contact_phone"] or ""))
        except ValidationError as exc:
            raise field_error("contact_phone", exc.messages[0]) from exc
        application.contact_phone_encrypted = pii.encrypt(phone)
        update.append("contact_phone_encrypted")
    if "bank_account_number" in data:
        number = _clean_bank_number(data["bank_account_number"] or "")
        application.bank_account_number_encrypted = pii.encrypt(number)
        application.bank_account_last4 = number[-4:]
        update += ["bank_account_number_encrypted", "bank_account_last4"]
    categories = None
    if "category_ids" in data:
        try:
            wanted = {int(pk) for pk in (data["category_ids"] or [])}
        except (TypeError, ValueError) as exc:
            raise field_error("category_ids", _("Give a list of category ids.")) from exc
        categories = list(business_categories().filter(pk__in=wanted))
        if len(categories) != len(wanted):
            missing = sorted(wanted - {c.pk for c in categories})
            raise field_error("category_ids", _("Unknown business categories: %(ids)s") % {"ids": missing})
    if update:
        application.save(update_fields=update + ["updated_at"])
    if categories is not None:
        application.categories.set(categories)
    return application


@transaction.atomic
def document_add(*, application_id: int, actor, kind: str, upload) -> ApplicationDocument:
    """Attach a qualification document after checking its real type (JPEG/PNG/WebP/PDF) and size."""
    application = _own_editable(application_id, actor)
    if kind not in DocumentKind.values:
        raise field_error("kind", _("Choose one of: %(kinds)s") % {"kinds": ", ".join(DocumentKind.values)})
    if application.documents.count() >= MAX_DOCUMENTS:
        raise field_error("file", _("At most %(n)d documents per application.") % {"n": MAX_DOCUMENTS})
    try:
        content_type = check_upload(upload, allowed=DOCUMENT_TYPES, max_bytes=settings.QUALIFICATION_MAX_BYTES)
    except ValidationError as exc:
        raise field_error("file", exc.messages[0]) from exc
    document = ApplicationDocument(
        application=application, kind=kind, content_type=content_type, size=upload.size,
        original_name=(getattr(upload, "name", "") or "document")[-200:],
    )
    document.file.save(document.original_name, upload, save=False)
    try:
        document.save()
    except Exception:
        document.file.storage.delete(document.file.name)  # no row, so no file either
        raise
    return document


@transaction.atomic
def document_remove(*, application_id: int, document_id: int, actor) -> None:
    application = _own_editable(application_id, actor)
    document = application.documents.filter(pk=document_id).first()
    if document is None:
        raise NotFound(_("No such document."))
    name, storage = document.file.name, document.file.storage
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))


def _missing(application: ShopApplication) -> dict[str, list[str]]:
    required = ["shop_name", "subdomain", "company_name", "credit_code", "contact_name",
                "contact_phone_encrypted", "bank_name", "bank_account_name", "bank_account_number_encrypted"]
    missing = {f.replace("_encrypted", ""): [_("Required.")] for f in required if not getattr(application, f)}
    if not application.categories.exists():
        missing["category_ids"] = [_("Choose at least one business category.")]
    if not application.documents.filter(kind=DocumentKind.BUSINESS_LICENCE).exists():
        missing["documents"] = [_("Upload the business licence.")]
    if application.bank_account_name and application.company_name and \
            application.bank_account_name.strip() != application.company_name.strip():
        missing["bank_account_name"] = [_("The account name must equal the company name.")]
    return missing


def _move(application: ShopApplication, to_status: str, *, actor, reason: str = "", ip=None) -> None:
    if not can_move(application.status, to_status):
        raise Conflict(
            _("An application that is %(status)s cannot become %(to)s.")
            % {"status": application.get_status_display(), "to": S(to_status).label},
            code="illegal_transition",
        )
    from_status = application.status
    application.status = to_status
    ApplicationTransition.objects.create(
        application=application, from_status=from_status, to_status=to_status, actor=actor, reason=reason
    )
    audit_record(
        actor=actor, action=f"application.{to_status}", target_type="shop_application",
        target_id=application.pk, before={"status": from_status}, after={"status": to_status},
        reason=reason, ip=ip, shop_id=application.shop_id,
    )


@transaction.atomic
def application_submit(*, application_id: int, actor, ip=None) -> ShopApplication:
    """Send a complete draft (or a corrected rejected application) to review."""
    application = _own_editable(application_id, actor)
    missing = _missing(application)
    if missing:
        raise ServiceError(_("The application is incomplete."), code="incomplete", fields=missing)
    if subdomain_taken(application.subdomain, exclude_application_id=application.pk):
        raise Conflict(_("This subdomain is already taken."), code="subdomain_taken",
                       fields={"subdomain": [_("Already taken.")]})
    target = S.SUBMITTED if application.status == S.DRAFT else S.RESUBMITTED
    _move(application, target, actor=actor, ip=ip)
    application.submitted_at = timezone.now()
    application.decision_reason = ""
    application.save(update_fields=["status", "submitted_at", "decision_reason", "updated_at"])
    return application


@transaction.atomic
def application_claim(*, application_id: int, actor, ip=None) -> ShopApplication:
    """An operator takes a submitted application into review."""
    roles.require_operator(actor, roles.REVIEW)
    application = _locked(application_id)
    _move(application, S.UNDER_REVIEW, actor=actor, ip=ip)
    application.reviewer = actor
    application.save(update_fields=["status", "reviewer", "updated_at"])
    return application


@transaction.atomic
def application_approve(*, application_id: int, actor, ip=None) -> ShopApplication:
    """Approve and provision the shop in the same transaction: the shop is live on commit.

    The application row is locked first, so two operators approving at once serialise and the
    second is told it is already approved; the unique subdomain constraint on shops covers two
    applications for one subdomain. Exactly one shop, or none, comes out.
    """
    roles.require_operator(actor, roles.REVIEW)
    application = _locked(application_id)
    _move(application, S.APPROVED, actor=actor, ip=ip)
    if Shop.objects.filter(subdomain__iexact=application.subdomain).exists():
        raise Conflict(_("A shop with this subdomain already exists."), code="subdomain_taken")
    try:
        with transaction.atomic():
            shop = shop_services.shop_provision(
                subdomain=application.subdomain, name=application.shop_name,
                company_name=application.company_name, owner=application.applicant,
                application_id=application.pk,
            )
    except IntegrityError as exc:
        raise Conflict(_("A shop with this subdomain already exists."), code="subdomain_taken") from exc
    SettlementBankAccount.objects.create(
        shop=shop, status=BankAccountStatus.ACTIVE, bank_name=application.bank_name,
        bank_branch=application.bank_branch, account_name=application.bank_account_name,
        account_number_encrypted=application.bank_account_number_encrypted,
        account_last4=application.bank_account_last4, requested_by=application.applicant,
        reviewer=actor, decided_at=timezone.now(),
    )
    application.shop_id = shop.pk
    application.reviewer = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "shop_id", "reviewer", "decided_at", "updated_at"])
    audit_record(actor=actor, action="shop.provisioned", target_type="shop", target_id=shop.pk,
                 shop_id=shop.pk, after={"subdomain": shop.subdomain, "schema": shop.schema_name}, ip=ip)
    send_after_commit(
        to=application.applicant.email, template="onboarding/mail/approved.txt",
        context={"application": application, "shop_url": hosts.shop_url(shop.subdomain, "/console/")},
    )
    return application


@transaction.atomic
def application_reject(*, application_id: int, actor, reason: str, ip=None) -> ShopApplication:
    roles.require_operator(actor, roles.REVIEW)
    reason = (reason or "").strip()
    if not reason:
        raise field_error("reason", _("Say why the application is rejected."))
    if len(reason) > 500:
        raise field_error("reason", _("At most %(n)d characters.") % {"n": 500})
    application = _locked(application_id)
    _move(application, S.REJECTED, actor=actor, reason=reason, ip=ip)
    application.decision_reason = reason
    application.reviewer = actor
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decision_reason", "reviewer", "decided_at", "updated_at"])
    send_after_commit(
        to=application.applicant.email, template="onboarding/mail/rejected.txt",
        context={"application": application, "url": hosts.mall_url(f"/open-shop/{application.pk}/")},
    )
    return application


# --- settlement bank account changes --------------------------------------------------------

@transaction.atomic
def bank_account_change_request(*, shop_id: int, actor, bank_name: str, bank_branch: str,
                                account_name: str, account_number: str, ip=None) -> SettlementBankAccount:
    """A shop owner asks to be paid into another account. Payouts pause until an operator
    approves; the account name must equal the shop's company name."""
    shop = Shop.objects.select_for_update().get(pk=shop_id)
    bank_name, account_name = (bank_name or "").strip(), (account_name or "").strip()
    if not bank_name:
        raise field_error("bank_name", _("Required."))
    if account_name != shop.company_name:
        raise field_error("account_name", _("The account name must equal the company name (%(name)s).") % {"name": shop.company_name})
    number = _clean_bank_number(account_number, field="account_number")
    if SettlementBankAccount.objects.filter(shop=shop, status=BankAccountStatus.PENDING).exists():
        raise Conflict(_("A bank account change is already waiting for review."), code="change_pending")
    change = SettlementBankAccount.objects.create(
        shop=shop, status=BankAccountStatus.PENDING, bank_name=bank_name[:60],
        bank_branch=(bank_branch or "").strip()[:100], account_name=account_name,
        account_number_encrypted=pii.encrypt(number), account_last4=number[-4:], requested_by=actor,
    )
    shop_services.shop_set_payouts_paused(shop=shop, paused=True)
    audit_record(actor=actor, action="bank_account.change_requested", target_type="bank_account",
                 target_id=change.pk, shop_id=shop.pk, after={"bank": bank_name, "last4": number[-4:]}, ip=ip)
    return change


@transaction.atomic
def bank_account_decide(*, account_id: int, actor, approve: bool, reason: str = "", ip=None) -> SettlementBankAccount:
    roles.require_operator(actor, roles.REVIEW | roles.FINANCE)
    try:
        change = SettlementBankAccount.objects.select_for_update().get(pk=account_id)
    except SettlementBankAccount.DoesNotExist as exc:
        raise NotFound(_("No such bank account change.")) from exc
    if change.status != BankAccountStatus.PENDING:
        raise Conflict(_("This change was already decided."), code="already_decided")
    if not approve and not (reason or "").strip():
        raise field_error("reason", _("Say why the change is rejected."))
    shop = Shop.objects.select_for_update().get(pk=change.shop_id)
    before = SettlementBankAccount.objects.filter(shop=shop, status=BankAccountStatus.ACTIVE).first()
    if approve:
        if before:
            before.status = BankAccountStatus.SUPERSEDED
            before.save(update_fields=["status"])
        change.status = BankAccountStatus.ACTIVE
    else:
        change.status = BankAccountStatus.REJECTED
    change.reviewer, change.decided_at, change.decision_reason = actor, timezone.now(), (reason or "").strip()[:500]
    change.save(update_fields=["status", "reviewer", "decided_at", "decision_reason"])
    shop_services.shop_set_payouts_paused(shop=shop, paused=False)
    audit_record(
        actor=actor, action="bank_account." + ("approved" if approve else "rejected"),
        target_type="bank_account", target_id=change.pk, shop_id=shop.pk,
        before={"last4": before.account_last4} if before and approve else None,
        after={"last4": change.account_last4, "status": change.status}, reason=reason or "", ip=ip,
    )
    return change

