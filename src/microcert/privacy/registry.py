"""Every reference to a person in the database, and what export and erasure do with it.

The list is checked against the models themselves (``unknown_references``): a foreign key or
one-to-one field to the user model that has no rule here fails the privacy tests, so an app
added later cannot hold people's data that an export forgets or an erasure leaves behind.

A rule says, for one field:

* ``export``: the area (a JSON file of the export) that shows these rows in full, or
  ``REFERENCE`` when the rows belong to someone else's or an organisation's record (a review
  the person wrote, a news article they edited): the export then only lists them, by kind
  and identifier, so nobody else's data leaves through another person's export;
* ``erase``: ``DELETE`` the rows, ``NULL`` the reference, ``KEEP`` the reference (it then
  points to the pseudonymised person: who did what stays on record, without a name), or
  ``AREA`` when an area's own step handles the rows (credentials made private, free text
  blanked, evidence files deleted…);
* ``why``: the reason, shown in the documentation and the admin.
"""

from collections.abc import Iterable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import models

REFERENCE = "reference"

DELETE = "delete"
NULL = "null"
KEEP = "keep"
AREA = "area"

# The export's areas, in the order of the README: one JSON file each.
AREAS = (
    "profile",
    "emails",
    "roles",
    "self_assessments",
    "plans",
    "enrolments",
    "submissions",
    "reviews_received",
    "credentials",
    "ledger",
    "events",
    "api_tokens",
    "learning_platforms",
    "erasure_requests",
    "references",
)


@dataclass(frozen=True)
class Rule:
    export: str  # an area of AREAS, or REFERENCE
    erase: str  # DELETE, NULL, KEEP or AREA
    why: str


RULES: dict[str, Rule] = {
    # --- people and sign-in -------------------------------------------------------------
    "account.EmailAddress.user": Rule("emails", DELETE, "Sign-in addresses are erased."),
    "mfa.Authenticator.user": Rule(
        "profile", DELETE, "Two-factor secrets are erased; the export names the methods only."
    ),
    "accounts.User_groups.user": Rule("roles", DELETE, "Permission groups are withdrawn."),
    "accounts.User_user_permissions.user": Rule(
        "roles", DELETE, "Individual permissions are withdrawn."
    ),
    "accounts.LegalNameChange.person": Rule(
        "profile", DELETE, "The history of the person's legal names is erased."
    ),
    "accounts.LegalNameChange.changed_by": Rule(
        REFERENCE, KEEP, "Who changed someone else's name stays on that person's history."
    ),
    "accounts.PersonalToken.person": Rule(
        "api_tokens", DELETE, "API tokens are erased; they stop working at once."
    ),
    "admin.LogEntry.user": Rule(
        REFERENCE,
        KEEP,
        "The admin's log of changes made as staff stays; names in its texts are hashed.",
    ),
    "core.Event.actor": Rule(
        "events",
        KEEP,
        "The legal record of who did what and when stays; e-mails and names in it are "
        "replaced by salted hashes.",
    ),
    "privacy.ErasureRequest.person": Rule(
        "erasure_requests", KEEP, "The record that the erasure was asked for and carried out."
    ),
    "privacy.ErasureRequest.requested_by": Rule(
        REFERENCE, KEEP, "Who asked for someone else's erasure stays on that record."
    ),
    "privacy.ErasureRequest.carried_out_by": Rule(
        REFERENCE, KEEP, "Who carried out an erasure stays on that record."
    ),
    # --- the partner network ------------------------------------------------------------
    "network.Affiliation.person": Rule(
        "roles",
        AREA,
        "Roles that give powers are withdrawn; a teaching role stays so that the PD ledger "
        "keeps counting the person's credentials under their institution.",
    ),
    "network.AccessionApplication.decided_by": Rule(
        REFERENCE, KEEP, "An institution's accession decision stays on its record."
    ),
    "network.AccessionApplication.admin_account": Rule(
        REFERENCE, KEEP, "The application keeps pointing to the admin account it created."
    ),
    "network.AccessionMessage.author": Rule(
        REFERENCE, KEEP, "Messages written for the network office stay on the application."
    ),
    "network.NetworkPosition.person": Rule(
        REFERENCE, NULL, "The position stays with the organisation; the public name goes."
    ),
    "network.AgreementDocument.uploaded_by": Rule(
        REFERENCE, KEEP, "An agreement's documents stay with the agreement."
    ),
    # --- news ------------------------------------------------------------------------------
    "news.Article.author": Rule(REFERENCE, KEEP, "Articles are the network's publications."),
    "news.Case.submitted_by": Rule(
        REFERENCE, KEEP, "Good-practice cases are their institution's publications."
    ),
    "news.CaseComment.author": Rule(REFERENCE, KEEP, "A case's review history stays."),
    # --- credentials -----------------------------------------------------------------------
    "credentials.IssuedCredential.recipient": Rule(
        "credentials",
        AREA,
        "Signed credentials stay verifiable and untouched; their public pages become private "
        "and, if asked, they are revoked.",
    ),
    "credentials.ApiToken.created_by": Rule(
        REFERENCE, KEEP, "An organisation's issuing tokens stay with the organisation."
    ),
    "credentials.BulkJob.created_by": Rule(
        REFERENCE, KEEP, "An organisation's bulk issuance stays on its record."
    ),
    # --- recognition -----------------------------------------------------------------------
    "recognition.InclusionApplication.submitted_by": Rule(
        REFERENCE, KEEP, "An application for recognition stays on the applicant's record."
    ),
    "recognition.InclusionDecision.decided_by": Rule(
        REFERENCE, KEEP, "An authority's decision stays on its record."
    ),
    "recognition.LedgerEntry.person": Rule(
        "ledger",
        KEEP,
        "PD ledger rows stay, pointing to the pseudonymised person, so that the ministries' "
        "reports keep their totals.",
    ),
    # --- Smart Classrooms ------------------------------------------------------------------
    "classrooms.MaintenanceTicket.opened_by": Rule(
        REFERENCE, KEEP, "A classroom's maintenance history stays."
    ),
    "classrooms.MaintenanceTicket.assignee": Rule(
        REFERENCE, KEEP, "A classroom's maintenance history stays (open tickets block)."
    ),
    "classrooms.UsageSession.recorded_by": Rule(
        REFERENCE, KEEP, "A classroom's usage record stays."
    ),
    # --- the teacher's journey -------------------------------------------------------------
    "learning.SelfAssessment.person": Rule(
        "self_assessments", DELETE, "Self-assessments and their answers are erased."
    ),
    "learning.PDPlan.teacher": Rule(
        "plans",
        AREA,
        "Approved plans stay as the institution's decision, without their notes; the others "
        "are erased.",
    ),
    "learning.PDPlan.decided_by": Rule(
        REFERENCE, KEEP, "An institution's decision on a teacher's plan stays."
    ),
    "learning.Enrolment.teacher": Rule(
        "enrolments", AREA, "Open enrolments are withdrawn (the waiting list moves up)."
    ),
    "learning.Submission.teacher": Rule(
        "submissions",
        AREA,
        "Reflections, answers, links and file names are blanked and evidence files deleted; "
        "the reviews keep their rubric scores and decisions but lose their free text.",
    ),
    "learning.Review.assessor": Rule(
        REFERENCE,
        KEEP,
        "Reviews the person wrote as an assessor are part of the teachers' records.",
    ),
    # --- learning platforms (LTI) ----------------------------------------------------------
    "lms.LtiIdentity.person": Rule(
        "learning_platforms", DELETE, "Links to the person's accounts on learning platforms."
    ),
    "lms.LtiLaunch.person": Rule(
        "learning_platforms",
        AREA,
        "Launches stay for replay safety, without the person and with the platform's user "
        "ID hashed.",
    ),
    "lms.LmsResult.person": Rule(
        "learning_platforms",
        AREA,
        "Results stay with the evidence they fed, with the platform's user ID hashed.",
    ),
}


