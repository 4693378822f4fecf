"""Pages for the teacher."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:  # placeholder until the teacher pages land
    return HttpResponse("")


urlpatterns: list = [path("learn/", dashboard, name="dashboard")]
