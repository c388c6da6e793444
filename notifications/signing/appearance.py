"""The visible signature of Decree 30/2020, appendix I, drawn as the picture inside the signature field.

For the signer: the signature image (blue, transparent PNG) centred in the signature block and the agency's
seal (red, at its actual size) over the left third of it. For copies and attachments: the agency's name and the
signing time in ISO 8601, Times New Roman 10, blue, at the top right of the first page, with no image. pyHanko
without fontTools only writes Latin-1 text, so the words are drawn as a picture with Liberation Serif (the
metric twin of Times New Roman): it looks the same and reads the same, but cannot be selected.
"""

from __future__ import annotations

import io
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

POINTS_PER_MM = 72 / 25.4
DOTS_PER_INCH = 300
_PX_PER_POINT = DOTS_PER_INCH / 72
_BLUE = (0, 0, 255, 255)
_SERIF_FONTS = (
    "/usr/share/fonts/truetype/msttcorefonts/Times_New_Roman.ttf",
    "/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf",
    "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
)


@dataclass(frozen=True)
class SignatureBox:
    """A rectangle in PDF points (origin bottom left) on a page (0 first, -1 last)."""

    page: int
    x1: float
    y1: float
    x2: float
    y2: float

    @property
    def width(self) -> float:
        return self.x2 - self.x1

    @property
    def height(self) -> float:
        return self.y2 - self.y1


@dataclass(frozen=True)
class SignatureAppearance:
    """What the signature looks like: the signer's (images) or a copy's (agency and time, top right).

    A copy's `agency_name` left empty is the organisation (O) of the signing certificate.
    """

    kind: Literal["signer", "copy"] = "signer"
    signature_image: bytes | None = None
    seal_image: bytes | None = None
    seal_diameter_mm: float = 36.0
    agency_name: str = ""
    box: SignatureBox | None = None
    extra: dict[str, str] = field(default_factory=dict)


def signer_box_default(page_width: float, page_height: float) -> SignatureBox:
    """The signature block of a letter when none is given: right half of the last page, below the body.

    Decree 30 puts the block under the body at the right (margins right 15-20 mm); the caller that knows
    where the title and name are passes its own box.
    """
    right = page_width - 20 * POINTS_PER_MM
    width = 80 * POINTS_PER_MM
    top = page_height * 0.45
    return SignatureBox(page=-1, x1=right - width, y1=top - 40 * POINTS_PER_MM, x2=right, y2=top)


def copy_box(page_width: float, page_height: float) -> SignatureBox:
    """Top right of the first page, inside the margins (top 20 mm, right 15 mm)."""
    right = page_width - 15 * POINTS_PER_MM
    top = page_height - 8 * POINTS_PER_MM
    return SignatureBox(page=0, x1=right - 75 * POINTS_PER_MM, y1=top - 11 * POINTS_PER_MM, x2=right, y2=top)


PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# A signature or a seal scanned at 600 dpi is under 1,500 × 1,500 points; drawn at 36 mm and 300 dpi it is 425.
# Decoded to RGBA a picture costs 4 bytes a point: at this limit 16 MB, where Pillow's own (89 million) is 360 MB.
MAX_IMAGE_PIXELS = 4_000_000


