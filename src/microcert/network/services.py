"""Writes of the partner network. Each is one transaction and records its event."""

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.core.i18n import Translations, set_translations
from microcert.core.services import event_record

from .models import Affiliation, Agreement, CooperationItem, Membership, Organisation


@transaction.atomic
def organisation_create(
    *,
    slug: str,
    kind: str,
    name: Translations | str,
    country: str,
    subregion: str,
    short_name: str = "",
    description: Translations | str = "",
    city: str = "",
    website: str = "",
    is_programme_owner: bool = False,
    actor: User | None = None,
) -> Organisation:
    organisation = Organisation(
        slug=slug,
        kind=kind,
        short_name=short_name,
        country=country,
        subregion=subregion,
        city=city,
        website=website,
        is_programme_owner=is_programme_owner,
    )
    set_translations(organisation, "name", name)
    set_translations(organisation, "description", description)
    organisation.full_clean()
    organisation.save()
    event_record(
        actor=actor,
        verb="organisation.created",
        target=organisation,
        details={"slug": slug, "kind": kind},
    )
    return organisation


# Which membership status may follow which: anything else is refused.
_MEMBERSHIP_TRANSITIONS = {
    Membership.Status.APPLIED: {Membership.Status.ACTIVE, Membership.Status.ENDED},
    Membership.Status.ACTIVE: {Membership.Status.SUSPENDED, Membership.Status.ENDED},
    Membership.Status.SUSPENDED: {Membership.Status.ACTIVE, Membership.Status.ENDED},
    Membership.Status.ENDED: set(),
}


@transaction.atomic
def membership_create(
    *,
    organisation: Organisation,
    kind: str,
    status: str = Membership.Status.APPLIED,
    since: datetime.date | None = None,
    actor: User | None = None,
) -> Membership:
    if organisation.memberships.exclude(status=Membership.Status.ENDED).exists():
        raise ValidationError(_("%(org)s already has an open membership.") % {"org": organisation})
    membership = Membership(organisation=organisation, kind=kind, status=status, since=since)
    membership.full_clean()
    membership.save()
    event_record(
        actor=actor,
        verb="membership.created",
        target=membership,
        details={"kind": kind, "status": status},
    )
    return membership


@transaction.atomic
def membership_set_status(
    *,
    membership: Membership,
    status: str,
    on: datetime.date | None = None,
    reason: str = "",
    actor: User | None = None,
) -> Membership:
    membership = Membership.objects.select_for_update().get(pk=membership.pk)
    if status not in Membership.Status.values:
        raise ValidationError(_("Unknown membership status."))
    if status not in _MEMBERSHIP_TRANSITIONS[Membership.Status(membership.status)]:
        raise ValidationError(
            _("A membership cannot go from %(old)s to %(new)s.")
            % {"old": membership.get_status_display(), "new": Membership.Status(status).label}
        )
    old = membership.status
    membership.status = status
    on = on or datetime.date.today()
    if status == Membership.Status.ACTIVE and membership.since is None:
        membership.since = on
    if status == Membership.Status.ENDED:
        membership.until = on
    membership.save()
    event_record(
        actor=actor,
        verb="membership.status_changed",
        target=membership,
        reason=reason,
        details={"from": old, "to": status},
    )
    return membership


@transaction.atomic
def agreement_create(
    *,
    reference: str,
    title: Translations | str,
    parties: Iterable[Organisation],
    kind: str = Agreement.Kind.MOU,
    summary: Translations | str = "",
    actor: User | None = None,
) -> Agreement:
    parties = list(dict.fromkeys(parties))  # the same organisation twice is one party
    if len(parties) < 2:
        raise ValidationError(_("An agreement needs at least two parties."))
    agreement = Agreement(reference=reference, kind=kind)
    set_translations(agreement, "title", title)
    set_translations(agreement, "summary", summary)
    agreement.full_clean()
    agreement.save()
    agreement.parties.set(parties)
    event_record(
        actor=actor,
        verb="agreement.created",
        target=agreement,
        details={"parties": [p.slug for p in parties]},
    )
    return agreement


_AGREEMENT_TRANSITIONS = {
    Agreement.Status.DRAFT: {Agreement.Status.SIGNED, Agreement.Status.TERMINATED},
    Agreement.Status.SIGNED: {Agreement.Status.IN_FORCE, Agreement.Status.TERMINATED},
    Agreement.Status.IN_FORCE: {Agreement.Status.EXPIRED, Agreement.Status.TERMINATED},
    Agreement.Status.EXPIRED: set(),
    Agreement.Status.TERMINATED: set(),
}