def _is_user_model(target: object) -> bool:
    if isinstance(target, str):  # not resolved yet (an isolated model in a test)
        return target.lower() == settings.AUTH_USER_MODEL.lower()
    user_model = apps.get_model(settings.AUTH_USER_MODEL)
    return isinstance(target, type) and issubclass(target, user_model)


def person_fields(
    models_to_check: Iterable[type[models.Model]] | None = None,
) -> list[tuple[str, type[models.Model], models.Field]]:
    """``(label, model, field)`` of every concrete foreign key or one-to-one field that
    points to the user model; the label reads ``app_label.Model.field``."""
    if models_to_check is None:
        models_to_check = apps.get_models(include_auto_created=True)
    found = []
    for model in models_to_check:
        for field in model._meta.get_fields(include_hidden=True):
            if not (
                field.concrete and field.is_relation and (field.many_to_one or field.one_to_one)
            ):
                continue
            if _is_user_model(field.remote_field.model):
                found.append((f"{model._meta.label}.{field.name}", model, field))
    return found


def unknown_references(
    models_to_check: Iterable[type[models.Model]] | None = None,
) -> list[str]:
    """Labels of person references that privacy has no rule for (should be none)."""
    return sorted(label for label, _m, _f in person_fields(models_to_check) if label not in RULES)


def stale_rules() -> list[str]:
    """Rules that name no field of an installed model (a renamed or removed field)."""
    known = {label for label, _m, _f in person_fields()}
    return sorted(label for label in RULES if label not in known)


def rules_for(erase: str) -> list[tuple[str, type[models.Model], models.Field]]:
    """The person references whose rule erases with ``erase`` (installed models only)."""
    return [
        (label, model, field)
        for label, model, field in person_fields()
        if label in RULES and RULES[label].erase == erase
    ]
