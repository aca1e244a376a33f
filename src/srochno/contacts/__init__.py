"""The contact detector: a pure function over public texts (see ``docs/contacts.md``)."""

from srochno.contacts.detect import (
    KINDS,
    FieldFinding,
    Finding,
    contains_contact,
    find_contact,
    find_in_fields,
    public_name,
)

__all__ = [
    "KINDS",
    "FieldFinding",
    "Finding",
    "contains_contact",
    "find_contact",
    "find_in_fields",
    "public_name",
]
