from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("catalogue/<slug:slug>/", views.specification_detail, name="specification"),
    path(
        "catalogue/<slug:slug>/v<int:number>/",
        views.specification_detail,
        name="specification_version",
    ),
    path("partners/", views.partner_directory, name="partners"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("my/api-tokens/", views.api_tokens, name="api_tokens"),
    path("people/<uuid:uuid>/", views.person_detail, name="person"),
    path("people/<uuid:uuid>/edit/", views.person_edit, name="person_edit"),
    path(
        "organisations/<slug:slug>/people/", views.organisation_people, name="organisation_people"
    ),
    path("agreements/", views.agreement_list, name="agreements"),
    path("agreements/<uuid:uuid>/", views.agreement_detail, name="agreement"),
]
