from django.urls import path

from . import public_views, views

app_name = "web"
urlpatterns = [
    path("", public_views.home, name="home"),
    path("catalogue/", public_views.catalogue, name="catalogue"),
    path("catalogue/<slug:slug>/", public_views.specification_detail, name="specification"),
    path(
        "catalogue/<slug:slug>/v<int:number>/",
        public_views.specification_detail,
        name="specification_version",
    ),
    path("partners/", public_views.partner_directory, name="partners"),
    path("partners/<slug:slug>/", public_views.partner_detail, name="partner"),
    path("verify/link/", public_views.verify_link, name="verify_link"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("my/api-tokens/", views.api_tokens, name="api_tokens"),
    path("people/<uuid:uuid>/", views.person_detail, name="person"),
    path("people/<uuid:uuid>/edit/", views.person_edit, name="person_edit"),
    path(
        "organisations/<slug:slug>/people/", views.organisation_people, name="organisation_people"
    ),
]
