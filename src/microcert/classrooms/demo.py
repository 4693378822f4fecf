"""Demo content of the Smart Classroom registry, on top of the programme's demo data.

HUST's Smart Classroom, equipped by the Centre under their 2024 memorandum (the Centre owns
the memorandum's Smart Classroom item, so it is the sponsor), installed and launched at the
end of 2024: its equipment (one camera under repair, the lecture-capture appliance's
warranty running out), an open ticket and a resolved one, and the sessions it served, among
them lectures recorded for HUST's micro-credential offerings.

``load_demo()`` is idempotent: everything is looked up by a natural key first, so a second
run adds nothing. It needs the demo's organisations, people and offerings (``demo_load``).
"""

import datetime
import zoneinfo

from django.db import transaction
from django.utils import timezone

from microcert.accounts.models import User
from microcert.catalog.models import Offering
from microcert.network.models import Organisation

from . import services
from .models import Equipment, MaintenanceTicket, SmartClassroom, UsageSession

SLUG = "hust-smart-classroom"
HANOI = zoneinfo.ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = "admin@hust.example"
TEACHER = "lan.pham@hust.example"
COLLABORATION = "organise-and-facilitate-online-collaborative-learning"
DATA_INSIGHTS = "guide-personalised-learning-with-data-insights"

NAME = {
    "en": "HUST Smart Classroom for Digital Teaching",
    "vi": "Lớp học thông minh phục vụ giảng dạy số của Đại học Bách khoa Hà Nội",
    "zh-hans": "河内百科大学数字教学智慧教室",
    "fr": "Salle de classe intelligente de l'HUST pour l'enseignement numérique",
}
DESCRIPTION = {
    "en": (
        "A hybrid teaching studio equipped by the Centre under the 2024 memorandum: two "
        "interactive displays, tracking cameras, ceiling microphones and a lecture-capture "
        "system let HUST lecturers record lectures for online micro-credential offerings, "
        "broadcast to partner universities and train colleagues in digital pedagogy."
    ),
    "vi": (
        "Phòng học kết hợp do Trung tâm trang bị theo biên bản ghi nhớ năm 2024: hai màn hình "
        "tương tác, camera bám theo giảng viên, micrô gắn trần và hệ thống ghi hình bài giảng "
        "giúp giảng viên Đại học Bách khoa Hà Nội ghi hình bài giảng cho các khóa chứng chỉ vi "
        "mô trực tuyến, phát trực tiếp tới các trường đối tác và tập huấn đồng nghiệp về sư "
        "phạm số."
    ),
    "zh-hans": (
        "由中心根据2024年谅解备忘录装备的混合式教学工作室：两块交互式显示屏、自动跟踪摄像机、"
        "吸顶麦克风和课程录制系统，使河内百科大学的教师能够为在线微证书课程录制讲座、"
        "向伙伴大学进行直播，并培训同事开展数字化教学。"
    ),
    "fr": (
        "Un studio d'enseignement hybride équipé par le Centre dans le cadre du protocole "
        "d'accord de 2024 : deux écrans interactifs, des caméras de suivi, des microphones au "
        "plafond et un système de captation permettent aux enseignants de l'HUST d'enregistrer "
        "des cours pour les sessions en ligne des micro-certifications, de diffuser en direct "
        "vers les universités partenaires et de former leurs collègues à la pédagogie numérique."
    ),
}

