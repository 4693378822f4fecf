"""Pages of the credentials app (under the language prefix)."""

from django.urls import path

from . import views

app_name = "credentials"
urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("credentials/<uuid:uuid>/", views.detail, name="detail"),
    path("credentials/<uuid:uuid>/credential.json", views.credential_json, name="json"),
    path("credentials/<uuid:uuid>/certificate.pdf", views.certificate_pdf, name="pdf"),
    path("credentials/<uuid:uuid>/visibility/", views.set_visibility, name="visibility"),
    path("credentials/<uuid:uuid>/wallet/", views.wallet, name="wallet"),
    path("credentials/<uuid:uuid>/exchange/<str:token>", views.exchange, name="exchange"),
    path("credentials/<uuid:uuid>/status/", views.change_status, name="status"),
    path("my/credentials/", views.my_credentials, name="mine"),
    path("my/transcript.json", views.transcript, name="transcript"),
    path(
        "organisations/<slug:slug>/credentials/",
        views.organisation_credentials,
        name="organisation",
    ),
    path(
        "organisations/<slug:slug>/credentials/bulk-issue/",
        views.bulk_issue,
        name="bulk_issue",
    ),
    path(
        "organisations/<slug:slug>/credentials/bulk-revoke/",
        views.bulk_revoke,
        name="bulk_revoke",
    ),
    path("bulk/<uuid:uuid>/", views.bulk_job, name="bulk_job"),
]
