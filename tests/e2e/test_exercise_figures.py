"""The exercise pages' key positions in a real Chromium: readable captions, nothing overlapping."""

from __future__ import annotations

import itertools
import re

import pytest
from playwright.sync_api import FloatRect, Locator, Page, expect

from backcoach.content import default_catalog
from tests.e2e.conftest import VIEWPORTS
from tests.e2e.live_server import LiveServer

pytestmark = pytest.mark.browser

READABLE_PX = 12.0
#: A computed font size of at least 12 px ("12px", "14.4px", "20px", ...).
READABLE_FONT = re.compile(r"^(1[2-9]|[2-9]\d|\d{3,})(\.\d+)?px$")


def box_of(locator: Locator) -> FloatRect:
    expect(locator).to_be_visible()  # laid out before it is measured
    box = locator.bounding_box()
    assert box is not None
    return box


def apart(a: FloatRect, b: FloatRect) -> bool:
    slack = 0.5  # sub-pixel rounding where two boxes meet
    return (
        a["x"] + a["width"] <= b["x"] + slack
        or b["x"] + b["width"] <= a["x"] + slack
        or a["y"] + a["height"] <= b["y"] + slack
        or b["y"] + b["height"] <= a["y"] + slack
    )


def inside(inner: FloatRect, outer: FloatRect) -> bool:
    slack = 0.5
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack
    )


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
def test_every_key_position_is_captioned_readably_and_apart(
    page: Page, live_server: LiveServer, viewport: str
) -> None:
    width, height = VIEWPORTS[viewport]
    page.set_viewport_size({"width": width, "height": height})
    catalog = default_catalog()
    for exercise_id in sorted(catalog.exercises):
        keyframes = catalog.exercise(exercise_id).keyframes
        page.goto(f"{live_server.url}/exercises/{exercise_id}")
        # the animated figure's caption is read at the page's text size too, however
        # small a wide lying figure is scaled (it was about 10 px as SVG text at 390 px)
        moving_caption = page.locator(".figure-stage .figure-caption")
        expect(moving_caption).to_contain_text(" · ")
        expect(moving_caption).to_have_css("font-size", READABLE_FONT)
        expect(page.locator(".figure-stage svg.bc-figure text.label")).to_be_hidden()
        strip = page.locator(".figure-strip")
        pictures = strip.locator(".figure-panel svg")
        captions = strip.locator(".figure-panel figcaption")
        expect(captions).to_have_count(len(keyframes))
        expect(pictures).to_have_count(len(keyframes))
        strip_box = box_of(strip)
        boxes = []
        for index, keyframe in enumerate(keyframes):
            caption = captions.nth(index)
            expect(caption).to_have_text(f"{index + 1} · {keyframe.name}")
            expect(caption).to_have_css("font-size", READABLE_FONT)
            caption_box = box_of(caption)
            where = (exercise_id, viewport, keyframe.name)
            assert caption_box["height"] >= READABLE_PX, where
            picture_box = box_of(pictures.nth(index))
            assert picture_box["height"] >= 40, where  # a figure, not a sliver
            assert inside(caption_box, strip_box) and inside(picture_box, strip_box), where
            boxes += [(f"picture {index + 1}", picture_box), (f"caption {index + 1}", caption_box)]
        for (name_a, a), (name_b, b) in itertools.combinations(boxes, 2):
            assert apart(a, b), (exercise_id, viewport, name_a, name_b)
