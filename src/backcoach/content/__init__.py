"""Program content: exercises, programs and tips as validated data."""

from backcoach.content.loader import Catalog, default_catalog, load_catalog
from backcoach.content.models import (
    Amount,
    Camera,
    Dosage,
    DoseOverride,
    Exercise,
    Keyframe,
    Kind,
    Length,
    Program,
    ProgramStep,
    Segments,
    Stage,
    Tip,
    Variant,
    View,
    Voice,
)
from backcoach.content.translation import SUPPORTED_LANGUAGES

__all__ = [
    "SUPPORTED_LANGUAGES",
    "Amount",
    "Camera",
    "Catalog",
    "Dosage",
    "DoseOverride",
    "Exercise",
    "Keyframe",
    "Kind",
    "Length",
    "Program",
    "ProgramStep",
    "Segments",
    "Stage",
    "Tip",
    "Variant",
    "View",
    "Voice",
    "default_catalog",
    "load_catalog",
]
