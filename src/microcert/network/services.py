"""Writes of the partner network. Each is one transaction and records its event.

Views, the admin and the API authorise (``rules.py``); these functions keep the workflows' own
rules: which state allows which step, one National Centre per country, one president a year,
and that an approved accession makes its organisation, membership and admin account once.
A refusal is a ``ValidationError`` whose message says why; ``StepRefused``, a kind of it, means
the present state does not allow the step (the API answers 409 for it, 400 for the others).
"""

import datetime
import hashlib
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from microcert.accounts import services as account_services
from microcert.accounts.models import User
from microcert.accounts.roles import Role
from microcert.core.i18n import CONTENT_LANGUAGES, Translations, set_translations
from microcert.core.services import event_record

from . import notifications, uploads
from .models import (
    AccessionAccessKey,
    AccessionApplication,
    AccessionContact,
    AccessionMessage,
    Affiliation,
    Agreement,
    AgreementDocument,
    CooperationItem,
    Membership,
    NationalCentre,
    NetworkPosition,
    Organisation,
)
from .signals import affiliation_changed


class StepRefused(ValidationError):
    """The present state of the thing does not allow this step; the message says why."""


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


def agreement_next_statuses(agreement: Agreement) -> set[str]:
    """The statuses an agreement may move to from where it is."""
    return set(_AGREEMENT_TRANSITIONS[Agreement.Status(agreement.status)])


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
    affiliation_changed.send(sender=Affiliation, affiliation=affiliation, change="granted")
    return affiliation


@transaction.atomic
def affiliation_revoke(
    *, affiliation: Affiliation, actor: User | None = None, reason: str = ""
) -> Affiliation:
    affiliation.is_active = False
    affiliation.save(update_fields=["is_active", "updated_at"])
    event_record(actor=actor, verb="affiliation.revoked", target=affiliation, reason=reason)
    affiliation_changed.send(sender=Affiliation, affiliation=affiliation, change="revoked")
    return affiliation


# --- Accession --------------------------------------------------------------------------------

MAX_CONTACTS = 5
MAX_MESSAGE = 5000


@dataclass(frozen=True)
class ContactDetails:
    name: str
    email: str
    position: str = ""
    phone: str = ""
    is_primary: bool = False


@dataclass(frozen=True)
class ProposedOrganisation:
    """An institution that is not on the platform yet, as the applicant describes it."""

    name: str
    kind: str
    country: str
    subregion: str
    short_name: str = ""
    city: str = ""
    website: str = ""


