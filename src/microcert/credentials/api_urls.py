"""Machine endpoints of the credentials app (no language prefix)."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
