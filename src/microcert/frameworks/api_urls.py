from django.urls import path

from . import api

app_name = "case"
urlpatterns = [
    path("CFDocuments", api.cf_documents, name="documents"),
    path("CFDocuments/<str:identifier>", api.cf_document, name="document"),
    path("CFPackages/<str:identifier>", api.cf_package, name="package"),
    path("CFItems/<str:identifier>", api.cf_item, name="item"),
]
