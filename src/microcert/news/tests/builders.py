"""A small network for the news tests, made through the services: the Centre (which runs the
programme) with an editor, two member universities with their admins, a ministry, a
university outside the network, and helpers that write articles, images and cases."""

import datetime
import io
from dataclasses import dataclass

from django.utils import timezone
from PIL import Image

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.network import services as network_services
from microcert.network.models import Organisation
from microcert.news import services
from microcert.news.models import Article, Case

PASSWORD = "news-tests-password-2026"

TEXTS = {
    "title": {"en": "A visit to Hanoi", "vi": "Chuyến thăm Hà Nội", "fr": "Une visite à Hanoï"},
    "summary": {
        "en": "The Centre met its partners.",
        "vi": "Trung tâm gặp gỡ các đối tác.",
        "fr": "Le Centre a rencontré ses partenaires.",
    },
    "body": {
        "en": "First paragraph.\n\nSecond paragraph.",
        "vi": "Đoạn thứ nhất.\n\nĐoạn thứ hai.",
        "fr": "Premier paragraphe.\n\nDeuxième paragraphe.",
    },
}


def person(email: str, organisation: Organisation | None = None, role: str = "") -> User:
    user = account_services.user_create(
        email=email, legal_name=email.split("@")[0].title(), password=PASSWORD, email_verified=True
    )
    if organisation is not None:
        network_services.affiliation_grant(person=user, organisation=organisation, role=role)
    return user


def organisation(
    slug: str, *, kind: str = "hei", country: str = "VN", member: bool = False, owner: bool = False
) -> Organisation:
    created = network_services.organisation_create(
        slug=slug,
        kind=kind,
        name={"en": f"{slug.upper()} University", "vi": f"Đại học {slug.upper()}"},
        short_name=slug.upper(),
        country=country,
        subregion="south_eastern_asia",
        is_programme_owner=owner,
    )
    if member:
        membership = network_services.membership_create(organisation=created, kind="partner_hei")
        network_services.membership_set_status(membership=membership, status="active")
    return created


@dataclass
class Network:
    centre: Organisation
    hust: Organisation
    ut: Organisation
    moet: Organisation
    outsider: Organisation  # a university that is not a member of the network
    editor: User  # programme manager at the Centre
    hust_admin: User
    ut_admin: User
    outsider_admin: User
    teacher: User  # a teacher at HUST: no role in news
    reviewer: User  # an authority reviewer at MOET


def build_network() -> Network:
    centre = organisation("centre", kind="international", country="CN", owner=True)
    hust = organisation("hust", member=True)
    ut = organisation("ut", country="ID", member=True)
    moet = organisation("moet", kind="ministry")
    outsider = organisation("outsider", country="FR")
    return Network(
        centre=centre,
        hust=hust,
        ut=ut,
        moet=moet,
        outsider=outsider,
        editor=person("editor@centre.test", centre, Role.PROGRAMME_MANAGER),
        hust_admin=person("admin@hust.test", hust, Role.INSTITUTION_ADMIN),
        ut_admin=person("admin@ut.test", ut, Role.INSTITUTION_ADMIN),
        outsider_admin=person("admin@outsider.test", outsider, Role.INSTITUTION_ADMIN),
        teacher=person("teacher@hust.test", hust, Role.TEACHER),
        reviewer=person("reviewer@moet.test", moet, Role.AUTHORITY_REVIEWER),
    )


def draft(editor: User | None, slug: str = "a-visit", **changes) -> Article:
    arguments = {
        "slug": slug,
        "title": TEXTS["title"],
        "summary": TEXTS["summary"],
        "body": TEXTS["body"],
        "actor": editor,
        **changes,
    }
    return services.article_create(**arguments)


def public(editor: User | None, slug: str = "a-visit", **changes) -> Article:
    return services.article_publish(article=draft(editor, slug, **changes), actor=editor)


def scheduled(editor: User | None, slug: str = "later", days: int = 3, **changes) -> Article:
    return services.article_schedule(
        article=draft(editor, slug, **changes),
        publish_at=timezone.now() + datetime.timedelta(days=days),
        actor=editor,
    )


def event(editor: User | None, slug: str, starts_in_days: int, **changes) -> Article:
    starts = timezone.now() + datetime.timedelta(days=starts_in_days)
    return public(
        editor,
        slug,
        kind=Article.Kind.EVENT,
        event_type=Article.EventType.WORKSHOP,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=3),
        **changes,
    )


def case(network: Network, *, organisation: Organisation | None = None, **changes) -> Case:
    arguments = {
        "organisation": organisation or network.hust,
        "actor": network.hust_admin,
        "title": {"vi": "Nhóm hỗ trợ đồng nghiệp"},
        "summary": {"vi": "Giảng viên hỗ trợ nhau."},
        "body": {"vi": "Chúng tôi gặp nhau mỗi tháng."},
        **changes,
    }
    return services.case_submit(**arguments)


def published_case(network: Network, **changes) -> Case:
    return services.case_publish(case=case(network, **changes), actor=network.editor)


def png(width: int = 40, height: int = 30, colour=(200, 30, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, "PNG")
    return buffer.getvalue()


def jpeg(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 120, 200)).save(buffer, "JPEG")
    return buffer.getvalue()


def webp(width: int = 40, height: int = 30) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (10, 200, 120)).save(buffer, "WEBP")
    return buffer.getvalue()


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 0)).save(buffer, "GIF")
    return buffer.getvalue()
