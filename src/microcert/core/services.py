"""Writes of the core app: recording events."""

from typing import Any

from django.db import models, transaction

from .models import Event


def event_record(
    *,
    actor: Any | None,
    verb: str,
    target: models.Model,
    details: dict[str, Any] | None = None,
    reason: str = "",
) -> Event:
    """Append an event about ``target``; must run inside the transaction of the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must be called inside the transaction of the change")
    authenticated = actor is not None and getattr(actor, "is_authenticated", False)
    return Event.objects.create(
        actor=actor if authenticated else None,
        actor_label=(getattr(actor, "email", "") or "") if authenticated else "",
        verb=verb,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        object_repr=str(target)[:255],
        reason=reason,
        details=details or {},
    )