def access_key_hash(key: str) -> str:
    """The SHA-256 (hex) under which a status link's key is stored and looked up."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _new_access_key(application: AccessionApplication) -> str:
    """A fresh private link for the applicant; only its hash is stored."""
    key = secrets.token_urlsafe(32)
    AccessionAccessKey.objects.create(application=application, key_hash=access_key_hash(key))
    return key


def _text(value: str, what: str, *, required: bool = True, limit: int = MAX_MESSAGE) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError(_("%(what)s cannot be empty.") % {"what": what})
    if len(value) > limit:
        raise ValidationError(
            _("%(what)s is longer than %(limit)s characters.") % {"what": what, "limit": limit}
        )
    return value


def _programme_managers() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True,
            affiliations__role=Role.PROGRAMME_MANAGER,
            affiliations__is_active=True,
            affiliations__organisation__is_programme_owner=True,
        ).distinct()
    )


def _clean_contacts(contacts: Sequence[ContactDetails]) -> list[ContactDetails]:
    if not contacts:
        raise ValidationError(_("Give at least one contact person."))
    if len(contacts) > MAX_CONTACTS:
        raise ValidationError(_("Give at most %(count)s contact people.") % {"count": MAX_CONTACTS})
    if sum(1 for c in contacts if c.is_primary) != 1:
        raise ValidationError(_("Exactly one contact must be the primary contact."))
    cleaned, seen = [], set()
    for contact in contacts:
        name = _text(contact.name, _("A contact's name"), limit=200)
        email = (contact.email or "").strip().lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                _("%(email)s is not a valid e-mail address.") % {"email": email[:100] or "—"}
            ) from None
        if email in seen:
            raise ValidationError(
                _("%(email)s is given for two contacts; give each person once.") % {"email": email}
            )
        seen.add(email)
        cleaned.append(
            ContactDetails(
                name=name,
                email=email,
                position=_text(contact.position, _("A position"), required=False, limit=200),
                phone=_text(contact.phone, _("A phone number"), required=False, limit=40),
                is_primary=contact.is_primary,
            )
        )
    return cleaned


def _same_name_exists(name: str) -> Organisation | None:
    lookup = name.strip()
    return (
        Organisation.objects.filter(name_en__iexact=lookup).first()
        or Organisation.objects.filter(name__iexact=lookup).first()
    )


@transaction.atomic
def accession_submit(
    *,
    membership_kind: str,
    contacts: Sequence[ContactDetails],
    motivation: str,
    intended_cooperation: Iterable[str],
    language: str,
    organisation: Organisation | None = None,
    proposed: ProposedOrganisation | None = None,
    actor: User | None = None,
) -> tuple[AccessionApplication, str]:
    """Record an application to join the network, for an organisation on the platform or a
    new one; return it with the key of the applicant's private status link (mailed to the
    primary contact, never stored in clear)."""
    if (organisation is None) == (proposed is None):
        raise ValidationError(
            _("Choose your institution from the list, or describe it if it is not listed.")
        )
    if membership_kind not in Membership.Kind.values:
        raise ValidationError(_("Choose a kind of membership from the list."))
    if language not in CONTENT_LANGUAGES:
        raise ValidationError(_("Choose one of the languages offered."))
    cooperation = list(dict.fromkeys(intended_cooperation or []))
    unknown = [code for code in cooperation if code not in CooperationItem.Kind.values]
    if unknown:
        raise ValidationError(_("Choose the kinds of cooperation from the list."))
    if not cooperation:
        raise ValidationError(_("Choose at least one kind of cooperation you intend."))
    motivation = _text(motivation, _("The motivation"))
    contacts = _clean_contacts(contacts)

    application = AccessionApplication(
        membership_kind=membership_kind,
        motivation=motivation,
        intended_cooperation=cooperation,
        language=language,
    )
    if organisation is not None:
        if organisation.memberships.exclude(status=Membership.Status.ENDED).exists():
            raise StepRefused(
                _("%(organisation)s is already a member of the network.")
                % {"organisation": organisation.name}
            )
        if organisation.accession_applications.filter(
            status__in=AccessionApplication.OPEN_STATUSES
        ).exists():
            raise StepRefused(
                _("An application of %(organisation)s is already under review.")
                % {"organisation": organisation.name}
            )
        application.organisation = organisation
    elif proposed is not None:
        name = _text(proposed.name, _("The institution's name"), limit=255)
        existing = _same_name_exists(name)
        if existing is not None:
            raise StepRefused(
                _("%(organisation)s is already on the platform: choose it from the list.")
                % {"organisation": existing.name}
            )
        if AccessionApplication.objects.filter(
            proposed_name__iexact=name, status__in=AccessionApplication.OPEN_STATUSES
        ).exists():
            raise StepRefused(
                _("An application of %(organisation)s is already under review.")
                % {"organisation": name}
            )
        if proposed.kind not in Organisation.Kind.values:
            raise ValidationError(_("Choose the kind of institution from the list."))
        if not proposed.subregion:
            raise ValidationError(_("Choose the institution's region of the world."))
        application.proposed_name = name
        application.proposed_short_name = (proposed.short_name or "").strip()
        application.proposed_kind = proposed.kind
        application.proposed_country = (proposed.country or "").strip().upper()
        application.proposed_subregion = proposed.subregion
        application.proposed_city = (proposed.city or "").strip()
        application.proposed_website = (proposed.website or "").strip()
        if not application.proposed_country:
            raise ValidationError(_("Choose the institution's country."))
    application.full_clean()
    application.save()
    AccessionContact.objects.bulk_create(
        AccessionContact(application=application, **vars(contact)) for contact in contacts
    )
    key = _new_access_key(application)
    event_record(
        actor=actor,
        verb="accession.submitted",
        target=application,
        details={
            "organisation": organisation.slug if organisation else None,
            "proposed": application.proposed_name or None,
            "membership_kind": membership_kind,
            "contacts": len(contacts),
        },
    )
    managers = _programme_managers()
    transaction.on_commit(lambda: notifications.accession_received(application, key))
    transaction.on_commit(
        lambda: notifications.office_accession_waiting(application, managers, reason="submitted")
    )
    return application, key


def _locked(application: AccessionApplication) -> AccessionApplication:
    return AccessionApplication.objects.select_for_update().get(pk=application.pk)


def _status_label(application: AccessionApplication) -> str:
    return str(application.get_status_display()).lower()


def _require_open(application: AccessionApplication, message: str) -> None:
    if not application.is_open:
        raise StepRefused(message % {"status": _status_label(application)})


@transaction.atomic
def accession_request_information(
    *, application: AccessionApplication, message: str, actor: User | None
) -> AccessionApplication:
    """The network office asks the applicant for more; the primary contact is mailed a link
    to answer."""
    application = _locked(application)
    _require_open(
        application,
        _(
            "Only an application under review can be asked for more information; this one "
            "is %(status)s."
        ),
    )
    body = _text(message, _("The request"))
    AccessionMessage.objects.create(
        application=application,
        kind=AccessionMessage.Kind.INFORMATION_REQUEST,
        body=body,
        author=actor,
    )
    old = application.status
    application.status = AccessionApplication.Status.INFORMATION_REQUESTED
    application.save(update_fields=["status", "updated_at"])
    key = _new_access_key(application)
    event_record(
        actor=actor,
        verb="accession.information_requested",
        target=application,
        reason=body,
        details={"from": old},
    )
    transaction.on_commit(lambda: notifications.accession_information_requested(application, key))
    return application


@transaction.atomic
def accession_reply(*, application: AccessionApplication, message: str) -> AccessionApplication:
    """The applicant answers a request for more information; the application is under review
    again and the office is told."""
    application = _locked(application)
    if application.status != AccessionApplication.Status.INFORMATION_REQUESTED:
        raise StepRefused(
            _(
                "Answers are taken while more information is requested; this application is "
                "%(status)s."
            )
            % {"status": _status_label(application)}
        )
    body = _text(message, _("Your answer"))
    AccessionMessage.objects.create(
        application=application, kind=AccessionMessage.Kind.REPLY, body=body
    )
    application.status = AccessionApplication.Status.SUBMITTED
    application.save(update_fields=["status", "updated_at"])
    event_record(actor=None, verb="accession.replied", target=application, reason=body)
    managers = _programme_managers()
    transaction.on_commit(
        lambda: notifications.office_accession_waiting(application, managers, reason="replied")
    )
    return application


@transaction.atomic
def accession_withdraw(
    *, application: AccessionApplication, reason: str = ""
) -> AccessionApplication:
    """The applicant takes the application back while it is under review."""
    application = _locked(application)
    _require_open(
        application, _("Only an application under review can be withdrawn; this one is %(status)s.")
    )
    reason = _text(reason, _("The reason"), required=False)
    AccessionMessage.objects.create(
        application=application, kind=AccessionMessage.Kind.WITHDRAWAL, body=reason
    )
    application.status = AccessionApplication.Status.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at", "updated_at"])
    event_record(actor=None, verb="accession.withdrawn", target=application, reason=reason)
    return application


@transaction.atomic
def accession_decline(
    *, application: AccessionApplication, reasons: str, actor: User | None
) -> AccessionApplication:
    """The network office declines, with reasons the applicant is mailed."""
    application = _locked(application)
    _require_open(
        application, _("Only an application under review can be declined; this one is %(status)s.")
    )
    reasons = _text(reasons, _("The reasons"))
    AccessionMessage.objects.create(
        application=application, kind=AccessionMessage.Kind.DECLINE, body=reasons, author=actor
    )
    application.status = AccessionApplication.Status.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = actor if actor and actor.is_authenticated else None
    application.save(update_fields=["status", "decided_at", "decided_by", "updated_at"])
    key = _new_access_key(application)
    event_record(actor=actor, verb="accession.declined", target=application, reason=reasons)
    transaction.on_commit(lambda: notifications.accession_declined(application, key))
    return application


def _unique_slug(application: AccessionApplication) -> str:
    # "Đ" has no decomposition, so slugify would drop it; Vietnamese names need it kept as D.
    source = application.proposed_short_name or application.proposed_name
    source = source.replace("Đ", "D").replace("đ", "d")
    base = slugify(source)[:70].strip("-") or "organisation"
    slug, number = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        number += 1
        slug = f"{base}-{number}"
    return slug


def _organisation_from_proposal(
    application: AccessionApplication, actor: User | None
) -> Organisation:
    existing = _same_name_exists(application.proposed_name)
    if existing is not None:
        raise StepRefused(
            _(
                "%(organisation)s is already on the platform; approving would make it twice. "
                "Ask the platform's administrators to link this application to it."
            )
            % {"organisation": existing.name}
        )
    names = {"en": application.proposed_name}
    if application.language in CONTENT_LANGUAGES:
        names[application.language] = application.proposed_name
    return organisation_create(
        slug=_unique_slug(application),
        kind=application.proposed_kind,
        name=names,
        short_name=application.proposed_short_name,
        country=str(application.proposed_country),
        subregion=application.proposed_subregion,
        city=application.proposed_city,
        website=application.proposed_website,
        actor=actor,
    )


def _person_with_email(email: str) -> User | None:
    """Whoever holds this address already, as their login or as one of their addresses."""
    address = EmailAddress.objects.filter(email__iexact=email).select_related("user").first()
    if address is not None:
        return address.user
    return User.objects.filter(email__iexact=email).first()


@transaction.atomic
def accession_approve(
    *, application: AccessionApplication, actor: User | None, note: str = ""
) -> AccessionApplication:
    """Admit the institution: create it if it is new, give it an active membership, and make
    the primary contact its institution admin (a new account without a usable password, or
    the person who already has that address). The welcome mail, in the applicant's language,
    follows the commit; a new account's carries a link to choose a password.

    The application's row is locked first, so two approvals at the same moment make one
    organisation and one account: the second finds it approved and is refused.
    """
    application = _locked(application)
    _require_open(
        application, _("Only an application under review can be approved; this one is %(status)s.")
    )
    note = _text(note, _("The note"), required=False)
    contact = application.primary_contact()
    if contact is None:
        raise ValidationError(_("The application has no primary contact to make its admin."))
    created_organisation = application.organisation is None
    if created_organisation:
        organisation = _organisation_from_proposal(application, actor)
    else:
        organisation = Organisation.objects.select_for_update().get(pk=application.organisation_id)
        if organisation.memberships.exclude(status=Membership.Status.ENDED).exists():
            raise StepRefused(
                _("%(organisation)s is already a member of the network.")
                % {"organisation": organisation.name}
            )
    membership = membership_create(
        organisation=organisation,
        kind=application.membership_kind,
        status=Membership.Status.ACTIVE,
        since=timezone.localdate(),
        actor=actor,
    )
    person = _person_with_email(contact.email)
    new_account = person is None
    if new_account:
        # No password: the welcome mail's link, which only the address's owner receives, is
        # the way in; that is also why the address counts as verified.
        person = account_services.user_create(
            email=contact.email,
            legal_name=contact.name,
            password=None,
            preferred_language=application.language,
            email_verified=True,
            actor=actor,
        )
    affiliation_grant(
        person=person, organisation=organisation, role=Role.INSTITUTION_ADMIN, actor=actor
    )
    AccessionMessage.objects.create(
        application=application, kind=AccessionMessage.Kind.APPROVAL, body=note, author=actor
    )
    application.organisation = organisation
    application.membership = membership
    application.admin_account = person
    application.status = AccessionApplication.Status.APPROVED
    application.decided_at = timezone.now()
    application.decided_by = actor if actor and actor.is_authenticated else None
    application.save()
    event_record(
        actor=actor,
        verb="accession.approved",
        target=application,
        reason=note,
        details={
            "organisation": organisation.slug,
            "organisation_created": created_organisation,
            "membership_kind": membership.kind,
            "admin": person.email,
            "account_created": new_account,
        },
    )
    transaction.on_commit(
        lambda: notifications.accession_approved(application, new_account=new_account)
    )
    return application


# --- National Centres ------------------------------------------------------------------------


def _date_text(day: datetime.date | None) -> str:
    return day.isoformat() if day else "…"


def national_centre_check(
    *,
    organisation: Organisation,
    agreement: Agreement,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    exclude: NationalCentre | None = None,
) -> None:
    """Refuse (``ValidationError``) a designation the network's rules do not allow. Shared by
    the service and the admin's form, so both give the same reasons."""
    if organisation.kind != Organisation.Kind.HEI:
        raise ValidationError(_("A National Centre is a higher-education institution."))
    if not organisation.memberships.filter(status=Membership.Status.ACTIVE).exists():
        raise ValidationError(
            _("%(organisation)s is not an active member of the network.")
            % {"organisation": organisation.name}
        )
    if not agreement.parties.filter(pk=organisation.pk).exists():
        raise ValidationError(
            _("%(organisation)s is not a party to %(agreement)s.")
            % {"organisation": organisation.name, "agreement": agreement.reference}
        )
    if agreement.status not in (Agreement.Status.SIGNED, Agreement.Status.IN_FORCE):
        raise ValidationError(
            _(
                "A National Centre is designated under a signed agreement; %(agreement)s is "
                "%(status)s."
            )
            % {
                "agreement": agreement.reference,
                "status": str(agreement.get_status_display()).lower(),
            }
        )
    if ends_on is not None and ends_on < starts_on:
        raise ValidationError(_("The designation cannot end before it starts."))
    overlapping = NationalCentre.objects.filter(country=organisation.country).filter(
        starts_on__lte=ends_on or datetime.date.max
    )
    overlapping = overlapping.exclude(ends_on__lt=starts_on)
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    clash = overlapping.select_related("organisation").first()
    if clash is not None:
        raise StepRefused(
            _(
                "%(country)s already has a National Centre then: %(organisation)s, from "
                "%(start)s until %(end)s. End that designation first."
            )
            % {
                "country": organisation.country.name,
                "organisation": clash.organisation.name,
                "start": _date_text(clash.starts_on),
                "end": _date_text(clash.ends_on),
            }
        )


