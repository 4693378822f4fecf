from django.db import migrations

import microcert.credentials.models


def _document_compression(method: str):
    def apply(apps, schema_editor):
        connection = schema_editor.connection
        if connection.vendor != "postgresql":
            return
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression'"
                " AND 'lz4' = ANY(enumvals)"
            )
            if cursor.fetchone() is None:
                return  # a server built without lz4 keeps pglz
            cursor.execute(
                "ALTER TABLE credentials_issuedcredential"
                f" ALTER COLUMN document SET COMPRESSION {method}"
            )

    return apply


class Migration(migrations.Migration):
    dependencies = [
        ("credentials", "0002_status_entry_whole"),
    ]

    operations = [
        migrations.AlterField(
            model_name="issuedcredential",
            name="document",
            field=microcert.credentials.models.SignedDocumentField(
                verbose_name="signed credential"
            ),
        ),
        # On PostgreSQL built with lz4, the signed documents' TOAST is compressed with lz4
        # rather than the default pglz: several times faster, and compressing 16 KB documents
        # was most of the server's work when a cohort is stored. Existing rows keep their
        # compression until rewritten.
        migrations.RunPython(_document_compression("lz4"), _document_compression("pglz")),
    ]
