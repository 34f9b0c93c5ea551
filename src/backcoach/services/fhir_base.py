"""What the FHIR R4 export's modules share: code systems, stable ids and small builders.

Every resource id is a UUID derived from the rows it comes from (``uuid5``), and
each entry's ``fullUrl`` is ``urn:uuid:`` and that id, so two exports of
unchanged data are the same but for the Bundle's timestamp. The patient's UUID
is derived from the user's row id *and* creation time: it stays the same from
export to export yet is different on every install, and it tells nothing about
the person. A patient's other resources take their UUIDs from it and their row
ids, so exports of two people never share an id.
"""

from __future__ import annotations

from uuid import UUID, uuid5

from fhir.resources.R4B.bundle import BundleEntry
from fhir.resources.R4B.codeableconcept import CodeableConcept
from fhir.resources.R4B.coding import Coding
from fhir.resources.R4B.reference import Reference
from fhir.resources.R4B.resource import Resource

from backcoach.store import User

#: backcoach's own URLs (``.invalid`` never resolves: these name things, they are no address).
BACKCOACH = "https://backcoach.invalid/fhir"
LOINC = "http://loinc.org"
SNOMED = "http://snomed.info/sct"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

#: The namespace of every UUID the export makes.
NAMESPACE = uuid5(UUID(int=0), BACKCOACH)


class Ids:
    """Stable UUIDs for one user's export."""

    def __init__(self, user: User) -> None:
        self.patient = str(uuid5(NAMESPACE, f"patient/{user.id}/{user.created_at.isoformat()}"))

    def of(self, kind: str, key: int | str) -> str:
        """The UUID of the ``kind`` resource made from row (or item) ``key`` of this user."""
        return str(uuid5(UUID(self.patient), f"{kind}/{key}"))

    @staticmethod
    def shared(kind: str, key: str) -> str:
        """The UUID of a resource that is the same for everybody (a Questionnaire)."""
        return str(uuid5(NAMESPACE, f"{kind}/{key}"))


def urn(uuid: str) -> str:
    return f"urn:uuid:{uuid}"


def reference(uuid: str) -> Reference:
    """A reference to the resource with id ``uuid`` in the same Bundle."""
    return Reference(reference=urn(uuid))


def concept(system: str, code: str, display: str, text: str | None = None) -> CodeableConcept:
    return CodeableConcept(
        coding=[Coding(system=system, code=code, display=display)], text=text or display
    )


def survey_category() -> list[CodeableConcept]:
    """The Observation category ``survey``: everything backcoach observes the person reports."""
    return [concept(OBSERVATION_CATEGORY, "survey", "Survey")]


def entry(resource: Resource) -> BundleEntry:
    assert resource.id is not None
    return BundleEntry(fullUrl=urn(resource.id), resource=resource)
