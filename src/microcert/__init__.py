"""microcert: micro-certification of teachers' digital and AI competences."""

from .celery import app as celery_app

__all__ = ["celery_app"]
