"""Reads of the core app."""

from django.db import models
from django.db.models import QuerySet

from .models import Event


def events_for(target: models.Model) -> QuerySet[Event]:
    """The history of one object, newest first."""
    return Event.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
