"""What a restored database holds, as JSON (a test helper run in a subprocess, not a test).

    python -m microcert.core.tests.restored_facts OUT.json DOCUMENTS.json

runs against the database of ``DATABASE_URL`` and writes the row count of every table and
what ``verify_all --json`` says; ``DOCUMENTS.json`` receives the credentials with the DID
documents and status lists of that database, for the independent verifiers.
"""

import io
import json
import os
import sys


def main(output: str, documents: str) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcert.settings")
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import CommandError, call_command

    counts = {
        model._meta.label_lower: model._base_manager.count()
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    verification = io.StringIO()
    try:
        call_command("verify_all", "--json", "--documents", documents, stdout=verification)
        failure = ""
    except CommandError as error:
        failure = str(error)
    with open(output, "w", encoding="utf-8") as stream:
        json.dump(
            {
                "counts": counts,
                "verify_all": json.loads(verification.getvalue()),
                "verify_all_failure": failure,
            },
            stream,
        )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
