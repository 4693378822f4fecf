"""Pages for the institution."""

urlpatterns: list = []
