"""Signals for the floors above: they learn of a credential's changes without this floor
knowing who listens (recognition recomputes the PD ledger, for instance).

``credential_changed`` is sent inside the transaction of the change, with
``credential`` (the IssuedCredential) and ``change`` ("issued", "revoked", "suspended",
"reinstated"). A cohort (``credential_issue_cohort``) sends it for each of its credentials
too, with ``in_batch=True``.

``credentials_issued`` is sent once per stored batch of a cohort, inside its transaction,
with ``credentials`` (the list of IssuedCredentials). A receiver that does its work per batch
here may skip the ``credential_changed`` calls that carry ``in_batch=True``: every credential
of the batch has been announced both ways.
"""

from django.dispatch import Signal

credential_changed = Signal()
credentials_issued = Signal()
