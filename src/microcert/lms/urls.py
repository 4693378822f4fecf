"""LTI 1.3 endpoints: stable addresses without a language prefix."""

from django.urls import path

from . import views

app_name = "lms"
urlpatterns = [
    path("login/", views.login, name="login"),
    path("launch/", views.launch, name="launch"),
    path("jwks.json", views.jwks, name="jwks"),
]
