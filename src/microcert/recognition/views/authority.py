"""Pages for the authority."""

urlpatterns: list = []
