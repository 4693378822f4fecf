"""What a backup or a restore refuses to do, with a message for the person running it."""


class BackupRefused(Exception):
    """Nothing was written or changed; ``str(error)`` says why and what to do."""
