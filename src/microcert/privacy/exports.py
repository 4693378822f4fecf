"""A person's data as a ZIP archive: one JSON file per area, their evidence files, a README
in their language.

What belongs to someone else stays out: an assessor appears by the role of their review
(as on the teacher's own pages, where assessors are never named), an event done by another
person says only that someone else did it, and other people's e-mail addresses and
identifiers inside event details are masked. Records of others or of organisations that
merely name the person (a review they wrote, an article they edited) are listed by kind and
identifier in ``references.json``, without their content.
"""

import json
import re
import shutil
import uuid
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from django.apps import apps
from django.core.files.storage import Storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from microcert.accounts.models import User
from microcert.core.models import Event
from microcert.credentials import sharing
from microcert.credentials.models import IssuedCredential
from microcert.learning.models import EvidenceItem, PDPlan, Review, SelfAssessment, Submission
from microcert.learning.uploads import ACCEPTED
from microcert.recognition.models import LedgerEntry

from . import registry
from .models import ErasureRequest
from .redaction import looks_like_email
from .selectors import owned_objects

ANOTHER_PERSON = "(another person)"
EVIDENCE_DIR = "evidence"

AREA_DESCRIPTIONS = {
    "profile": _("Your account: e-mail, legal name and its history, language, two-factor methods."),
    "emails": _("The e-mail addresses you sign in with, and whether each is verified."),
    "roles": _("Your roles in organisations of the network, and your permission groups."),
    "self_assessments": _("Your self-assessments, with the level you chose for each competence."),
    "plans": _("Your professional-development plans, their items and the institution's decision."),
    "enrolments": _("Your enrolments in offerings."),
    "submissions": _(
        "Your attempts at assessments: reflection, knowledge-check answers and a description "
        "of each piece of evidence (the files themselves are in the evidence folder)."
    ),
    "reviews_received": _(
        "The assessors' reviews of your work: decision, rubric scores and feedback. Assessors "
        "are named by the role of their review only, as on your pages."
    ),
    "credentials": _("Your credentials, each with the exact signed document that was issued."),
    "ledger": _("Your professional-development hours as recognised by the authorities."),
    "events": _(
        "The platform's record of what you did and what was done about you. Other people are "
        "shown as “(another person)”."
    ),
    "api_tokens": _("The names and dates of your API tokens (never the tokens themselves)."),
    "learning_platforms": _("Your links to learning platforms (LTI) and what they reported."),
    "erasure_requests": _("Your requests to have your data erased."),
    "references": _(
        "Records of others or of organisations that name you, such as reviews you wrote as an "
        "assessor or articles you edited: listed by kind and identifier only."
    ),
}


def _when(value: Any) -> str | None:
    return value.isoformat() if value else None


def _key(row: Any) -> str:
    return str(getattr(row, "uuid", None) or row.pk)


# --- the areas --------------------------------------------------------------------------------


def _profile(person: User) -> dict:
    authenticator = (
        apps.get_model("mfa", "Authenticator") if apps.is_installed("allauth.mfa") else None
    )
    two_factor = []
    if authenticator is not None:
        two_factor = [
            {
                "type": row.type,
                "created_at": _when(row.created_at),
                "last_used_at": _when(row.last_used_at),
            }
            for row in authenticator.objects.filter(user=person).order_by("created_at")
        ]
    return {
        "uuid": str(person.uuid),
        "email": person.email,
        "legal_name": person.legal_name,
        "display_name": person.display_name,
        "preferred_language": person.preferred_language,
        "date_joined": _when(person.date_joined),
        "last_login": _when(person.last_login),
        "active": person.is_active,
        "legal_name_history": [
            {
                "old_name": change.old_name,
                "new_name": change.new_name,
                "reason": change.reason,
                "changed_at": _when(change.changed_at),
                "changed_by": _who(change.changed_by_id, person),
            }
            for change in person.name_changes.all()
        ],
        "two_factor_methods": two_factor,
    }


def _who(actor_id: int | None, person: User) -> str:
    if actor_id is None:
        return "(the platform)"
    return "(you)" if actor_id == person.pk else ANOTHER_PERSON


def _emails(person: User) -> list[dict]:
    from allauth.account.models import EmailAddress

    return [
        {"email": address.email, "primary": address.primary, "verified": address.verified}
        for address in EmailAddress.objects.filter(user=person).order_by("-primary", "email")
    ]