@transaction.atomic
def agreement_transition(
    *,
    agreement: Agreement,
    status: str,
    on: datetime.date | None = None,
    expires_on: datetime.date | None = None,
    reason: str = "",
    actor: User | None = None,
) -> Agreement:
    """Move an agreement along its lifecycle: draft → signed → in force → expired."""
    agreement = Agreement.objects.select_for_update().get(pk=agreement.pk)
    if status not in Agreement.Status.values:
        raise ValidationError(_("Unknown agreement status."))
    if status not in _AGREEMENT_TRANSITIONS[Agreement.Status(agreement.status)]:
        raise ValidationError(
            _("An agreement cannot go from %(old)s to %(new)s.")
            % {"old": agreement.get_status_display(), "new": Agreement.Status(status).label}
        )
    old = agreement.status
    on = on or datetime.date.today()
    if status == Agreement.Status.SIGNED:
        agreement.signed_on = on
    elif status == Agreement.Status.IN_FORCE:
        agreement.effective_from = on
        if expires_on is not None:
            agreement.expires_on = expires_on
    elif status in (Agreement.Status.EXPIRED, Agreement.Status.TERMINATED):
        agreement.expires_on = on if agreement.expires_on is None else min(agreement.expires_on, on)
    agreement.status = status
    agreement.full_clean()
    agreement.save()
    event_record(
        actor=actor,
        verb="agreement.status_changed",
        target=agreement,
        reason=reason,
        details={"from": old, "to": status, "on": on.isoformat()},
    )
    return agreement


@transaction.atomic
def cooperation_item_add(
    *,
    agreement: Agreement,
    kind: str,
    title: Translations | str,
    description: Translations | str = "",
    owner: Organisation | None = None,
    due_on: datetime.date | None = None,
    actor: User | None = None,
) -> CooperationItem:
    if owner is not None and not agreement.parties.filter(pk=owner.pk).exists():
        raise ValidationError(_("The owner of an item must be a party to the agreement."))
    item = CooperationItem(
        agreement=agreement,
        kind=kind,
        owner=owner,
        due_on=due_on,
        position=agreement.items.count(),
    )
    set_translations(item, "title", title)
    set_translations(item, "description", description)
    item.full_clean()
    item.save()
    event_record(
        actor=actor,
        verb="cooperation_item.added",
        target=item,
        details={"agreement": agreement.reference, "kind": kind},
    )
    return item


@transaction.atomic
def cooperation_item_set_status(
    *, item: CooperationItem, status: str, actor: User | None = None, reason: str = ""
) -> CooperationItem:
    if status not in CooperationItem.Status.values:
        raise ValidationError(_("Unknown status."))
    old = item.status
    item.status = status
    item.save(update_fields=["status", "updated_at"])
    event_record(
        actor=actor,
        verb="cooperation_item.status_changed",
        target=item,
        reason=reason,
        details={"from": old, "to": status},
    )
    return item


@transaction.atomic
def affiliation_grant(
    *, person: User, organisation: Organisation, role: str, actor: User | None = None
) -> Affiliation:
    """Give a person a role in an organisation (re-activating it if it was withdrawn)."""
    if role not in Role.values:
        raise ValidationError(_("Unknown role."))
    if role == Role.PROGRAMME_MANAGER and not organisation.is_programme_owner:
        raise ValidationError(
            _("Programme managers belong to the organisation that runs the programme.")
        )
    if role == Role.AUTHORITY_REVIEWER and organisation.kind != Organisation.Kind.MINISTRY:
        raise ValidationError(_("Authority reviewers belong to a ministry or education authority."))
    affiliation, created = Affiliation.objects.get_or_create(
        person=person, organisation=organisation, role=role
    )
    if not created and affiliation.is_active:
        return affiliation
    affiliation.is_active = True
    affiliation.save()
    event_record(
        actor=actor,
        verb="affiliation.granted",
        target=affiliation,
        details={"person": person.email, "organisation": organisation.slug, "role": role},
    )
    return affiliation


@transaction.atomic
def affiliation_revoke(
    *, affiliation: Affiliation, actor: User | None = None, reason: str = ""
) -> Affiliation:
    affiliation.is_active = False
    affiliation.save(update_fields=["is_active", "updated_at"])
    event_record(actor=actor, verb="affiliation.revoked", target=affiliation, reason=reason)
    return affiliation
