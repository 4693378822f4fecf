"""What the site's navigation needs to know about the person signed in."""

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors


def roles(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"my_roles": frozenset()}
    return {"my_roles": frozenset(r for _org, r in network_selectors.active_roles(user))}


__all__ = ["Role", "roles"]
