"""Render the sample certificates to PNG (and PDF, on request) for people to look at.

    .venv/bin/python scripts/render_certificate_samples.py [--pdf] [--dpi 110] [--out DIR]

Uses the same views as ``src/microcert/credentials/tests/test_pdf.py`` and writes
``certificate-<language>.png`` into ``docs/screenshots/`` by default. No database is needed.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "microcert.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("--pdf", action="store_true", help="also keep the PDF files")
    parser.add_argument(
        "languages", nargs="*", default=["vi", "zh-hans", "en"], help="which samples to render"
    )
    args = parser.parse_args()

    import django

    django.setup()
    import pypdfium2 as pdfium

    from microcert.credentials.pdf import render_certificate_pdf
    from microcert.credentials.tests.test_pdf import SAMPLE_VIEWS

    args.out.mkdir(parents=True, exist_ok=True)
    for language in args.languages:
        started = time.perf_counter()
        data = render_certificate_pdf(SAMPLE_VIEWS[language])
        elapsed = time.perf_counter() - started
        stem = f"certificate-{language}"
        if args.pdf:
            (args.out / f"{stem}.pdf").write_bytes(data)
        pdf = pdfium.PdfDocument(data)
        png = args.out / f"{stem}.png"
        pdf[0].render(scale=args.dpi / 72).to_pil().save(png, optimize=True)
        pdf.close()
        print(f"{png}  ({len(data) // 1024} KiB PDF, {elapsed:.2f} s)")


if __name__ == "__main__":
    main()
