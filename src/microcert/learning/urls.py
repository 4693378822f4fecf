"""Pages of the teacher's journey: each audience's module lists its own routes."""

from .views import assessor, institution, teacher

app_name = "learning"
urlpatterns = [*teacher.urlpatterns, *assessor.urlpatterns, *institution.urlpatterns]
