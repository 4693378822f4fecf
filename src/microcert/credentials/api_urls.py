"""Machine endpoints of the credentials app (no language prefix): DID documents, status
lists, achievements, the extension vocabulary and the W3C VC-API."""

from django.urls import path

from . import api

app_name = "credentials_api"
urlpatterns = [
    path("issuers/<str:slug>/did.json", api.did_document, name="did_document"),
    path("status/<str:list_id>", api.status_list, name="status_list"),
    path("achievements/<str:version_id>", api.achievement, name="achievement"),
    path("ns/v1", api.vocabulary, name="vocabulary"),
    # W3C VC-API
    path("credentials/issue", api.credentials_issue, name="issue"),
    path("credentials/verify", api.credentials_verify, name="verify"),
    path("presentations/verify", api.presentations_verify, name="verify_presentation"),
    path("credentials/<str:credential_id>", api.credential_detail, name="credential"),
]
