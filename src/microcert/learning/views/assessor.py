"""Pages for the assessor."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path


@login_required
def queue(request: HttpRequest) -> HttpResponse:  # placeholder until the assessor pages land
    return HttpResponse("")


urlpatterns: list = [path("review/", queue, name="queue")]