class ImageRefused(ValueError):
    """A signature or seal picture that cannot be drawn; `message` says why in Vietnamese."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def load_image(data: bytes) -> Image.Image:
    """A signature or seal picture decoded whole into RGBA, or ImageRefused: not a PNG, over MAX_IMAGE_PIXELS (read
    from the PNG header, before anything is decoded), or damaged (a bad checksum, cut short)."""
    if not data.startswith(PNG_MAGIC):
        raise ImageRefused("không phải ảnh PNG (cần PNG nền trong suốt)")
    if len(data) < 24 or data[12:16] != b"IHDR":  # the header chunk comes first and says the size
        raise ImageRefused("ảnh PNG bị hỏng (thiếu phần đầu ảnh), không đọc được")
    width, height = struct.unpack(">II", data[16:24])
    if width * height > MAX_IMAGE_PIXELS:
        raise ImageRefused(f"ảnh {width} × {height} điểm ảnh, quá lớn cho ảnh chữ ký hoặc con dấu (tối đa "
                           f"{MAX_IMAGE_PIXELS // 1_000_000} triệu điểm ảnh, ví dụ 2000 × 2000); hãy thu nhỏ ảnh")
    try:
        with Image.open(io.BytesIO(data), formats=["PNG"]) as checked:
            checked.verify()  # every chunk's checksum, without decoding
        with Image.open(io.BytesIO(data), formats=["PNG"]) as image:
            image.load()
            return image.convert("RGBA")
    except (OSError, SyntaxError, ValueError, EOFError, zlib.error, struct.error, Image.DecompressionBombError):
        raise ImageRefused("ảnh PNG bị hỏng hoặc bị cắt dở, không đọc được; hãy xuất lại ảnh") from None


def image_problem(data: bytes) -> str | None:
    """Why a signature or seal picture cannot be used (load_image's reason, in Vietnamese), or None."""
    try:
        load_image(data)
    except ImageRefused as refused:
        return refused.message
    return None


def compose_signer_picture(appearance: SignatureAppearance, box: SignatureBox) -> tuple[Image.Image, SignatureBox]:
    """The signature centred in the box, the seal at actual size over its left third.

    Returns the picture and the field's box, widened to the left when the seal reaches past the block.
    """
    box_w = box.width * _PX_PER_POINT
    box_h = box.height * _PX_PER_POINT
    seal_px = appearance.seal_diameter_mm * POINTS_PER_MM * _PX_PER_POINT
    sig_w = sig_h = 0.0
    signature: Image.Image | None = None
    if appearance.signature_image is not None:
        signature = load_image(appearance.signature_image)
        scale = min(box_w * 0.9 / signature.width, box_h * 0.9 / signature.height)
        sig_w, sig_h = signature.width * scale, signature.height * scale
    sig_left = (box_w - sig_w) / 2
    seal: Image.Image | None = None
    seal_left = 0.0
    if appearance.seal_image is not None:
        seal = load_image(appearance.seal_image)
        seal_left = sig_left + sig_w / 3 - seal_px if signature is not None else (box_w - seal_px) / 2
    grow_left = max(0.0, -seal_left)
    grow_y = max(0.0, (seal_px - box_h) / 2) if seal is not None else 0.0
    canvas_w, canvas_h = round(box_w + grow_left), round(box_h + 2 * grow_y)
    canvas = Image.new("RGBA", (max(canvas_w, 1), max(canvas_h, 1)), (255, 255, 255, 0))
    if signature is not None:
        resized = signature.resize((max(round(sig_w), 1), max(round(sig_h), 1)), Image.Resampling.LANCZOS)
        canvas.alpha_composite(resized, (round(grow_left + sig_left), round(grow_y + (box_h - sig_h) / 2)))
    if seal is not None:
        size = max(round(seal_px), 1)
        resized = seal.resize((size, size), Image.Resampling.LANCZOS)
        canvas.alpha_composite(resized, (round(grow_left + seal_left), round(grow_y + (box_h - seal_px) / 2)))
    field_box = SignatureBox(
        page=box.page,
        x1=box.x1 - grow_left / _PX_PER_POINT,
        y1=box.y1 - grow_y / _PX_PER_POINT,
        x2=box.x2,
        y2=box.y2 + grow_y / _PX_PER_POINT,
    )
    return canvas, field_box


def _serif_font(size_pt: float) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for candidate in _SERIF_FONTS:
        if Path(candidate).exists():
            return ImageFont.truetype(candidate, round(size_pt * _PX_PER_POINT))
    return ImageFont.load_default(round(size_pt * _PX_PER_POINT))


def copy_lines(agency_name: str, signed_at: datetime) -> list[str]:
    """The words of a copy's signature: the agency, then the time in ISO 8601 with the Vietnam offset."""
    return [agency_name, signed_at.isoformat(timespec="seconds")]


def compose_copy_picture(lines: list[str], box: SignatureBox) -> Image.Image:
    """Times New Roman 10, blue, right-aligned lines on a transparent picture the size of the box."""
    width, height = round(box.width * _PX_PER_POINT), round(box.height * _PX_PER_POINT)
    canvas = Image.new("RGBA", (width, height), (255, 255, 255, 0))
    draw = ImageDraw.Draw(canvas)
    font = _serif_font(10)
    line_height = round(12 * _PX_PER_POINT)
    for index, line in enumerate(lines):
        text_width = draw.textlength(line, font=font)
        draw.text((width - text_width, index * line_height), line, font=font, fill=_BLUE)
    return canvas
