"""Signals for the floors above: they learn that a person's place in the network changed
without this floor knowing who listens (recognition regroups the PD ledger, for instance).

``affiliation_changed`` is sent inside the transaction of the change, with ``affiliation``
(the Affiliation) and ``change`` ("granted" or "revoked").
"""

from django.dispatch import Signal

affiliation_changed = Signal()