THREE_YEARS = datetime.date(2027, 11, 30)
FIVE_YEARS = datetime.date(2029, 11, 30)
# (kind, label, vendor, model, serial, warranty until); ``None`` for the lecture-capture
# appliance means "40 days after the demo is loaded", so its warning always shows.
EQUIPMENT = [
    (
        "interactive_display",
        "Front display",
        "Brightwall",
        "IFP-86 Pro",
        "BW86-24110371",
        FIVE_YEARS,
    ),
    ("interactive_display", "Side display", "Brightwall", "IFP-75", "BW75-24110512", FIVE_YEARS),
    ("camera", "Lecturer-tracking camera", "Vistacam", "PTZ-4K Track", "VC4K-0098231", THREE_YEARS),
    ("camera", "Rear camera", "Vistacam", "PTZ-20X", "VC20-0071904", THREE_YEARS),
    (
        "microphone_array",
        "Ceiling array, front",
        "Sonora Audio",
        "CA-360",
        "SA360-11873",
        THREE_YEARS,
    ),
    (
        "microphone_array",
        "Ceiling array, rear",
        "Sonora Audio",
        "CA-360",
        "SA360-11874",
        THREE_YEARS,
    ),
    ("lecture_capture", "Recording appliance", "Capturely", "Studio S2", "CPS2-2024-0457", None),
    ("pc", "Lecturer PC", "Northbridge Systems", "Mini Q7", "NBQ7-5567012", THREE_YEARS),
    ("pc", "Control PC", "Northbridge Systems", "Tower T5", "NBT5-5567388", THREE_YEARS),
    ("network", "Classroom switch", "Meshlink", "SW-24P PoE", "ML24P-90031", FIVE_YEARS),
    ("network", "Wi-Fi access point", "Meshlink", "AP-6E", "MLAP-77120", FIVE_YEARS),
    ("other", "Document camera", "Vistacam", "DocView 13", "VCDV-31877", THREE_YEARS),
]


