"""A one-page PDF a reader opens (catalogue, page tree, cross-reference table): a draft is judged by its structure,
not only by its first bytes, so a test's draft must be a real PDF. `minimal_pdf(b"v3")` varies the bytes (a comment
after the header) for tests that tell two versions apart."""
from __future__ import annotations

_OBJECTS = (b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>")


def minimal_pdf(note: bytes = b"ykien test draft") -> bytes:
    out = b"%PDF-1.4\n%" + note.replace(b"\n", b" ") + b"\n"
    offsets = []
    for number, body in enumerate(_OBJECTS, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(_OBJECTS) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    return out + b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(_OBJECTS) + 1, xref)


PDF = minimal_pdf()
