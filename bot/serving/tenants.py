"""Which Entra tenant an activity comes from, and whether that tenant may use the bot."""

from __future__ import annotations

from botbuilder.schema import Activity


def activity_tenants(activity: Activity) -> frozenset[str]:
    """The tenant ids the activity names, lower case: Teams puts the same id in channelData.tenant.id and
    conversation.tenantId; both are read so that one cannot vouch for the other."""
    channel_data = activity.channel_data if isinstance(activity.channel_data, dict) else {}
    tenant = channel_data.get("tenant") if isinstance(channel_data.get("tenant"), dict) else {}
    conversation = activity.conversation
    # botbuilder's schema spells the key "tenantID", Teams sends "tenantId": msrest keeps that one aside.
    extra = (getattr(conversation, "additional_properties", None) or {}) if conversation else {}
    named = (tenant.get("id"), conversation.tenant_id if conversation else None, extra.get("tenantId"))
    return frozenset(t.strip().lower() for t in named if isinstance(t, str) and t.strip())


def tenant_allowed(activity: Activity, allowed_tenants: frozenset[str] | None) -> bool:
    """None allows every tenant; otherwise every tenant named must be allowed, and one must be named."""
    if allowed_tenants is None:
        return True
    tenants = activity_tenants(activity)
    return bool(tenants) and tenants <= allowed_tenants
