"""Review packs: the slides, PDF and chart images that a governance meeting reads.

A pack is built once as plain content (`content.build_pack`) from the same view builders the
pages use, then written as PowerPoint (`pptx_writer`), PDF (`pdf_writer`) or a zip of chart
images (`images_zip`), so a figure on a slide is the figure on the page.
"""

MEETINGS = {"risk-review": "Risk Review", "security-health": "Security Health", "compliance": "Compliance Review",
            "management-review": "Management review"}
