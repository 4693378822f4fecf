"""Pages of the Smart Classroom registry: each audience's module lists its own routes."""

from .views import manage, public, tickets

app_name = "classrooms"
urlpatterns = [
    *public.urlpatterns,
    *tickets.urlpatterns,
    *manage.urlpatterns,
]
