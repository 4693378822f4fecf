"""Reads of the partner network, used by views, rules and other apps."""

import datetime
import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.core.models import Event

from .models import (
    AccessionAccessKey,
    AccessionApplication,
    Affiliation,
    Agreement,
    CooperationItem,
    Membership,
    NationalCentre,
    NetworkPosition,
    Organisation,
    SubRegion,
)


def programme_owner() -> Organisation | None:
    return Organisation.objects.filter(is_programme_owner=True).first()


def active_roles(user: User) -> set[tuple[int, str]]:
    """The (organisation id, role) pairs a person holds now, cached on the user object."""
    if not getattr(user, "is_authenticated", False):
        return set()
    cached = getattr(user, "_microcert_roles", None)
    if cached is None:
        cached = set(
            Affiliation.objects.filter(person=user, is_active=True).values_list(
                "organisation_id", "role"
            )
        )
        user._microcert_roles = cached
    return cached


def has_role(user: User, role: str, organisation: Organisation | None = None) -> bool:
    roles = active_roles(user)
    if organisation is None:
        return any(r == role for _, r in roles)
    return (organisation.pk, role) in roles


def organisation_ids_where(user: User, role: str) -> set[int]:
    return {org_id for org_id, r in active_roles(user) if r == role}


def people_of_organisation(organisation: Organisation) -> QuerySet[User]:
    """Everyone with an active role in the organisation, with their roles there."""
    return (
        User.objects.filter(affiliations__organisation=organisation, affiliations__is_active=True)
        .distinct()
        .prefetch_related(
            Prefetch(
                "affiliations",
                queryset=Affiliation.objects.filter(organisation=organisation, is_active=True),
                to_attr="roles_here",
            )
        )
        .order_by("legal_name", "email")
    )


def active_affiliations(person: User) -> QuerySet[Affiliation]:
    """The roles a person holds now, with their organisations."""
    return person.affiliations.filter(is_active=True).select_related("organisation")


def organisations_of_person(person: User) -> QuerySet[Organisation]:
    return Organisation.objects.filter(
        affiliations__person=person, affiliations__is_active=True
    ).distinct()


def partner_directory() -> QuerySet[Organisation]:
    """Organisations with an active membership, for the public directory."""
    return (
        Organisation.objects.filter(memberships__status=Membership.Status.ACTIVE)
        .prefetch_related(
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(status=Membership.Status.ACTIVE),
                to_attr="active_memberships",
            )
        )
        .order_by("country", "name")
        .distinct()
    )


def agreements_visible_to(user: User) -> QuerySet[Agreement]:
    """Agreements are private to their parties' admins and the programme's managers."""
    qs = Agreement.objects.prefetch_related("parties", "items")
    if user.is_superuser or has_role(user, Role.PROGRAMME_MANAGER):
        return qs
    admin_of = organisation_ids_where(user, Role.INSTITUTION_ADMIN)
    return qs.filter(parties__in=admin_of).distinct()


def organisations_by_slug(slugs: list[str]) -> dict[str, Organisation]:
    return {o.slug: o for o in Organisation.objects.filter(slug__in=slugs)}


# --- Accession --------------------------------------------------------------------------------


def accessions() -> QuerySet[AccessionApplication]:
    """Applications with what their pages show, the newest first."""
    return AccessionApplication.objects.select_related(
        "organisation", "decided_by", "admin_account", "membership"
    ).prefetch_related("contacts", "messages__author")


def accessions_for_office(status: str | None = None) -> QuerySet[AccessionApplication]:
    """The network office's list; ``"open"`` is every application still under review."""
    found = accessions()
    if status == "open":
        return found.filter(status__in=AccessionApplication.OPEN_STATUSES)
    if status in AccessionApplication.Status.values:
        return found.filter(status=status)
    return found


def accession_counts() -> dict[str, int]:
    """How many applications are in each status."""
    rows = AccessionApplication.objects.values("status").annotate(n=Count("id"))
    return {row["status"]: row["n"] for row in rows}


