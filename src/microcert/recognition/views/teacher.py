"""Pages for the teacher."""

urlpatterns: list = []
