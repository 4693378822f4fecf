"""Privacy in the demo: a former HUST teacher whose data was erased (their credential still
verifies, their PD hours still count, the office's list shows the erasure under a
pseudonym), and a request received by letter from Youssef El Amrani, waiting for the
programme office.

Built on the demo network (``microcert.demo``) through the services; loading twice changes
nothing (each step looks for what it made before).
"""

from django.db import transaction
from django.utils import timezone

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.catalog.models import SpecificationVersion
from microcert.credentials import services as credential_services
from microcert.network import services as network_services
from microcert.network.models import Organisation
from microcert.recognition import selectors as recognition_selectors

from . import selectors, services
from .models import ErasureRequest

FORMER_TEACHER_EMAIL = "former.teacher@hust.example"
FORMER_TEACHER_NAME = "Đỗ Minh Châu"
FORMER_TEACHER_SPEC = "organise-and-facilitate-online-collaborative-learning"
ERASURE_REASON = (
    "Demo: a former HUST teacher asked by letter for their data to be erased; identity "
    "checked by the programme office."
)
WAITING_EMAIL = "youssef@cadi-ayyad.example"
WAITING_REASON = "Demo: asked by letter to the programme office; identity still to be checked."
MANAGER_EMAIL = "manager@centre.example"


def _former_teacher(manager: User | None) -> None:
    if ErasureRequest.objects.filter(
        reason=ERASURE_REASON, status=ErasureRequest.Status.DONE
    ).exists():
        return
    hust = Organisation.objects.filter(slug="hust").first()
    version = SpecificationVersion.objects.filter(
        micro_credential__slug=FORMER_TEACHER_SPEC, status=SpecificationVersion.Status.PUBLISHED
    ).first()
    if hust is None or version is None:
        return
    with transaction.atomic():
        person = User.objects.filter(email=FORMER_TEACHER_EMAIL).first()
        if person is None:
            person = account_services.user_create(
                email=FORMER_TEACHER_EMAIL,
                legal_name=FORMER_TEACHER_NAME,
                preferred_language="vi",
                email_verified=True,
            )
        network_services.affiliation_grant(person=person, organisation=hust, role=Role.TEACHER)
        credential_services.credential_issue(
            issuer=credential_services.issuer_ensure(organisation=hust, actor=None),
            recipient=person,
            version=version,
            actor=None,
            idempotency_key=f"demo:privacy:{FORMER_TEACHER_EMAIL}",
            endorsements=recognition_selectors.endorsements_in_force(
                version, on=timezone.localdate()
            ),
        )
        services.person_erase(
            person=person,
            actor=manager,
            reason=ERASURE_REASON,
            channel=ErasureRequest.Channel.OFFICE,
        )


def _waiting_request(manager: User | None) -> None:
    person = User.objects.filter(email=WAITING_EMAIL).first()
    if person is None or selectors.pending_request_of(person) or selectors.erasure_of(person):
        return
    services.erasure_request_record(
        person=person,
        actor=manager,
        reason=WAITING_REASON,
        revoke_credentials=False,
        channel=ErasureRequest.Channel.OFFICE,
        blockers=selectors.erasure_blockers(person),
    )


def load_demo() -> None:
    """Idempotent: safe to call again."""
    manager = User.objects.filter(email=MANAGER_EMAIL).first()
    _former_teacher(manager)
    _waiting_request(manager)
