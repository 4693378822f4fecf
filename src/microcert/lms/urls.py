"""LTI 1.3 endpoints: stable addresses without a language prefix."""

app_name = "lms"
urlpatterns: list = []
