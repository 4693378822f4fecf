"""The OpenAPI document names each body schema once: two different schemas under one name
would make the document describe one operation with another's body."""

from ninja import Schema

from microcert.web.api import api


def _schemas() -> dict[str, list[type]]:
    found: dict[str, list[type]] = {}

    def walk(cls: type) -> None:
        for sub in cls.__subclasses__():
            if sub.__module__.startswith("microcert.") and ".tests" not in sub.__module__:
                found.setdefault(sub.__name__, []).append(sub)
            walk(sub)

    walk(Schema)
    return found


def _shape(value):
    """The schema without its prose: descriptions may be worded differently."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in sorted(value.items()) if k != "description"}
    if isinstance(value, list):
        return [_shape(v) for v in value]
    return value


def test_schemas_sharing_a_name_are_the_same_schema():
    api.get_openapi_schema()  # every router imported
    for name, classes in _schemas().items():
        shapes = {str(_shape(cls.model_json_schema())) for cls in classes}
        assert len(shapes) == 1, (name, [cls.__module__ for cls in classes])
