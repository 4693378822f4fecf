"""URL map. Pages carry a language prefix (/en/, /vi/, /zh-hans/, /fr/); machine endpoints
(CASE, health) do not."""

from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from microcert.web import views as web_views
from microcert.web.api import api

urlpatterns = [
    path("ims/case/v1p1/", include("microcert.frameworks.api_urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", web_views.healthz, name="healthz"),
    path("", include("microcert.web.seo_urls")),
    path("api/v1/", api.urls),
    path("lti/", include("microcert.lms.urls")),
    # DID documents, status lists, the W3C VC-API: stable addresses without a language.
    path("", include("microcert.credentials.api_urls")),
    path("", include("microcert.recognition.api_urls")),
]

urlpatterns += i18n_patterns(
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("frameworks/", include("microcert.frameworks.urls")),
    path("", include("microcert.credentials.urls")),
    path("", include("microcert.learning.urls")),
    path("", include("microcert.recognition.urls")),
    path("", include("microcert.network.urls")),
    path("", include("microcert.news.urls")),
    path("", include("microcert.classrooms.urls")),
    path("", include("microcert.privacy.urls")),
    path("", include("microcert.web.urls")),
    prefix_default_language=True,
)

admin.site.site_header = "microcert"
admin.site.site_title = "microcert"
