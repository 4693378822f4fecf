"""The CASE 1.1 service endpoints (read-only): documents, packages, items, associations.

Errors follow CASE's imsx_StatusInfo shape; an unknown or malformed identifier is a 404.
"""

import uuid

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from . import case
from .models import Area, Competence, CompetencyFramework, LevelDescriptor, ProficiencyLevel

_VISIBLE = [CompetencyFramework.Status.PUBLISHED, CompetencyFramework.Status.RETIRED]
_CACHE = "public, max-age=300"


def _status_error(status: int, description: str, minor: str) -> JsonResponse:
    return JsonResponse(
        {
            "imsx_codeMajor": "failure",
            "imsx_severity": "error",
            "imsx_description": description,
            "imsx_codeMinor": {
                "imsx_codeMinorField": [
                    {
                        "imsx_codeMinorFieldName": "TargetEndSystem",
                        "imsx_codeMinorFieldValue": minor,
                    }
                ]
            },
        },
        status=status,
    )


def _ok(data: dict) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = _CACHE
    return response


def _framework(identifier: str) -> CompetencyFramework | None:
    try:
        key = uuid.UUID(identifier)
    except ValueError:
        return None
    return CompetencyFramework.objects.filter(uuid=key, status__in=_VISIBLE).first()


@require_GET
def cf_documents(request: HttpRequest) -> JsonResponse:
    documents = [
        case.document_json(f) for f in CompetencyFramework.objects.filter(status__in=_VISIBLE)
    ]
    return _ok({"CFDocuments": documents})


@require_GET
def cf_document(request: HttpRequest, identifier: str) -> JsonResponse:
    framework = _framework(identifier)
    if framework is None:
        return _status_error(404, "Unknown Object", "unknownobject")
    return _ok(case.document_json(framework))


@require_GET
def cf_package(request: HttpRequest, identifier: str) -> JsonResponse:
    framework = _framework(identifier)
    if framework is None:
        return _status_error(404, "Unknown Object", "unknownobject")
    return _ok(case.export_package(framework))


@require_GET
def cf_item(request: HttpRequest, identifier: str) -> JsonResponse:
    """Resolve an item URI."""
    try:
        key = uuid.UUID(identifier)
    except ValueError:
        return _status_error(404, "Invalid UUID", "invaliduuid")
    lookups = (
        (Competence.objects, "framework"),
        (Area.objects, "framework"),
        (ProficiencyLevel.objects, "framework"),
        (LevelDescriptor.objects.select_related("level"), "competence__framework"),
    )
    for queryset, framework_path in lookups:
        obj = (
            queryset.filter(uuid=key, **{f"{framework_path}__status__in": _VISIBLE})
            .select_related(framework_path)
            .first()
        )
        if obj is not None:
            framework = obj.competence.framework if framework_path != "framework" else obj.framework
            return _ok(case.item_json(obj, case.document_link(framework)))
    return _status_error(404, "Unknown Object", "unknownobject")
