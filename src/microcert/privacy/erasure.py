"""The steps of an erasure, each on one kind of record. ``services.person_erase`` runs them in
one transaction, in order; none of them is meant to be called alone.

The signed credentials are never touched here: they carry the recipient only as a salted
hash of an e-mail address, and changing one byte would break their proof.
"""

import contextlib
import os
import secrets
from collections.abc import Iterable
from typing import Any

from allauth.account.models import EmailAddress
from django.apps import apps
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.files.storage import Storage
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.credentials import services as credential_services
from microcert.credentials.models import IssuedCredential
from microcert.learning import services as learning_services
from microcert.learning.models import (
    CriterionScore,
    Enrolment,
    EvidenceItem,
    PDPlan,
    PDPlanItem,
    Review,
    Submission,
)
from microcert.network import services as network_services
from microcert.network.models import Affiliation

from . import registry
from .redaction import ERASED_EMAIL_DOMAIN, Identifiers

PSEUDONYM_PREFIX = "Erased person"
EVIDENCE_DIR = "evidence"


def identifiers_of(person: User, salt: str, owned: dict[str, set[str]]) -> Identifiers:
    """Every e-mail address and name the person has been known by here: the account, its
    addresses, the history of the legal name, and addresses recorded in events about them
    (an address removed since, for instance)."""
    from microcert.core.models import Event

    from .redaction import looks_like_email

    found = Identifiers(salt=salt)
    found.add_email(person.email)
    for email in EmailAddress.objects.filter(user=person).values_list("email", flat=True):
        found.add_email(email)
    found.add_name(person.legal_name)
    found.add_name(person.display_name)
    for old, new in person.name_changes.values_list("old_name", "new_name"):
        found.add_name(old)
        found.add_name(new)
    about_account = Event.objects.filter(
        object_type="accounts.user", object_id=str(person.pk)
    ).values_list("details", flat=True)
    for details in about_account:
        for value in _strings(details):
            if looks_like_email(value):
                found.add_email(value)
    about_roles = Event.objects.filter(
        object_type="network.affiliation", object_id__in=list(owned.get("network.affiliation", ()))
    ).values_list("details", flat=True)
    for details in about_roles:
        for value in _strings(details):
            if looks_like_email(value):
                found.add_email(value)
    return found


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)


def new_pseudonym() -> tuple[str, str]:
    """(name, e-mail address) the account carries once erased; the address is never
    deliverable (RFC 2606 ``.invalid``)."""
    token = secrets.token_hex(8)
    return f"{PSEUDONYM_PREFIX} {token[:8]}", f"erased-{token}@{ERASED_EMAIL_DOMAIN}"


# --- credentials ------------------------------------------------------------------------------


def credentials(person: User, *, actor: Any, revoke: bool) -> dict[str, int]:
    """Public pages become private; with ``revoke`` the credentials are revoked too (the
    status list says so; the signed documents stay as they are)."""
    revoked = made_private = 0
    why = _("Revoked at the holder's request, with the erasure of their data.")
    for credential in IssuedCredential.objects.filter(recipient=person).order_by("pk"):
        credential.refresh_from_db()
        if (
            revoke
            and credential.status != IssuedCredential.Status.REVOKED
            and credential.revocation_list_id is not None
        ):
            credential_services.credential_revoke(credential=credential, actor=actor, reason=why)
            revoked += 1
        if credential.is_public:
            credential_services.credential_set_visibility(
                credential=credential, actor=actor, is_public=False
            )
            made_private += 1
    return {"credentials_made_private": made_private, "credentials_revoked": revoked}


# --- the teacher's journey --------------------------------------------------------------------