def _roles(person: User) -> dict:
    return {
        "roles": [
            {
                "organisation": affiliation.organisation.name,
                "organisation_slug": affiliation.organisation.slug,
                "role": affiliation.role,
                "role_label": str(affiliation.get_role_display()),
                "active": affiliation.is_active,
                "since": _when(affiliation.created_at),
            }
            for affiliation in person.affiliations.select_related("organisation")
        ],
        "permission_groups": sorted(person.groups.values_list("name", flat=True)),
        "staff": person.is_staff,
        "superuser": person.is_superuser,
    }


def _self_assessments(person: User) -> list[dict]:
    assessments = SelfAssessment.objects.filter(person=person).select_related("framework")
    return [
        {
            "uuid": str(assessment.uuid),
            "framework": assessment.framework.slug,
            "framework_title": assessment.framework.title,
            "status": assessment.status,
            "started_at": _when(assessment.created_at),
            "completed_at": _when(assessment.completed_at),
            "answers": [
                {
                    "competence": answer.competence.code,
                    "competence_name": answer.competence.name,
                    "level": answer.level.code,
                }
                for answer in assessment.answers.select_related("competence", "level")
            ],
        }
        for assessment in assessments
    ]


def _plans(person: User) -> list[dict]:
    plans = PDPlan.objects.filter(teacher=person).select_related("organisation")
    return [
        {
            "uuid": str(plan.uuid),
            "institution": plan.organisation.name,
            "year": plan.year,
            "status": plan.status,
            "deadline": _when(plan.deadline),
            "submitted_at": _when(plan.submitted_at),
            "decided_at": _when(plan.decided_at),
            "decision_comment": plan.comment,
            "items": [
                {
                    "micro_credential": item.micro_credential.slug,
                    "planned_hours": str(item.planned_hours),
                    "note": item.note,
                }
                for item in plan.items.select_related("micro_credential")
            ],
        }
        for plan in plans
    ]


def _enrolments(person: User) -> list[dict]:
    return [
        {
            "uuid": str(enrolment.uuid),
            "offering": str(enrolment.offering.uuid),
            "specification": enrolment.offering.version.title,
            "starts_on": _when(enrolment.offering.starts_on),
            "status": enrolment.status,
            "enrolled_at": _when(enrolment.enrolled_at),
            "waitlisted_at": _when(enrolment.waitlisted_at),
            "withdrawn_at": _when(enrolment.withdrawn_at),
        }
        for enrolment in person.enrolments.select_related("offering__version")
    ]


def evidence_archive_name(stored_name: str, content_type: str = "") -> str:
    """Where an evidence file sits in the archive: its stored name (``evidence/<attempt>/
    <random name>``, never the uploaded one; a later attempt reuses the earlier file), with
    the extension of the type found in its content, so that it opens with a double click."""
    extension = ACCEPTED.get(content_type, "")
    if extension and not stored_name.endswith(f".{extension}"):
        return f"{stored_name}.{extension}"
    return stored_name


def _submissions(person: User) -> list[dict]:
    submissions = Submission.objects.filter(teacher=person).select_related("version", "credential")
    rows = []
    for submission in submissions:
        evidence = []
        for item in submission.evidence.select_related("requirement"):
            evidence.append(
                {
                    "uuid": str(item.uuid),
                    "requirement": item.requirement.title if item.requirement else None,
                    "source": item.source,
                    "title": item.title,
                    "file_name": item.original_name,
                    "file_in_this_archive": (
                        evidence_archive_name(item.file.name, item.content_type)
                        if item.file
                        else None
                    ),
                    "type": item.content_type,
                    "size": item.size,
                    "sha256": item.sha256,
                    "link": item.url,
                    "details": item.details,
                    "added_at": _when(item.created_at),
                }
            )
        rows.append(
            {
                "uuid": str(submission.uuid),
                "specification": submission.version.title,
                "version": submission.version.number,
                "attempt": submission.attempt,
                "status": submission.status,
                "reflection": submission.reflection,
                "knowledge_check_answers": submission.knowledge_answers,
                "knowledge_check_score": submission.knowledge_score,
                "submitted_at": _when(submission.submitted_at),
                "decided_at": _when(submission.decided_at),
                "credential": str(submission.credential.uuid) if submission.credential else None,
                "evidence": evidence,
            }
        )
    return rows


