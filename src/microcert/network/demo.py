"""Demo content of the partner network's workflows, on top of the programme's demo data.

HUST's accession, approved in October 2024 (the demo loader made its membership and its
admin, so the application is recorded as history); two applications still with the network
office, one new and one asked for more information; HUST as Viet Nam's National Centre under
the 2024 memorandum; the network's positions in 2026; and a visit-and-dialogue item on the
HUST memorandum, beside the items the demo loader gave it.

``load_demo()`` is idempotent: everything is looked up by a natural key first, so a second
run adds nothing. It needs the demo's organisations, people and agreements (``demo_load``).
"""

import datetime

from django.db import transaction
from django.utils import timezone

from microcert.accounts.models import User
from microcert.core.services import event_record

from . import services
from .models import (
    AccessionApplication,
    AccessionContact,
    AccessionMessage,
    Agreement,
    CooperationItem,
    Membership,
    NationalCentre,
    NetworkPosition,
    Organisation,
)

MANAGER = "manager@centre.example"
HUST_ADMIN = "admin@hust.example"
HUST_MOU = "MOU-2024-HUST"
PENDING = "Chulalongkorn University"
ASKED = "Al-Farabi Kazakh National University"
YEAR = 2026


def _hust_accession(manager: User | None) -> bool:
    hust = Organisation.objects.get(slug="hust")
    if hust.accession_applications.exists():
        return False
    admin = User.objects.filter(email=HUST_ADMIN).first()
    membership = hust.memberships.exclude(status=Membership.Status.ENDED).first()
    if membership is None:
        return False
    decided = timezone.make_aware(datetime.datetime(2024, 10, 15, 10, 0))
    application = AccessionApplication.objects.create(
        organisation=hust,
        membership_kind=membership.kind,
        motivation=(
            "HUST trains thousands of lecturers each year and wants its teachers' digital and "
            "AI competences certified from evidence of their teaching, recognised by MOET as "
            "professional development, and to co-develop the programme in Vietnamese."
        ),
        intended_cooperation=[
            CooperationItem.Kind.NETWORK_ACCESSION,
            CooperationItem.Kind.PROGRAMME_CODEVELOPMENT,
            CooperationItem.Kind.PD_RECOGNITION,
            CooperationItem.Kind.SMART_CLASSROOM,
        ],
        language="vi",
        status=AccessionApplication.Status.APPROVED,
        decided_at=decided,
        decided_by=manager,
        membership=membership,
        admin_account=admin,
    )
    # The dates it really had, not the day the demo was loaded.
    AccessionApplication.objects.filter(pk=application.pk).update(
        created_at=timezone.make_aware(datetime.datetime(2024, 9, 2, 9, 0))
    )
    AccessionContact.objects.create(
        application=application,
        name=admin.legal_name if admin else "HUST International Office",
        email=HUST_ADMIN,
        position="Director, International Relations",
        is_primary=True,
    )
    message = AccessionMessage.objects.create(
        application=application,
        kind=AccessionMessage.Kind.APPROVAL,
        body="Welcome to the network; the memorandum is signed today.",
        author=manager,
    )
    AccessionMessage.objects.filter(pk=message.pk).update(created_at=decided)
    event_record(
        actor=manager,
        verb="accession.approved",
        target=application,
        reason="Demo data: HUST's accession in October 2024",
        details={"organisation": hust.slug, "organisation_created": False},
    )
    return True