def accession_by_key(key: str) -> AccessionApplication | None:
    """The application a private status link opens, or None."""
    if not key or len(key) > 100:
        return None
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()
    found = AccessionAccessKey.objects.filter(key_hash=digest).first()
    if found is None or not hmac.compare_digest(found.key_hash, digest):
        return None
    return accessions().get(pk=found.application_id)


def organisations_that_may_apply() -> QuerySet[Organisation]:
    """Organisations on the platform without an open membership, for the join form (not the
    programme's owner, which runs the network)."""
    open_statuses = [
        Membership.Status.APPLIED,
        Membership.Status.ACTIVE,
        Membership.Status.SUSPENDED,
    ]
    return (
        Organisation.objects.filter(is_programme_owner=False)
        .exclude(memberships__status__in=open_statuses)
        .order_by("name")
    )


# --- The network: National Centres, positions, members ---------------------------------------


def national_centres_in_force(on: datetime.date | None = None) -> QuerySet[NationalCentre]:
    on = on or timezone.localdate()
    return (
        NationalCentre.objects.filter(starts_on__lte=on)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .select_related("organisation", "agreement")
        .order_by("country")
    )


def national_centres_during(year: int) -> QuerySet[NationalCentre]:
    """Designations in force on at least one day of ``year``."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        NationalCentre.objects.filter(starts_on__lte=last)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=first))
        .select_related("organisation", "agreement")
        .order_by("country", "starts_on")
    )


def positions_of_year(year: int) -> QuerySet[NetworkPosition]:
    return (
        NetworkPosition.objects.filter(year=year)
        .select_related("organisation", "person")
        .order_by("kind", "subregion", "organisation__name")
    )


@dataclass(frozen=True)
class Secretariat:
    """One year's presidency and secretariat, ready to show."""

    year: int
    presidency: NetworkPosition | None
    secretary_general: NetworkPosition | None
    deputies: list[NetworkPosition]
    coordinators: list[NetworkPosition]

    @property
    def is_empty(self) -> bool:
        return not (self.presidency or self.secretary_general or self.deputies or self.coordinators)


def secretariat_of_year(year: int) -> Secretariat:
    positions = list(positions_of_year(year))
    kinds = NetworkPosition.Kind

    def first(kind: str) -> NetworkPosition | None:
        return next((p for p in positions if p.kind == kind), None)

    return Secretariat(
        year=year,
        presidency=first(kinds.PRESIDENCY),
        secretary_general=first(kinds.SECRETARY_GENERAL),
        deputies=[p for p in positions if p.kind == kinds.DEPUTY_SECRETARY_GENERAL],
        coordinators=sorted(
            (p for p in positions if p.kind == kinds.REGIONAL_COORDINATOR),
            key=lambda p: str(p.get_subregion_display()),
        ),
    )


def network_years() -> list[int]:
    """Years the network page can show: those with positions, and the present one."""
    years = set(NetworkPosition.objects.values_list("year", flat=True).distinct())
    years.add(timezone.localdate().year)
    return sorted(years, reverse=True)


def members_during(year: int) -> QuerySet[Membership]:
    """Memberships that were active on at least one day of ``year``."""
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        Membership.objects.exclude(status=Membership.Status.APPLIED)
        .filter(since__isnull=False, since__lte=last)
        .filter(Q(until__isnull=True) | Q(until__gte=first))
        .select_related("organisation")
    )


def member_counts_by_subregion(year: int) -> list[tuple[str, str, int]]:
    """(sub-region code, its name, members) for every sub-region with members in ``year``,
    the largest first."""
    counts = Counter(
        subregion
        for subregion, _org in members_during(year)
        .values_list("organisation__subregion", "organisation_id")
        .distinct()
    )
    labels = dict(SubRegion.choices)
    return sorted(
        ((code, str(labels.get(code, code)), n) for code, n in counts.items()),
        key=lambda row: (-row[2], row[1]),
    )