@transaction.atomic
def national_centre_designate(
    *,
    organisation: Organisation,
    agreement: Agreement,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    actor: User | None = None,
) -> NationalCentre:
    """Designate a member institution as its country's National Centre under an agreement."""
    # Locking the country's organisations queues two designations for one country, so the
    # check below sees the other's row (the database's constraint is the last word).
    list(Organisation.objects.select_for_update().filter(country=organisation.country))
    national_centre_check(
        organisation=organisation, agreement=agreement, starts_on=starts_on, ends_on=ends_on
    )
    designation = NationalCentre(
        country=organisation.country,
        organisation=organisation,
        agreement=agreement,
        starts_on=starts_on,
        ends_on=ends_on,
    )
    try:
        with transaction.atomic():
            designation.save()
    except IntegrityError:
        raise StepRefused(
            _("%(country)s already has a National Centre in that period.")
            % {"country": organisation.country.name}
        ) from None
    event_record(
        actor=actor,
        verb="national_centre.designated",
        target=designation,
        details={
            "country": designation.country.code,
            "organisation": organisation.slug,
            "agreement": agreement.reference,
            "from": starts_on.isoformat(),
            "until": ends_on.isoformat() if ends_on else None,
        },
    )
    return designation


@transaction.atomic
def national_centre_end(
    *,
    designation: NationalCentre,
    on: datetime.date,
    reason: str = "",
    actor: User | None = None,
) -> NationalCentre:
    """End a designation on ``on`` (its last day)."""
    designation = NationalCentre.objects.select_for_update().get(pk=designation.pk)
    if designation.ends_on is not None and designation.ends_on <= on:
        raise StepRefused(
            _("This designation already ends on %(day)s.")
            % {"day": _date_text(designation.ends_on)}
        )
    if on < designation.starts_on:
        raise ValidationError(_("The designation cannot end before it starts."))
    designation.ends_on = on
    designation.end_reason = _text(reason, _("The reason"), required=False)
    designation.save(update_fields=["ends_on", "end_reason", "updated_at"])
    event_record(
        actor=actor,
        verb="national_centre.ended",
        target=designation,
        reason=designation.end_reason,
        details={"until": on.isoformat()},
    )
    return designation


