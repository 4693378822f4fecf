"""Paging shared by every REST API of the platform: the query parameters, the response shape
and the slicing, so that every list answers the same way."""

from collections.abc import Callable, Sequence
from typing import Any

from django.db.models import QuerySet
from ninja import Field, Schema
from pydantic import create_model


class PageParams(Schema):
    limit: int = Field(20, ge=1, le=100, description="How many items to return (1–100).")
    offset: int = Field(0, ge=0, le=1_000_000, description="How many items to skip.")


def page_of(item: type[Schema], name: str, **extra: Any) -> type[Schema]:
    """The response schema for a page of ``item``: the items of one slice, the count of all of
    them, and ``extra`` fields (name: (type, default)) that describe the whole list."""
    return create_model(  # type: ignore[call-overload]
        name,
        __base__=Schema,
        __doc__=f"A page of {item.__name__} items.",
        **extra,
        count=(int, Field(description="How many items there are in all.")),
        limit=(int, ...),
        offset=(int, ...),
        items=(list[item], ...),
    )


def paged(items: QuerySet | Sequence, params: PageParams, render: Callable[[Any], Any]) -> dict:
    """One page of ``items``, each turned into its response shape by ``render``; a queryset
    is counted and sliced in the database."""
    count = items.count() if isinstance(items, QuerySet) else len(items)
    chunk = items[params.offset : params.offset + params.limit]
    return {
        "count": count,
        "limit": params.limit,
        "offset": params.offset,
        "items": [render(item) for item in chunk],
    }
