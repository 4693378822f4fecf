"""Erasure: the person is gone from the platform, their credentials still verify, the
ministries' numbers do not move, and the event log keeps who did what and when."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from microcert.accounts.models import PersonalToken, User
from microcert.core.models import Event
from microcert.credentials.models import IssuedCredential, StatusList
from microcert.credentials.verification import verify_credential
from microcert.learning.models import (
    CriterionScore,
    Enrolment,
    EvidenceItem,
    PDPlan,
    Review,
    SelfAssessment,
    Submission,
)
from microcert.lms.models import LmsResult, LtiIdentity, LtiLaunch
from microcert.network.models import Affiliation
from microcert.privacy import selectors, services
from microcert.privacy.models import ErasureRequest
from microcert.recognition.models import LedgerEntry, RecognitionScheme
from microcert.recognition.reports import Dimension, Scope, build_report

from . import dbscan
from .builders import (
    HUNG_EMAIL,
    LAN_EMAIL,
    LAN_NAME,
    LAN_OLD_NAME,
    LAN_OTHER_EMAIL,
    LMS_SUB,
    PASSWORD,
    Scene,
    open_enrolment,
)

REASON = "Asked by letter of 3 March"
SIGNED = {
    ("credentials_issuedcredential", "document"),
    ("credentials_statuslist", "signed_credential"),
    ("recognition_inclusiondecision", "endorsement"),
}


def _erase(scene: Scene, capture, **kwargs) -> ErasureRequest:
    kwargs.setdefault("actor", scene.manager)
    kwargs.setdefault("reason", REASON)
    with capture(execute=True):
        return services.person_erase(person=scene.lan, **kwargs)


def _totals() -> dict:
    totals = {}
    for scheme in RecognitionScheme.objects.all():
        total = build_report(Scope(scheme=scheme, period=None), Dimension.INSTITUTION, threshold=1)
        row = total.total
        totals[scheme.slug] = (row.people, row.credentials, row.amount, row.hours, row.completed)
    return totals


def _event_record() -> list[tuple]:
    return list(
        Event.objects.order_by("pk").values_list(
            "pk", "occurred_at", "actor_id", "verb", "object_type", "object_id"
        )
    )


def test_the_person_can_no_longer_sign_in(scene, client, django_capture_on_commit_callbacks):
    signed_in = client.__class__()
    signed_in.force_login(scene.lan)
    _erase(scene, django_capture_on_commit_callbacks)
    lan = User.objects.get(pk=scene.lan.pk)
    assert not lan.is_active and not lan.has_usable_password()
    assert lan.legal_name.startswith("Erased person ") and lan.email.endswith("@erased.invalid")
    assert not client.login(email=LAN_EMAIL, password=PASSWORD)
    assert not client.login(email=lan.email, password=PASSWORD)
    response = client.post(reverse("account_login"), {"login": LAN_EMAIL, "password": PASSWORD})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    # The session that was open is over.
    assert signed_in.get(reverse("privacy:mine")).status_code == 302
    assert not PersonalToken.objects.filter(person=lan).exists()
    # Learning platforms: the identity goes; launches and results stay, unlinkable.
    assert not LtiIdentity.objects.filter(person=lan).exists()
    assert not LtiLaunch.objects.filter(sub=LMS_SUB).exists()
    assert not LmsResult.objects.filter(sub=LMS_SUB).exists()
    assert LtiLaunch.objects.filter(person__isnull=True, sub__startswith="sha256:").exists()
    assert LmsResult.objects.get(person=lan).sub.startswith("sha256:")


def test_their_name_and_addresses_are_nowhere_in_the_database(
    scene, django_capture_on_commit_callbacks
):
    needles = [LAN_EMAIL, LAN_OTHER_EMAIL, LAN_NAME, LAN_OLD_NAME]
    assert dbscan.find(needles, skip=SIGNED)  # the scan does find them before
    _erase(scene, django_capture_on_commit_callbacks, reason=f"Letter from {LAN_NAME}")
    assert dbscan.find(needles, skip=SIGNED) == []
    # The signed credentials never held them in clear: only a salted hash of the address.
    for credential in IssuedCredential.objects.filter(recipient=scene.lan):
        document = str(credential.document)
        assert LAN_EMAIL not in document and LAN_NAME not in document
        (identity,) = credential.document["credentialSubject"]["identifier"]
        assert identity["hashed"] is True and identity["identityHash"].startswith("sha256$")
    # Other people are untouched.
    hung = User.objects.get(email=HUNG_EMAIL)
    assert hung.legal_name == "Lê Văn Hùng" and hung.is_active
    assert Submission.objects.filter(teacher=hung).exclude(reflection="").exists()


def test_credentials_still_verify_and_their_pages_are_private(
    scene, client, django_capture_on_commit_callbacks
):
    credentials = list(IssuedCredential.objects.filter(recipient=scene.lan))
    documents = {c.pk: c.document for c in credentials}
    lists = {s.pk: bytes(s.bits) for s in StatusList.objects.all()}
    assert (
        client.get(reverse("credentials:detail", args=[scene.credential.uuid])).status_code == 200
    )
    _erase(scene, django_capture_on_commit_callbacks)
    for credential in IssuedCredential.objects.filter(recipient=scene.lan):
        assert credential.document == documents[credential.pk]
        assert credential.status == IssuedCredential.Status.ACTIVE and not credential.is_public
        result = verify_credential(credential.document, allow_network=False)
        assert result.verified, result.errors
        page = client.get(reverse("credentials:detail", args=[credential.uuid]))
        assert page.status_code == 404
    assert {s.pk: bytes(s.bits) for s in StatusList.objects.all()} == lists


def test_asked_for_the_credentials_are_revoked_in_their_status_list(
    scene, django_capture_on_commit_callbacks
):
    request = _erase(scene, django_capture_on_commit_callbacks, revoke_credentials=True)
    assert request.revoke_credentials and request.summary["credentials_revoked"] >= 1
    credential = IssuedCredential.objects.get(pk=scene.credential.pk)
    assert credential.status == IssuedCredential.Status.REVOKED
    result = verify_credential(credential.document, allow_network=False)
    assert result.revoked and not result.verified


def test_the_reports_totals_do_not_move(scene, django_capture_on_commit_callbacks):
    before = _totals()
    rows = LedgerEntry.objects.filter(person=scene.lan).count()
    assert rows and any(total[0] for total in before.values())
    _erase(scene, django_capture_on_commit_callbacks)
    assert _totals() == before
    assert LedgerEntry.objects.filter(person=scene.lan).count() == rows
    # The teaching role that places the ledger rows under HUST stays; nothing recomputed drops
    # them later.
    assert Affiliation.objects.filter(person=scene.lan, role="teacher", is_active=True).exists()


def test_their_work_loses_its_text_and_files_but_the_reviews_keep_their_scores(
    scene, django_capture_on_commit_callbacks
):
    evidence = list(EvidenceItem.objects.filter(submission=scene.submission).exclude(file=""))
    storage = evidence[0].file.storage
    names = [item.file.name for item in evidence]
    assert all(storage.exists(name) for name in names)
    scores = list(
        CriterionScore.objects.filter(review__submission=scene.submission).values_list(
            "criterion_id", "level_id"
        )
    )
    _erase(scene, django_capture_on_commit_callbacks)
    assert not any(storage.exists(name) for name in names)
    submission = Submission.objects.get(pk=scene.submission.pk)
    assert submission.reflection == "" and submission.status == Submission.Status.PASSED
    assert (
        not EvidenceItem.objects.filter(submission=submission)
        .exclude(file="", original_name="", url="", title="")
        .exists()
    )
    review = Review.objects.get(submission=submission)
    assert (review.feedback, review.to_fix, review.decision) == ("", "", "pass")
    assert review.score is not None
    kept = CriterionScore.objects.filter(review=review)
    assert list(kept.values_list("criterion_id", "level_id")) == scores
    assert not SelfAssessment.objects.filter(person=scene.lan).exists()
    (plan,) = PDPlan.objects.filter(teacher=scene.lan)
    assert plan.status == "approved" and plan.comment == ""


def test_open_enrolments_are_withdrawn(scene, django_capture_on_commit_callbacks):
    enrolment = open_enrolment(scene.lan, scene.hust)
    _erase(scene, django_capture_on_commit_callbacks)
    enrolment.refresh_from_db()
    assert enrolment.status == Enrolment.Status.WITHDRAWN


def test_the_event_log_keeps_who_did_what_and_when_with_hashed_details(
    scene, django_capture_on_commit_callbacks
):
    record = _event_record()
    created = Event.objects.get(verb="person.created", object_id=str(scene.lan.pk))
    request = _erase(scene, django_capture_on_commit_callbacks, actor=scene.lan, reason="Mine")
    after = _event_record()
    # Nothing rewritten of who, what, which object and when; only events added.
    assert after[: len(record)] == record
    created.refresh_from_db()
    salted = services.erasure.identifiers_of
    assert salted  # the salt is on the record: the hash of her address can be matched
    expected = request_token(request, LAN_EMAIL)
    assert created.details == {"email": expected}
    own = Event.objects.filter(actor=scene.lan, verb="submission.submitted").get()
    assert own.actor_label == expected
    erased = Event.objects.get(verb="person.erased", actor=scene.lan)
    assert (erased.actor_id, erased.reason) == (scene.lan.pk, "Mine")
    assert erased.details["request"] == str(request.uuid)
    assert not erased.actor_label.startswith("lan")


def request_token(request: ErasureRequest, value: str) -> str:
    from microcert.privacy.redaction import Identifiers

    return Identifiers(salt=request.salt).token(value)


def test_erasing_twice_changes_nothing(scene, django_capture_on_commit_callbacks):
    first = _erase(scene, django_capture_on_commit_callbacks)
    events = Event.objects.count()
    again = _erase(scene, django_capture_on_commit_callbacks, reason="Again")
    assert again.pk == first.pk and again.reason == REASON
    assert Event.objects.count() == events
    assert ErasureRequest.objects.filter(person=scene.lan).count() == 1


def _snapshot(person: User) -> tuple:
    person.refresh_from_db()
    return (
        person.email,
        person.legal_name,
        person.is_active,
        Event.objects.count(),
        ErasureRequest.objects.count(),
        IssuedCredential.objects.filter(recipient=person, is_public=True).count(),
    )


@pytest.mark.parametrize("reason", ["", "   "])
def test_without_a_reason_nothing_changes(scene, reason):
    before = _snapshot(scene.lan)
    with pytest.raises(ValidationError, match="reason"):
        services.person_erase(person=scene.lan, actor=scene.manager, reason=reason)
    assert _snapshot(scene.lan) == before


def test_the_last_programme_manager_is_not_erased(scene):
    before = _snapshot(scene.manager)
    with pytest.raises(services.ErasureRefused) as refused:
        services.person_erase(person=scene.manager, actor=scene.manager, reason=REASON)
    assert "last programme manager" in " ".join(refused.value.messages)
    assert _snapshot(scene.manager) == before


def test_an_assessor_with_reviews_to_do_is_not_erased_and_says_why(scene):
    waiting = Review.objects.filter(status=Review.Status.ASSIGNED).select_related("assessor")
    assessor = waiting.first().assessor
    before = _snapshot(assessor)
    with pytest.raises(services.ErasureRefused) as refused:
        services.person_erase(person=assessor, actor=scene.manager, reason=REASON)
    assert "assign" in " ".join(refused.value.messages)
    assert _snapshot(assessor) == before


def test_a_blocked_request_waits_for_the_office_and_can_be_withdrawn(scene):
    hung = scene.hung  # his attempt is waiting for an assessor in the demo
    request = services.erasure_ask(person=hung, actor=hung, reason="Please erase me")
    assert request.status == ErasureRequest.Status.PENDING
    assert any("waiting for an assessor" in blocker for blocker in request.blockers)
    # The demo's request received by letter waits beside it.
    waiting = set(selectors.pending_requests()) - {request}
    assert request in selectors.pending_requests() and hung not in {w.person for w in waiting}
    hung.refresh_from_db()
    assert hung.is_active and hung.email == HUNG_EMAIL
    again = services.erasure_ask(person=hung, actor=hung, reason="Still please")
    assert again.pk == request.pk and again.reason == "Still please"
    services.erasure_request_withdraw(request=again, actor=hung)
    assert set(selectors.pending_requests()) == waiting


def test_a_superuser_is_not_erased_until_an_operator_removes_the_status(db):
    from microcert.accounts import services as account_services

    operator = account_services.user_create(email="ops@centre.example", legal_name="Ops Person")
    User.objects.filter(pk=operator.pk).update(is_superuser=True, is_staff=True)
    operator.refresh_from_db()
    before = _snapshot(operator)
    with pytest.raises(services.ErasureRefused) as refused:
        services.person_erase(person=operator, actor=operator, reason=REASON)
    assert "superuser" in " ".join(refused.value.messages)
    assert _snapshot(operator) == before