# --- Network positions ------------------------------------------------------------------------


def _member_during(organisation: Organisation, year: int) -> bool:
    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    return (
        organisation.memberships.exclude(status=Membership.Status.APPLIED)
        .filter(since__isnull=False, since__lte=last)
        .exclude(until__lt=first)
        .exists()
    )


def position_check(
    *,
    year: int,
    kind: str,
    organisation: Organisation,
    person: User | None = None,
    subregion: str = "",
    exclude: NetworkPosition | None = None,
) -> None:
    """Refuse (``ValidationError``) a position the network's rules do not allow; shared by the
    service and the admin's form."""
    if kind not in NetworkPosition.Kind.values:
        raise ValidationError(_("Unknown position."))
    if not 1990 <= year <= 2200:
        raise ValidationError(_("Choose a year between 1990 and 2200."))
    if kind == NetworkPosition.Kind.REGIONAL_COORDINATOR and not subregion:
        raise ValidationError(_("A regional coordinator coordinates a sub-region: choose it."))
    if kind != NetworkPosition.Kind.REGIONAL_COORDINATOR and subregion:
        raise ValidationError(_("Only regional coordinators have a sub-region."))
    if not organisation.is_programme_owner and not _member_during(organisation, year):
        raise ValidationError(
            _("%(organisation)s was not a member of the network in %(year)s.")
            % {"organisation": organisation.name, "year": year}
        )
    if (
        person is not None
        and not person.affiliations.filter(organisation=organisation, is_active=True).exists()
    ):
        raise ValidationError(
            _("%(person)s holds no role at %(organisation)s.")
            % {"person": person, "organisation": organisation.name}
        )
    taken = NetworkPosition.objects.filter(year=year, kind=kind)
    if kind == NetworkPosition.Kind.REGIONAL_COORDINATOR:
        taken = taken.filter(subregion=subregion)
    elif kind == NetworkPosition.Kind.DEPUTY_SECRETARY_GENERAL:
        taken = taken.filter(organisation=organisation)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    holder = taken.select_related("organisation").first()
    if holder is not None:
        raise StepRefused(
            _("%(position)s in %(year)s is already held by %(organisation)s; remove it first.")
            % {"position": str(holder), "year": year, "organisation": holder.organisation.name}
        )


