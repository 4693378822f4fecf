"""Reads about people."""

from allauth.account.models import EmailAddress

from .models import User


def verified_emails(user: User) -> list[str]:
    """Every address the person has proven they own."""
    return list(
        EmailAddress.objects.filter(user=user, verified=True).values_list("email", flat=True)
    )


def person_by_any_email(email: str) -> User | None:
    """Find a person by any of their verified addresses (credentials may name an old one)."""
    address = (
        EmailAddress.objects.filter(email__iexact=email.strip(), verified=True)
        .select_related("user")
        .first()
    )
    return address.user if address else None
