#!/usr/bin/python3
"""png-check.py FILE [RRGGBB:MIN ...] - fail if a screenshot is blank.

Blank means: one colour covers more than 97% of the pixels, or fewer than
16 colours appear.  Each RRGGBB:MIN asks for at least MIN pixels of that
exact colour (the bars of a chart, say).  Needs Debian's python3-pil.
"""
import sys

from PIL import Image

img = Image.open(sys.argv[1]).convert("RGB")
w, h = img.size
colors = img.getcolors(maxcolors=w * h)
colors.sort(reverse=True)
top_share = colors[0][0] / (w * h)
print(f"{sys.argv[1]}: {w}x{h}, {len(colors)} colours, the commonest "
      f"#{'%02x%02x%02x' % colors[0][1]} covers {top_share:.1%}")
bad = top_share > 0.97 or len(colors) < 16
by_rgb = {rgb: n for n, rgb in colors}
for want in sys.argv[2:]:
    hexrgb, least = want.split(":")
    rgb = tuple(int(hexrgb[i:i + 2], 16) for i in (0, 2, 4))
    n = by_rgb.get(rgb, 0)
    print(f"  #{hexrgb}: {n} pixels (want at least {least})")
    bad |= n < int(least)
sys.exit(1 if bad else 0)