# --- Agreements -------------------------------------------------------------------------------


def agreement_for_page(uuid) -> Agreement | None:
    return (
        Agreement.objects.filter(uuid=uuid)
        .prefetch_related(
            "parties",
            Prefetch("items", queryset=CooperationItem.objects.select_related("owner")),
            "documents__uploaded_by",
            "national_centre_designations__organisation",
        )
        .first()
    )


def overdue_items(agreement: Agreement, on: datetime.date | None = None) -> list[CooperationItem]:
    on = on or timezone.localdate()
    return [item for item in agreement.items.all() if item.is_overdue_on(on)]


# --- A partner's timeline ---------------------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing in a partner's story with the network.

    ``kind`` is a stable code (``applied``, ``joined``, ``membership_ended``,
    ``agreement_signed``, ``agreement_in_force``, ``agreement_expired``,
    ``agreement_terminated``, ``item_due``, ``item_done``, ``national_centre``,
    ``national_centre_ended``, ``position``); ``title`` and ``detail`` are in the active
    language; ``link`` is a page about it the viewer may open (or empty); ``public`` says
    whether anyone may see it; ``overdue`` flags an item past its due date.
    """

    date: datetime.date
    kind: str
    title: str
    detail: str = ""
    link: str = ""
    public: bool = False
    overdue: bool = False

    @property
    def is_upcoming(self) -> bool:
        return self.date > timezone.localdate()


def _done_days(items: list[CooperationItem]) -> dict[int, datetime.date]:
    """The day each item was last marked done, from its events."""
    if not items:
        return {}
    events = Event.objects.filter(
        object_type=CooperationItem._meta.label_lower,
        object_id__in=[str(item.pk) for item in items],
        verb="cooperation_item.status_changed",
    ).order_by("occurred_at", "id")
    days: dict[int, datetime.date] = {}
    for event in events:
        if (event.details or {}).get("to") == CooperationItem.Status.DONE:
            days[int(event.object_id)] = timezone.localdate(event.occurred_at)
    return days


def _overview_link(year: int) -> str:
    return f"{reverse('network:overview')}?year={year}"


def _membership_entries(organisation: Organisation) -> list[TimelineEntry]:
    entries = []
    for membership in organisation.memberships.exclude(status=Membership.Status.APPLIED):
        kind = str(membership.get_kind_display())
        if membership.since:
            entries.append(
                TimelineEntry(
                    membership.since,
                    "joined",
                    _("Joined the partner network"),
                    kind,
                    link=_overview_link(membership.since.year),
                    public=True,
                )
            )
        if membership.until:
            entries.append(
                TimelineEntry(
                    membership.until,
                    "membership_ended",
                    _("Left the partner network"),
                    kind,
                    public=True,
                )
            )
    return entries


_AGREEMENT_STEPS = (
    ("signed_on", "agreement_signed", None),
    ("effective_from", "agreement_in_force", None),
    ("expires_on", "agreement_expired", Agreement.Status.EXPIRED),
    ("expires_on", "agreement_terminated", Agreement.Status.TERMINATED),
)


def _agreement_entries(organisation: Organisation, today: datetime.date) -> list[TimelineEntry]:
    titles = {
        "agreement_signed": _("Agreement signed"),
        "agreement_in_force": _("Agreement in force"),
        "agreement_expired": _("Agreement expired"),
        "agreement_terminated": _("Agreement terminated"),
    }
    entries = []
    agreements = organisation.agreements.prefetch_related(
        "parties", Prefetch("items", queryset=CooperationItem.objects.select_related("owner"))
    )
    items: list[tuple[CooperationItem, str]] = []
    for agreement in agreements:
        others = ", ".join(p.name for p in agreement.parties.all() if p.pk != organisation.pk)
        detail = f"{agreement.reference} · {agreement.title}"
        if others:
            detail = _("%(agreement)s, with %(parties)s") % {"agreement": detail, "parties": others}
        link = reverse("network:agreement", args=[agreement.uuid])
        for field, kind, status in _AGREEMENT_STEPS:
            day = getattr(agreement, field)
            if day and (status is None or agreement.status == status):
                entries.append(TimelineEntry(day, kind, titles[kind], detail, link=link))
        items.extend((item, link) for item in agreement.items.all())
    done_on = _done_days([item for item, _link in items])
    for item, link in items:
        owner = item.owner.name if item.owner else _("no owner yet")
        detail = _("%(kind)s · owner: %(owner)s") % {
            "kind": item.get_kind_display(),
            "owner": owner,
        }
        link = f"{link}#item-{item.pk}"
        if item.status == CooperationItem.Status.DONE:
            day = done_on.get(item.pk) or item.due_on
            if day:
                entries.append(TimelineEntry(day, "item_done", item.title, detail, link=link))
        elif item.status != CooperationItem.Status.CANCELLED and item.due_on:
            entries.append(
                TimelineEntry(
                    item.due_on,
                    "item_due",
                    item.title,
                    detail,
                    link=link,
                    overdue=item.is_overdue_on(today),
                )
            )
    return entries


def _national_centre_entries(organisation: Organisation) -> list[TimelineEntry]:
    entries = []
    for designation in organisation.national_centre_designations.select_related("agreement"):
        country = designation.country.name
        entries.append(
            TimelineEntry(
                designation.starts_on,
                "national_centre",
                _("Designated National Centre for %(country)s") % {"country": country},
                designation.agreement.reference,
                link=_overview_link(designation.starts_on.year),
                public=True,
            )
        )
        if designation.ends_on:
            entries.append(
                TimelineEntry(
                    designation.ends_on,
                    "national_centre_ended",
                    _("National Centre for %(country)s until this day") % {"country": country},
                    designation.end_reason,
                    public=True,
                )
            )
    return entries


def _position_entries(organisation: Organisation) -> list[TimelineEntry]:
    entries = []
    for position in organisation.network_positions.select_related("person"):
        title = str(position.get_kind_display())
        if position.subregion:
            title = f"{title} · {position.get_subregion_display()}"
        entries.append(
            TimelineEntry(
                datetime.date(position.year, 1, 1),
                "position",
                _("%(position)s of the network in %(year)s")
                % {"position": title, "year": position.year},
                str(position.person) if position.person else "",
                link=_overview_link(position.year),
                public=True,
            )
        )
    return entries


def _accession_entries(organisation: Organisation, *, office: bool) -> list[TimelineEntry]:
    return [
        TimelineEntry(
            timezone.localdate(application.created_at),
            "applied",
            _("Applied to join the partner network"),
            str(application.get_status_display()),
            # Only the office has a page for an application (the applicant has their link).
            link=reverse("network:accession_detail", args=[application.uuid]) if office else "",
        )
        for application in organisation.accession_applications.all()
    ]


def partner_timeline(
    organisation: Organisation, *, viewer=None, public_only: bool | None = None
) -> list[TimelineEntry]:
    """What a partner applied for, agreed and did in the network, the newest first, as
    ``viewer`` may see it (``network/_timeline.html`` draws it from ``timeline``).

    Anyone sees the public entries: joining and leaving, National Centre designations,
    positions held. Agreements, their cooperation items and applications are added for the
    partner's admins and the programme's managers (``network.view_partner_timeline``).
    ``public_only`` (older callers) forces the choice instead of asking the rules.
    """
    today = timezone.localdate()
    entries = [
        *_membership_entries(organisation),
        *_national_centre_entries(organisation),
        *_position_entries(organisation),
    ]
    if public_only is None:
        public_only = viewer is None or not viewer.has_perm(
            "network.view_partner_timeline", organisation
        )
    if not public_only:
        office = viewer is not None and viewer.has_perm("network.manage_accessions")
        entries += [
            *_accession_entries(organisation, office=office),
            *_agreement_entries(organisation, today),
        ]
    return sorted(entries, key=lambda entry: (entry.date, entry.kind), reverse=True)
