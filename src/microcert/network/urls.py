"""Pages of the partner network's workflows: each audience's module lists its own routes."""

from .views import agreements, office, public

app_name = "network"
urlpatterns = [*public.urlpatterns, *office.urlpatterns, *agreements.urlpatterns]
