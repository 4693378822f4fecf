"""Pages of privacy: the signed-in person's own, and the programme office's."""

from django.urls import path

from . import views

app_name = "privacy"
urlpatterns = [
    path("my/privacy/", views.mine, name="mine"),
    path("my/privacy/export/", views.export, name="export"),
    path("my/privacy/erase/", views.erase, name="erase"),
    path("my/privacy/withdraw/", views.withdraw, name="withdraw"),
    path("privacy/erased/", views.erased, name="erased"),
    path("privacy/requests/", views.office, name="office"),
    path("privacy/requests/erase/", views.office_erase, name="office_erase"),
    path("privacy/requests/export/", views.office_export, name="office_export"),
]
