"""The building blocks of the OpenAPI components: plain types, references, the standard fields."""

STANDARD_FIELDS = ("email", "phone", "first_name", "last_name", "town", "region", "address", "postcode")
TEXT = {"type": "string"}
TEXT_OR_NUMBER = {"type": ["string", "number"]}
MESSAGES = {"type": "array", "items": TEXT, "minItems": 1}


def ref(kind, name):
    """Return a reference to the component `name` of `kind` (schemas, responses, parameters)."""
    return {"$ref": f"#/components/{kind}/{name}"}


def schema(name):
    """Return a reference to the schema component `name`."""
    return ref("schemas", name)


def field_values():
    """Return a text property for each standard field."""
    return {name: {**TEXT, "description": f"The {name.replace('_', ' ')} field."} for name in STANDARD_FIELDS}