@transaction.atomic
def position_appoint(
    *,
    year: int,
    kind: str,
    organisation: Organisation,
    person: User | None = None,
    subregion: str = "",
    actor: User | None = None,
) -> NetworkPosition:
    """Give an organisation (and optionally one of its people) a network position for a year."""
    position_check(
        year=year, kind=kind, organisation=organisation, person=person, subregion=subregion
    )
    position = NetworkPosition(
        year=year, kind=kind, organisation=organisation, person=person, subregion=subregion
    )
    try:
        with transaction.atomic():
            position.save()
    except IntegrityError:
        raise StepRefused(
            _("That position in %(year)s was given to someone else a moment ago.") % {"year": year}
        ) from None
    event_record(
        actor=actor,
        verb="network_position.appointed",
        target=position,
        details={
            "year": year,
            "kind": kind,
            "subregion": subregion,
            "organisation": organisation.slug,
            "person": person.email if person else None,
        },
    )
    return position


@transaction.atomic
def position_remove(
    *, position: NetworkPosition, actor: User | None = None, reason: str = ""
) -> None:
    """Remove a position given by mistake or left early; the event keeps what it was."""
    event_record(
        actor=actor,
        verb="network_position.removed",
        target=position,
        reason=reason,
        details={
            "year": position.year,
            "kind": position.kind,
            "subregion": position.subregion,
            "organisation": position.organisation.slug,
        },
    )
    position.delete()


