"""Printed notices that lead people online: a QR code (segno, as inline SVG) for an address.

The address itself comes from the caller (views.public_url, built on the configured public
address), never from a request: whatever is printed stays on a wall for months.
"""
import segno
from markupsafe import Markup, escape

# M corrects about 15% of the code: enough for a notice that gets scuffed or rained on, while the
# modules of a long URL stay big enough to scan from a step away.
ERROR_LEVEL = "m"


def qr_svg(url, label):
    """The QR code of `url` as inline SVG that scales to its box (a viewBox, no fixed size), named
    for assistive technology by `label` (role="img", aria-label and a <title>). The page shows the
    address in words beside it, for whoever cannot scan."""
    code = segno.make(url, error=ERROR_LEVEL, micro=False)
    svg = code.svg_inline(scale=1, border=4, omitsize=True, title=str(label), svgclass="qr-code",
                          lineclass=None, dark="#000", light="#fff")
    # segno escapes the title; the label goes into the tag escaped too.
    return Markup(svg.replace(
        "<svg ", f'<svg role="img" aria-label="{escape(label)}" shape-rendering="crispEdges" ', 1))