def learning(person: User, *, actor: Any) -> dict[str, int]:
    """Open enrolments are withdrawn (through the workflow, so the waiting list moves up);
    the person's free text, links and file names are blanked; reviews of their work keep
    decisions and rubric scores but lose the feedback that quotes their work; approved plans
    stay as the institution's decision, without notes, and other plans go."""
    withdrawn = 0
    for enrolment in Enrolment.objects.filter(
        teacher=person, status__in=[Enrolment.Status.ENROLLED, Enrolment.Status.WAITLISTED]
    ):
        learning_services.enrolment_withdraw(enrolment=enrolment, actor=actor)
        withdrawn += 1
    submissions = Submission.objects.filter(teacher=person)
    blanked = submissions.update(reflection="", knowledge_answers={})
    EvidenceItem.objects.filter(submission__teacher=person).update(
        title="", original_name="", url="", details={}, file=""
    )
    reviews = Review.objects.filter(submission__teacher=person)
    reviews.update(feedback="", to_fix="")
    CriterionScore.objects.filter(review__in=reviews).update(comment="")
    approved = PDPlan.objects.filter(teacher=person, status=PDPlan.Status.APPROVED)
    approved.update(comment="")
    PDPlanItem.objects.filter(plan__in=approved).update(note="")
    deleted_plans, _by_model = (
        PDPlan.objects.filter(teacher=person).exclude(status=PDPlan.Status.APPROVED).delete()
    )
    return {
        "enrolments_withdrawn": withdrawn,
        "submissions_blanked": blanked,
        "plans_kept": approved.count(),
        "rows_of_plans_erased": deleted_plans,
    }


def evidence_folders(person: User) -> list[str]:
    """The storage folders of every attempt of the person (files of evidence removed from a
    draft stay there for audit, so the folder is what goes, not only the current files)."""
    return [
        f"{EVIDENCE_DIR}/{uuid}"
        for uuid in Submission.objects.filter(teacher=person).values_list("uuid", flat=True)
    ]


def delete_folders(storage: Storage, folders: Iterable[str]) -> int:
    """Delete the files of ``folders`` (after the erasure committed); returns how many."""
    deleted = 0
    for folder in folders:
        try:
            _dirs, files = storage.listdir(folder)
        except (FileNotFoundError, NotADirectoryError):
            continue
        for name in files:
            storage.delete(f"{folder}/{name}")
            deleted += 1
        with contextlib.suppress(NotImplementedError, OSError):
            os.rmdir(storage.path(folder))
    return deleted


def evidence_storage() -> Storage:
    return EvidenceItem._meta.get_field("file").storage


# --- roles, sign-in, platforms ----------------------------------------------------------------


def roles(person: User, *, actor: Any) -> int:
    """Roles that give powers are withdrawn through the network's workflow. A teaching role
    stays: it is where the PD ledger counts the person's credentials, and it gives no power
    to an account that can no longer sign in."""
    withdrawn = 0
    for affiliation in Affiliation.objects.filter(person=person, is_active=True).exclude(
        role=Role.TEACHER
    ):
        network_services.affiliation_revoke(
            affiliation=affiliation, actor=actor, reason=_("The person's data was erased.")
        )
        withdrawn += 1
    return withdrawn


def learning_platforms(person: User, identifiers: Identifiers) -> None:
    """Launches and results stay (replay safety, the evidence they fed) with the platform's
    user ID hashed; launches no longer name the person."""
    if not apps.is_installed("microcert.lms"):
        return
    launch = apps.get_model("lms", "LtiLaunch")
    result = apps.get_model("lms", "LmsResult")
    for row in launch._base_manager.filter(person=person):
        launch._base_manager.filter(pk=row.pk).update(
            person=None, sub=identifiers.token(row.sub) if row.sub else ""
        )
    for row in result._base_manager.filter(person=person):
        result._base_manager.filter(pk=row.pk).update(sub=identifiers.token(row.sub))


def generic(person: User) -> dict[str, int]:
    """The references whose rule is simply to delete the rows or to forget the person."""
    counts: dict[str, int] = {}
    for label, model, field in registry.rules_for(registry.DELETE):
        deleted, _by_model = model._base_manager.filter(**{field.name: person}).delete()
        if deleted:
            counts[label] = deleted
    for label, model, field in registry.rules_for(registry.NULL):
        updated = model._base_manager.filter(**{field.name: person}).update(**{field.name: None})
        if updated:
            counts[label] = updated
    return counts


def account(person: User, *, pseudonym: str, email: str) -> None:
    """The account keeps its row (so everything that must stay can point to it) under a
    pseudonym, and can never sign in again."""
    person.email = email
    person.legal_name = pseudonym
    person.display_name = ""
    person.preferred_language = settings.LANGUAGE_CODE
    person.is_active = False
    person.is_staff = False
    person.is_superuser = False
    person.last_login = None
    person.set_unusable_password()
    person.save()


def sessions(person: User) -> int:
    """End every session of the person (database sessions: the only kind this site uses).
    A session of an inactive account is refused anyway; this removes the rows."""
    if settings.SESSION_ENGINE != "django.contrib.sessions.backends.db":
        return 0
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(person.pk):
            session.delete()
            ended += 1
    return ended
