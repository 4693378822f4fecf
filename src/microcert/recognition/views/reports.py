"""Pages for the reports."""

urlpatterns: list = []