def _at(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(year, month, day, hour, minute, tzinfo=HANOI)


def _person(email: str) -> User | None:
    return User.objects.filter(email=email).first()


def _classroom() -> SmartClassroom:
    existing = SmartClassroom.objects.filter(slug=SLUG).first()
    if existing is not None:
        return existing
    hust = Organisation.objects.get(slug="hust")
    sponsor = Organisation.objects.filter(slug="centre", kind__in=services.SPONSOR_KINDS).first()
    return services.classroom_create(
        slug=SLUG,
        host=hust,
        sponsor=sponsor,
        name=NAME,
        description=DESCRIPTION,
        building="Tạ Quang Bửu Library",
        room="902",
        phase=SmartClassroom.Phase.PILOT,
        status=SmartClassroom.Status.IN_SERVICE,
        installed_on=datetime.date(2024, 11, 25),
        launched_on=datetime.date(2024, 12, 10),
        capacity=60,
        time_zone="Asia/Ho_Chi_Minh",
        is_public=True,
        actor=None,
    )


def _equipment(classroom: SmartClassroom, admin: User | None) -> dict[str, Equipment]:
    items = {}
    for kind, label, vendor, model, serial, warranty in EQUIPMENT:
        item = Equipment.objects.filter(vendor=vendor, serial=serial).first()
        if item is None:
            item = services.equipment_add(
                classroom=classroom,
                kind=kind,
                label=label,
                vendor=vendor,
                model=model,
                serial=serial,
                warranty_until=warranty or timezone.localdate() + datetime.timedelta(days=40),
                actor=admin,
            )
        items[label] = item
    return items


def _tickets(classroom: SmartClassroom, items: dict[str, Equipment], admin, teacher) -> None:
    title = "Echo in the rear rows during broadcasts"
    if not classroom.tickets.filter(title=title).exists():
        ticket = services.ticket_open(
            classroom=classroom,
            title=title,
            description=(
                "Remote participants hear an echo of their own voice whenever students in "
                "the last three rows speak. It started after the furniture was rearranged."
            ),
            equipment=items["Ceiling array, rear"],
            actor=admin,
            at=_at(2025, 3, 10, 10, 15),
        )
        services.ticket_assign(ticket=ticket, assignee=admin, actor=admin, at=_at(2025, 3, 10, 11))
        services.ticket_set_status(
            ticket=ticket, status="in_progress", actor=admin, at=_at(2025, 3, 11, 9)
        )
        services.ticket_set_status(
            ticket=ticket,
            status="resolved",
            note=(
                "Updated the array's firmware and ran the room's echo-cancellation "
                "calibration again; tested with a two-way broadcast to Ain Shams University."
            ),
            actor=admin,
            at=_at(2025, 3, 14, 16, 30),
        )
    title = "The rear camera shows no picture"
    if not classroom.tickets.filter(title=title).exists():
        camera = items["Rear camera"]
        ticket = services.ticket_open(
            classroom=classroom,
            title=title,
            description=(
                "Since Monday the audience view stays black in the recording software; the "
                "camera's light is on. Students asking questions are not recorded."
            ),
            priority=MaintenanceTicket.Priority.HIGH,
            equipment=camera,
            actor=teacher,
            at=_at(2026, 11, 27, 9, 40),
        )
        services.ticket_assign(
            ticket=ticket, assignee=admin, actor=admin, at=_at(2026, 11, 27, 10, 5)
        )
        services.ticket_set_status(
            ticket=ticket,
            status="in_progress",
            note="Sent to the vendor's service centre; a loan camera is requested.",
            actor=admin,
            at=_at(2026, 11, 28, 8, 30),
        )
        services.equipment_update(
            equipment=camera,
            status=Equipment.Status.UNDER_REPAIR,
            reason="At the vendor's service centre.",
            actor=admin,
        )


def _offering(slug: str, host: Organisation) -> Offering | None:
    return Offering.objects.filter(version__micro_credential__slug=slug, host=host).first()


def _sessions(classroom: SmartClassroom, admin: User | None) -> None:
    collaboration = _offering(COLLABORATION, classroom.host)
    data_insights = _offering(DATA_INSIGHTS, classroom.host)
    media = "https://media.hust.example/smart-classroom/"
    held = [
        # (kind, language, title, starts at, minutes, participants, recording, offering)
        (
            "training",
            "vi",
            "Khai trương Lớp học thông minh: tập huấn sử dụng thiết bị cho giảng viên",
            _at(2024, 12, 10, 9),
            180,
            42,
            "",
            None,
        ),
        (
            "live_broadcast",
            "en",
            "Network webinar: generative AI in assessment, broadcast from HUST",
            _at(2025, 3, 20, 14),
            90,
            215,
            f"{media}2025-ai-assessment-webinar",
            None,
        ),
        (
            "training",
            "vi",
            "Tập huấn: thiết kế bài giảng kết hợp với hệ thống ghi hình",
            _at(2025, 9, 15, 8, 30),
            150,
            28,
            "",
            None,
        ),
        (
            "recorded_lecture",
            "vi",
            "Học phần 1: Thiết kế nhiệm vụ học tập cộng tác trực tuyến",
            _at(2026, 11, 18, 14),
            55,
            12,
            f"{media}collaboration-module-1",
            collaboration,
        ),
        (
            "recorded_lecture",
            "vi",
            "Học phần 2: Điều phối nhóm học tập và phản hồi trực tuyến",
            _at(2026, 11, 25, 14),
            60,
            9,
            f"{media}collaboration-module-2",
            collaboration,
        ),
        (
            "recorded_lecture",
            "vi",
            "Bài giảng mở đầu: phân tích dữ liệu học tập để cá nhân hóa việc học",
            _at(2026, 12, 2, 9),
            50,
            0,
            f"{media}data-insights-opening",
            data_insights,
        ),
    ]
    for kind, language, title, starts_at, minutes, people, recording, offering in held:
        if classroom.sessions.filter(title=title).exists():
            continue
        services.session_record(
            classroom=classroom,
            kind=kind,
            language=language,
            title=title,
            starts_at=starts_at,
            duration_minutes=minutes,
            participants=people,
            recording_url=recording,
            offering=offering,
            actor=admin,
        )
    # One session still to come, three weeks after the demo is loaded.
    title = "Tập huấn nhắc lại: ghi hình bài giảng cho giảng viên mới"
    if not classroom.sessions.filter(title=title).exists():
        day = timezone.localdate() + datetime.timedelta(days=21)
        services.session_record(
            classroom=classroom,
            kind=UsageSession.Kind.TRAINING,
            status=UsageSession.Status.SCHEDULED,
            language="vi",
            title=title,
            starts_at=datetime.datetime.combine(day, datetime.time(9), tzinfo=HANOI),
            duration_minutes=120,
            participants=20,
            actor=admin,
        )


@transaction.atomic
def load_demo() -> None:
    """HUST's Smart Classroom with its equipment, tickets and sessions (idempotent)."""
    admin, teacher = _person(ADMIN), _person(TEACHER)
    classroom = _classroom()
    items = _equipment(classroom, admin)
    _tickets(classroom, items, admin, teacher)
    _sessions(classroom, admin)
