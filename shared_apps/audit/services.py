"""Writing audit entries. Call inside the transaction of the change being audited."""


from .models import AuditEntry


def audit_record(*, actor, action: str, target_type: str, target_id, shop_id: int | None = None,
                 before: dict | None = None, after: dict | None = None, reason: str = "",
                 ip: str | None = None) -> AuditEntry:
    """Append one audit entry. `before`/`after` hold only the fields that changed."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(actor) if actor else "system",
        action=action, target_type=target_type, target_id=str(target_id), shop_id=shop_id,
        before=before, after=after, reason=reason[:500], ip=ip,
    )


def changed_fields(before: dict, after: dict) -> tuple[dict, dict]:
    """The subsets of before/after whose values differ."""
    keys = [k for k in after if before.get(k) != after.get(k)]
    return {k: before.get(k) for k in keys}, {k: after[k] for k in keys}
