"""E-mail about accession to the network, written in each recipient's language.

Called after the transaction commits (``transaction.on_commit``), so a mail never announces a
change that rolled back; the rendered message is then handed to the mail task
(``core.mail.send_mail_later``), so a slow or absent mail server holds up no request.
Applicants are written to in the language they chose on the form; the network office's
managers in their own preferred language.
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from microcert.accounts.invitations import password_set_url
from microcert.accounts.models import User
from microcert.core.mail import send_mail_later

from .models import AccessionApplication

logger = logging.getLogger(__name__)


def _send(*, to: str, language: str, template: str, context: dict) -> None:
    with translation.override(language or settings.LANGUAGE_CODE):
        context = {**context, "base_url": settings.PUBLIC_BASE_URL}
        subject = render_to_string(f"network/email/{template}_subject.txt", context)
        body = render_to_string(f"network/email/{template}_body.txt", context)
    send_mail_later(subject, body, [to], template=template)


def _url(name: str, language: str, *args) -> str:
    with translation.override(language or settings.LANGUAGE_CODE):
        return settings.PUBLIC_BASE_URL + reverse(name, args=args)


def _to_applicant(application: AccessionApplication, template: str, key: str = "", **extra):
    contact = application.primary_contact()
    if contact is None:  # every application has one; a broken row must not break the caller
        logger.error("accession %s has no primary contact", application.uuid)
        return
    context = {
        "application": application,
        "contact": contact,
        "status_url": _url("network:accession_status", application.language, key) if key else "",
        **extra,
    }
    _send(to=contact.email, language=application.language, template=template, context=context)


def accession_received(application: AccessionApplication, key: str) -> None:
    _to_applicant(application, "accession_received", key)


def accession_information_requested(application: AccessionApplication, key: str) -> None:
    request = application.messages.filter(kind="information_request").last()
    _to_applicant(application, "accession_information_requested", key, request=request)


def accession_declined(application: AccessionApplication, key: str) -> None:
    decline = application.messages.filter(kind="decline").last()
    _to_applicant(application, "accession_declined", key, decline=decline)


def accession_approved(application: AccessionApplication, *, new_account: bool) -> None:
    """The welcome: a new account gets a link to set its password; a person who already had
    one is told where to sign in."""
    person = application.admin_account
    language = application.language
    context = {
        "person": person,
        "organisation": application.organisation,
        "sign_in_url": _url("account_login", language),
        "valid_days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    if new_account and person is not None:
        context["password_url"] = password_set_url(person)
    _to_applicant(application, "accession_approved", **context, new_account=new_account)


def office_accession_waiting(
    application: AccessionApplication, managers: Iterable[User], *, reason: str
) -> None:
    """Tell the network office an application waits for them (``reason``: "submitted" or
    "replied")."""
    for manager in managers:
        language = manager.preferred_language or settings.LANGUAGE_CODE
        _send(
            to=manager.email,
            language=language,
            template="office_accession_waiting",
            context={
                "application": application,
                "person": manager,
                "reason": reason,
                "office_url": _url("network:accession_detail", language, application.uuid),
            },
        )
