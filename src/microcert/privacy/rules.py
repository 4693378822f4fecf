"""Who may do what with people's data here. Anything not granted is denied.

Everyone signed in exports their own data and asks for their own erasure (the views act on
``request.user`` only, so no permission names another person). Carrying out a request
received another way (a letter, a call to the programme office), or exporting someone
else's data for one, is for staff and programme managers.
"""

import rules

from microcert.accounts.roles import Role
from microcert.network import selectors as network_selectors


@rules.predicate
def is_privacy_officer(user) -> bool:
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(user.is_staff or network_selectors.has_role(user, Role.PROGRAMME_MANAGER))


rules.add_perm("privacy.handle_requests", is_privacy_officer)