def _applications(manager: User | None) -> int:
    made = 0
    if not AccessionApplication.objects.filter(proposed_name=PENDING).exists():
        services.accession_submit(
            proposed=services.ProposedOrganisation(
                name=PENDING,
                short_name="CU",
                kind=Organisation.Kind.HEI,
                country="TH",
                subregion="south_eastern_asia",
                city="Bangkok",
                website="https://www.chula.ac.th",
            ),
            membership_kind=Membership.Kind.PARTNER_HEI,
            contacts=[
                services.ContactDetails(
                    name="Dr. Suda Chaiyaporn",
                    email="suda.c@chula.example",
                    position="Assistant to the Vice President for Academic Affairs",
                    is_primary=True,
                ),
                services.ContactDetails(
                    name="Krit Wongsawat", email="krit.w@chula.example", position="Teaching unit"
                ),
            ],
            motivation=(
                "Our Centre for Teaching and Learning runs a digital-pedagogy programme for "
                "new lecturers; we want it to lead to micro-credentials that are recognised "
                "across ASEAN, and to share our course designs with the network."
            ),
            intended_cooperation=[
                CooperationItem.Kind.NETWORK_ACCESSION,
                CooperationItem.Kind.PROGRAMME_CODEVELOPMENT,
            ],
            language="en",
        )
        made += 1
    if not AccessionApplication.objects.filter(proposed_name=ASKED).exists():
        application, _key = services.accession_submit(
            proposed=services.ProposedOrganisation(
                name=ASKED,
                short_name="KazNU",
                kind=Organisation.Kind.HEI,
                country="KZ",
                subregion="central_asia",
                city="Almaty",
            ),
            membership_kind=Membership.Kind.NATIONAL_CENTRE,
            contacts=[
                services.ContactDetails(
                    name="Aigerim Nurlanovna",
                    email="aigerim.n@kaznu.example",
                    position="Vice-Rector for Digitalisation",
                    is_primary=True,
                )
            ],
            motivation=(
                "KazNU would like to serve as the network's National Centre for Kazakhstan and "
                "bring the micro-certification programme to the country's universities."
            ),
            intended_cooperation=[
                CooperationItem.Kind.NETWORK_ACCESSION,
                CooperationItem.Kind.PD_RECOGNITION,
                CooperationItem.Kind.SMART_CLASSROOM,
            ],
            language="en",
        )
        services.accession_request_information(
            application=application,
            message=(
                "Thank you. To consider a National Centre, please tell us which universities "
                "of Kazakhstan you would coordinate, and whether the Ministry of Science and "
                "Higher Education supports the application (a letter is welcome)."
            ),
            actor=manager,
        )
        made += 1
    return made


def _national_centre(manager: User | None) -> bool:
    if NationalCentre.objects.filter(country="VN").exists():
        return False
    agreement = Agreement.objects.filter(reference=HUST_MOU).first()
    if agreement is None:
        return False
    services.national_centre_designate(
        organisation=Organisation.objects.get(slug="hust"),
        agreement=agreement,
        starts_on=datetime.date(2025, 1, 1),
        actor=manager,
    )
    return True


POSITIONS = [
    # (kind, sub-region, organisation, person's e-mail)
    (NetworkPosition.Kind.PRESIDENCY, "", "hust", HUST_ADMIN),
    (NetworkPosition.Kind.SECRETARY_GENERAL, "", "centre", MANAGER),
    (NetworkPosition.Kind.DEPUTY_SECRETARY_GENERAL, "", "ain-shams", None),
    (NetworkPosition.Kind.DEPUTY_SECRETARY_GENERAL, "", "ut", "admin@ut.example"),
    (NetworkPosition.Kind.REGIONAL_COORDINATOR, "south_eastern_asia", "ut", None),
    (NetworkPosition.Kind.REGIONAL_COORDINATOR, "northern_africa", "cadi-ayyad", None),
    (NetworkPosition.Kind.REGIONAL_COORDINATOR, "eastern_asia", "must", None),
]


def _positions(manager: User | None) -> int:
    made = 0
    for kind, subregion, slug, email in POSITIONS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        held = NetworkPosition.objects.filter(year=YEAR, kind=kind, subregion=subregion)
        if kind == NetworkPosition.Kind.DEPUTY_SECRETARY_GENERAL:
            held = held.filter(organisation=organisation)
        if held.exists():
            continue
        person = User.objects.filter(email=email).first() if email else None
        services.position_appoint(
            year=YEAR,
            kind=kind,
            subregion=subregion,
            organisation=organisation,
            person=person,
            actor=manager,
        )
        made += 1
    return made


def _visit_item(manager: User | None) -> bool:
    agreement = Agreement.objects.filter(reference=HUST_MOU).first()
    if agreement is None or agreement.items.filter(kind="visit_dialogue").exists():
        return False
    item = services.cooperation_item_add(
        agreement=agreement,
        kind=CooperationItem.Kind.VISIT_DIALOGUE,
        title={
            "en": "Policy dialogue with MOET and a study visit to the Centre",
            "vi": "Đối thoại chính sách với Bộ GD&ĐT và chuyến khảo sát tại Trung tâm",
            "zh-hans": "与越南教育培训部的政策对话及赴中心考察",
            "fr": "Dialogue politique avec le MOET et visite d'étude au Centre",
        },
        owner=Organisation.objects.filter(slug="centre").first(),
        due_on=datetime.date(2026, 4, 30),
        actor=manager,
    )
    services.cooperation_item_set_status(
        item=item, status=CooperationItem.Status.IN_PROGRESS, actor=manager
    )
    return True


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Add the network's workflow demo; return how many things of each kind were added."""
    manager = User.objects.filter(email=MANAGER).first()
    return {
        "accessions": int(_hust_accession(manager)) + _applications(manager),
        "national_centres": int(_national_centre(manager)),
        "positions": _positions(manager),
        "cooperation_items": int(_visit_item(manager)),
    }