def _reviews_received(person: User) -> list[dict]:
    reviews = (
        Review.objects.filter(submission__teacher=person, status=Review.Status.COMPLETED)
        .select_related("submission")
        .prefetch_related("scores__criterion", "scores__level")
    )
    return [
        {
            "submission": str(review.submission.uuid),
            # The role, never the assessor: teachers do not learn who reviewed them.
            "review": str(review.get_role_display()),
            "decision": review.decision,
            "weighted_score": review.score,
            "feedback": review.feedback,
            "what_to_fix": review.to_fix,
            "completed_at": _when(review.completed_at),
            "rubric_scores": [
                {
                    "criterion": score.criterion.title,
                    "level": score.level.label,
                    "score": score.level.score,
                    "comment": score.comment,
                }
                for score in review.scores.all()
            ],
        }
        for review in reviews
    ]


def _credentials(person: User) -> list[dict]:
    credentials = IssuedCredential.objects.filter(recipient=person).select_related(
        "issuer__organisation"
    )
    return [
        {
            "uuid": str(credential.uuid),
            "name": str(credential),
            "issuer": credential.issuer.organisation.name,
            "status": credential.status,
            "status_reason": credential.status_reason,
            "public_page": credential.is_public,
            "page_url": sharing.page_url(credential),
            "valid_from": _when(credential.valid_from),
            "valid_until": _when(credential.valid_until),
            "language": credential.language,
            "signed_document": credential.document,
        }
        for credential in credentials
    ]


def _ledger(person: User) -> list[dict]:
    entries = LedgerEntry.objects.filter(person=person).select_related(
        "scheme", "credential", "organisation"
    )
    return [
        {
            "scheme": entry.scheme.title,
            "credential": str(entry.credential.uuid),
            "awarded_on": _when(entry.awarded_on),
            "period_starts": _when(entry.period_start),
            "recognised": str(entry.amount),
            "unit": entry.scheme.unit,
            "clock_hours": str(entry.hours),
            "institution": entry.organisation.name if entry.organisation else None,
            "province": entry.province,
            "staff_category": entry.staff_category,
            "area": entry.area,
            "level": entry.level,
        }
        for entry in entries
    ]


_UUID = re.compile(r"^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$")


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _strings(item)


def _masked(value: Any, hide: Callable[[str], bool]) -> Any:
    if isinstance(value, str):
        return ANOTHER_PERSON if hide(value) else value
    if isinstance(value, list):
        return [_masked(item, hide) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item, hide) for key, item in value.items()}
    return value


def _events(person: User) -> list[dict]:
    owned = owned_objects(person)
    about = Q(actor=person)
    for object_type, ids in owned.items():
        about |= Q(object_type=object_type, object_id__in=list(ids))
    events = list(Event.objects.filter(about).order_by("occurred_at", "pk"))
    # Other people inside details (an assessor's identifier, an admin's address) are masked.
    candidates = set()
    for event in events:
        candidates.update(s for s in _strings(event.details) if _UUID.match(s))
    others = {
        str(u)
        for u in User.objects.filter(uuid__in=[uuid.UUID(c) for c in candidates])
        .exclude(pk=person.pk)
        .values_list("uuid", flat=True)
    }
    own_emails = {person.email.lower()} | {
        e.lower() for e in person.emailaddress_set.values_list("email", flat=True)
    }

    def hide(value: str) -> bool:
        if looks_like_email(value):
            return value.strip().lower() not in own_emails
        return _UUID.match(value) is not None and str(uuid.UUID(value)) in others

    rows = []
    for event in events:
        about_own = event.object_id in owned.get(event.object_type, ())
        row = {
            "occurred_at": _when(event.occurred_at),
            "by": _who(event.actor_id, person),
            "verb": event.verb,
            "object_type": event.object_type,
            "object_id": event.object_id,
        }
        if about_own:
            row["reason"] = event.reason
            row["details"] = _masked(event.details, hide)
        rows.append(row)
    return rows


def _api_tokens(person: User) -> list[dict]:
    return [
        {
            "name": token.name,
            "created_at": _when(token.created_at),
            "last_used_at": _when(token.last_used_at),
            "expires_at": _when(token.expires_at),
            "revoked_at": _when(token.revoked_at),
        }
        for token in person.personal_tokens.all()
    ]


