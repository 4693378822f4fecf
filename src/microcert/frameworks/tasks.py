"""Background tasks of the frameworks app: importing a CASE 1.1 package."""

from celery import shared_task
from django.core.exceptions import ValidationError

from microcert.accounts.models import User

from . import case
from .models import CompetencyFramework
from .services import framework_create


@shared_task(name="microcert.frameworks.import_case_package", acks_late=True)
def import_case_package(raw: str, actor_id: int | None = None) -> dict:
    """Import a CFPackage (its JSON text). Idempotent: a package whose framework is already
    here (same CFDocument identifier) imports nothing and answers with that framework, so a
    task delivered twice, or after its worker died mid-way (the import is one transaction),
    ends the same. A refused package is an answer too, not a failure to retry."""
    try:
        doc = case.parse_package(raw)
    except ValidationError as error:
        return {"framework": None, "created": False, "errors": error.messages}
    existing = CompetencyFramework.objects.filter(uuid=doc.uuid).first()
    if existing is not None:
        return {"framework": str(existing.uuid), "created": False, "errors": []}
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    try:
        framework = framework_create(doc=doc, actor=actor, source="case")
    except ValidationError as error:
        return {"framework": None, "created": False, "errors": error.messages}
    return {"framework": str(framework.uuid), "created": True, "errors": []}
