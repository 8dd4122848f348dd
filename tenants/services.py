"""Writes for shops: provisioning on approval, lifecycle, and the public index of staff."""

import time

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context

from backend.api.errors import Conflict, NotFound, ServiceError
from shared_apps.accounts import roles
from shared_apps.audit.services import audit_record

from . import provisioning
from .models import Domain, Shop, ShopMembership, ShopStatus, ShopStatusChange
from .selectors import shop_host_cache_clear
from .transitions import ALLOWED


@transaction.atomic
def shop_provision(*, subdomain: str, name: str, company_name: str, owner,
                   application_id: int | None = None) -> Shop:
    """Create a live shop: its schema (from the ready pool, else a template replay), its row,
    its domain, its owner's staff record. All in the caller's transaction; the pool is topped up
    after commit."""
    from tenant_apps.shop.interface import shop_bootstrap

    started = time.perf_counter()
    schema = provisioning.schema_name_for(subdomain)
    method = provisioning.take_schema(schema=schema)
    shop = Shop.objects.create(
        schema_name=schema, subdomain=subdomain.lower(), name=name, company_name=company_name,
        owner=owner, application_id=application_id,
    )
    Domain.objects.create(domain=f"{shop.subdomain}.{settings.MALL_DOMAIN}", tenant=shop, is_primary=True)
    ShopMembership.objects.create(shop=shop, user=owner, role="owner")
    with schema_context(schema):
        shop_bootstrap(
            owner_user_id=owner.pk, owner_email=owner.email or "",
            owner_name=owner.display_name or "", shop_name=name,
        )
    shop.provisioned_by = method
    shop.provision_ms = (time.perf_counter() - started) * 1000
    shop_host_cache_clear(shop)
    if settings.SHOP_SCHEMA_POOL_SIZE:
        from .tasks import refill_schema_pool

        transaction.on_commit(refill_schema_pool.delay)
    return shop


def _locked_shop(shop_id: int) -> Shop:
    try:
        return Shop.objects.select_for_update().get(pk=shop_id)
    except Shop.DoesNotExist as exc:
        raise NotFound(_("No such shop.")) from exc


@transaction.atomic
def shop_change_status(*, shop_id: int, to_status: str, actor, reason: str, ip=None) -> Shop:
    """Suspend, reactivate or close a shop, with a reason, in its history and the audit log.

    A suspended shop's storefront shows a closed page and its console is read-only; a closed
    shop stays that way (exit)."""
    roles.require_operator(actor, roles.SHOP_LIFECYCLE)
    reason = (reason or "").strip()
    if not reason:
        raise ServiceError(_("Give a reason."), code="invalid", fields={"reason": [_("Required.")]})
    if len(reason) > 500:
        raise ServiceError(_("The reason is too long."), code="invalid", fields={"reason": [_("At most 500 characters.")]})
    if to_status not in ShopStatus.values:
        raise ServiceError(_("Unknown shop status."), code="invalid", fields={"status": [to_status]})
    shop = _locked_shop(shop_id)
    if to_status not in ALLOWED[shop.status]:
        raise Conflict(
            _("A shop that is %(status)s cannot become %(to)s.")
            % {"status": shop.get_status_display(), "to": ShopStatus(to_status).label},
            code="illegal_transition",
        )
    from_status = shop.status
    shop.status, shop.status_reason = to_status, reason
    shop.save(update_fields=["status", "status_reason"])
    ShopStatusChange.objects.create(shop=shop, from_status=from_status, to_status=to_status, actor=actor, reason=reason)
    audit_record(actor=actor, action=f"shop.{to_status}", target_type="shop", target_id=shop.pk, shop_id=shop.pk,
                 before={"status": from_status}, after={"status": to_status}, reason=reason, ip=ip)
    transaction.on_commit(lambda: shop_host_cache_clear(shop))
    search_visibility_changed(shop.pk, active=shop.is_active)
    return shop


def search_visibility_changed(shop_id: int, *, active: bool) -> None:
    """Mall search shows only active shops: a suspended or closed shop's documents go in this
    transaction; a reactivated shop's come back, and the suggested words follow, in the
    background (a big shop's titles take a while to segment)."""
    from shared_apps.search import index, tasks

    if not active:
        index.shop_visibility_refresh(shop_id)
    transaction.on_commit(lambda: tasks.shop_visibility_refresh.delay(shop_id))


def shop_set_payouts_paused(*, shop: Shop, paused: bool) -> None:
    shop.payouts_paused = paused
    shop.save(update_fields=["payouts_paused"])
    transaction.on_commit(lambda: shop_host_cache_clear(shop))


@transaction.atomic
def shop_rename(*, shop_id: int, name: str) -> None:
    """Keep the public copy of the shop's name (shown across the mall) in step with its settings."""
    Shop.objects.filter(pk=shop_id).update(name=name)
    shop = Shop(pk=shop_id)
    transaction.on_commit(lambda: shop_host_cache_clear(shop))


def membership_set(*, shop_id: int, user_id: int, role: str) -> None:
    ShopMembership.objects.update_or_create(shop_id=shop_id, user_id=user_id, defaults={"role": role})


def membership_remove(*, shop_id: int, user_id: int) -> None:
    ShopMembership.objects.filter(shop_id=shop_id, user_id=user_id).delete()
