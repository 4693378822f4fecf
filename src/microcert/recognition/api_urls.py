"""Machine endpoints of recognition (no language prefix): the signed endorsements."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import path
from django.views.decorators.http import require_safe

from .models import InclusionDecision


@require_safe
def endorsement_document(request: HttpRequest, decision_id) -> HttpResponse:
    """The EndorsementCredential an authority signed for a decision, as it was signed.

    Superseded decisions keep theirs: credentials awarded under them carry it."""
    decision = InclusionDecision.objects.filter(uuid=decision_id, endorsement__isnull=False).first()
    if decision is None:
        # Resolved against these patterns, a 404 stays a 404 (no redirect to /<language>/...).
        request.urlconf = __name__
        return JsonResponse({"error": "No endorsement with this id."}, status=404)
    body = json.dumps(decision.endorsement, ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode(), content_type="application/vc+ld+json; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="endorsement-{decision.uuid}.json"'
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=3600"
    return response


app_name = "recognition_api"
urlpatterns = [
    path(
        "recognition/endorsements/<uuid:decision_id>.json",
        endorsement_document,
        name="endorsement",
    ),
]
