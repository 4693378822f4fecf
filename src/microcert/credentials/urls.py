"""Pages of the credentials app (under the language prefix)."""

from django.urls import path  # noqa: F401

app_name = "credentials"
urlpatterns: list = []
