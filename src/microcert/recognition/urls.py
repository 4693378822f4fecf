"""Pages of recognition: each audience's module lists its own routes."""

from .views import authority, institution, reports, teacher

app_name = "recognition"
urlpatterns = [
    *authority.urlpatterns,
    *institution.urlpatterns,
    *teacher.urlpatterns,
    *reports.urlpatterns,
]
