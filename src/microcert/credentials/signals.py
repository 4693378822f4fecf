"""Signals for the floors above: they learn of a credential's changes without this floor
knowing who listens (recognition recomputes the PD ledger, for instance).

``credential_changed`` is sent inside the transaction of the change, with
``credential`` (the IssuedCredential) and ``change`` ("issued", "revoked", "suspended",
"reinstated").
"""

from django.dispatch import Signal

credential_changed = Signal()