def _learning_platforms(person: User) -> dict:
    if not apps.is_installed("microcert.lms"):
        return {}
    identity = apps.get_model("lms", "LtiIdentity")
    launch = apps.get_model("lms", "LtiLaunch")
    result = apps.get_model("lms", "LmsResult")
    return {
        "identities": [
            {"platform": row.platform.name, "user_id": row.sub, "since": _when(row.created_at)}
            for row in identity.objects.filter(person=person).select_related("platform")
        ],
        "launches": [
            {"platform": row.platform.name, "at": _when(row.used_at), "outcome": row.outcome}
            for row in launch.objects.filter(person=person).select_related("platform")
        ],
        "results": [
            {
                "platform": row.platform.name,
                "line_item": row.lineitem,
                "score": str(row.score) if row.score is not None else None,
                "maximum": str(row.maximum) if row.maximum is not None else None,
                "activity_progress": row.activity_progress,
                "grading_progress": row.grading_progress,
                "result_time": _when(row.result_timestamp),
                "outcome": row.outcome,
            }
            for row in result.objects.filter(person=person).select_related("platform")
        ],
    }


def _erasure_requests(person: User) -> list[dict]:
    return [
        {
            "uuid": str(request.uuid),
            "status": request.status,
            "asked_through": request.channel,
            "asked_at": _when(request.created_at),
            "reason": request.reason,
            "revoke_credentials": request.revoke_credentials,
            "what_stood_in_the_way": request.blockers,
        }
        for request in ErasureRequest.objects.filter(person=person)
    ]


def _references(person: User) -> list[dict]:
    rows = []
    for label, model, field in registry.person_fields():
        rule = registry.RULES.get(label)
        if rule is None or rule.export != registry.REFERENCE:
            continue
        for row in model._base_manager.filter(**{field.name: person}).order_by("pk"):
            rows.append(
                {
                    "kind": str(model._meta.verbose_name),
                    "record": label.rsplit(".", 1)[0],
                    "you_are_named_as": str(field.verbose_name),
                    "id": _key(row),
                    "created_at": _when(getattr(row, "created_at", None)),
                }
            )
    return rows


EXPORTERS: dict[str, Callable[[User], Any]] = {
    "profile": _profile,
    "emails": _emails,
    "roles": _roles,
    "self_assessments": _self_assessments,
    "plans": _plans,
    "enrolments": _enrolments,
    "submissions": _submissions,
    "reviews_received": _reviews_received,
    "credentials": _credentials,
    "ledger": _ledger,
    "events": _events,
    "api_tokens": _api_tokens,
    "learning_platforms": _learning_platforms,
    "erasure_requests": _erasure_requests,
    "references": _references,
}


# --- the archive ------------------------------------------------------------------------------


def _evidence_files(person: User) -> Iterator[tuple[str, Storage, str]]:
    """(name in the archive, storage, stored name) of every file kept for the person's
    submissions, including files of evidence removed from a draft (kept for audit)."""
    storage = EvidenceItem._meta.get_field("file").storage
    types = dict(
        EvidenceItem.objects.filter(submission__teacher=person)
        .exclude(file="")
        .values_list("file", "content_type")
    )
    for submission_uuid in Submission.objects.filter(teacher=person).values_list("uuid", flat=True):
        folder = f"{EVIDENCE_DIR}/{submission_uuid}"
        try:
            _dirs, files = storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in sorted(files):
            stored = f"{folder}/{name}"
            yield evidence_archive_name(stored, types.get(stored, "")), storage, stored


def write_archive(person: User, out: BinaryIO) -> dict[str, int]:
    """Write the person's archive to ``out``; returns what it holds (areas, files)."""
    files = 0
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for area in registry.AREAS:
            content = json.dumps(
                EXPORTERS[area](person), cls=DjangoJSONEncoder, ensure_ascii=False, indent=2
            )
            archive.writestr(f"{area}.json", content)
        for archive_name, storage, stored_name in _evidence_files(person):
            # Evidence is mostly PDF and images, already compressed: stored as it is.
            info = zipfile.ZipInfo(archive_name, date_time=timezone.now().timetuple()[:6])
            info.compress_type = zipfile.ZIP_STORED
            with (
                storage.open(stored_name, "rb") as source,
                archive.open(info, "w", force_zip64=True) as target,
            ):
                shutil.copyfileobj(source, target, 1024 * 1024)
            files += 1
        with translation.override(person.preferred_language or "en"):
            readme = render_to_string(
                "privacy/export_readme.txt",
                {
                    "person": person,
                    "areas": [(f"{area}.json", AREA_DESCRIPTIONS[area]) for area in registry.AREAS],
                    "evidence_files": files,
                    "made_at": timezone.now(),
                },
            )
        archive.writestr("README.txt", readme)
    return {"areas": len(registry.AREAS), "evidence_files": files}