# --- Agreement documents ----------------------------------------------------------------------

MAX_DOCUMENTS_PER_AGREEMENT = 50


@transaction.atomic
def agreement_document_add(
    *,
    agreement: Agreement,
    upload: UploadedFile,
    title: str,
    kind: str,
    language: str,
    actor: User | None,
) -> AgreementDocument:
    """Attach a document after checking its size and its real type (PDF, DOCX or ODT)."""
    if kind not in AgreementDocument.Kind.values:
        raise ValidationError(_("Choose the kind of document from the list."))
    if language not in CONTENT_LANGUAGES:
        raise ValidationError(_("Choose one of the languages offered."))
    title = _text(title, _("The title"), limit=255)
    if agreement.documents.count() >= MAX_DOCUMENTS_PER_AGREEMENT:
        raise ValidationError(
            _("An agreement holds at most %(count)s documents.")
            % {"count": MAX_DOCUMENTS_PER_AGREEMENT}
        )
    try:
        inspected = uploads.inspect(upload)
    except uploads.UploadRefused as refused:
        raise ValidationError(str(refused)) from None
    document = AgreementDocument(
        agreement=agreement,
        title=title,
        kind=kind,
        language=language,
        original_name=(upload.name or "").rsplit("/", 1)[-1][:255],
        content_type=inspected.content_type,
        size=inspected.size,
        sha256=inspected.sha256,
        uploaded_by=actor if actor and actor.is_authenticated else None,
    )
    document.file.save(f"document.{inspected.extension}", upload, save=False)
    try:
        document.save()
        event_record(
            actor=actor,
            verb="agreement.document_added",
            target=agreement,
            details={
                "document": str(document.uuid),
                "kind": kind,
                "type": inspected.content_type,
                "sha256": inspected.sha256,
            },
        )
    except BaseException:
        # The row is not kept, so neither are its bytes.
        document.file.storage.delete(document.file.name)
        raise
    return document


@transaction.atomic
def agreement_document_remove(
    *, document: AgreementDocument, actor: User | None, reason: str = ""
) -> None:
    """Remove a document uploaded by mistake; its bytes go once the removal is committed."""
    storage, name = document.file.storage, document.file.name
    event_record(
        actor=actor,
        verb="agreement.document_removed",
        target=document.agreement,
        reason=reason,
        details={"document": str(document.uuid), "sha256": document.sha256},
    )
    document.delete()
    transaction.on_commit(lambda: storage.delete(name))
