"""The signing page's bounds are the ones in models.limits, which `ykien round-sign` reads too: the form kept its own
copies (KEY_FILE_MAX, IMAGE_MAX, SEAL_MM), so a bound changed in one place left the other behind."""
from __future__ import annotations

import pytest

from models import limits
from workflows.service.errors import FormErrors
from workflows.web.forms.signing_form import check_sign_form, read_sign_form


def test_the_signing_form_refuses_by_the_bounds_of_models_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "KEY_FILE_BYTES", 1024)
    monkeypatch.setattr(limits, "IMAGE_BYTES", 2 * 1024 * 1024 - 1)  # shown in whole MB: "lớn hơn 1 MB"
    monkeypatch.setattr(limits, "SEAL_DIAMETER_MM", (30.0, 40.0))
    values = {"source": ["file"], "seal_mm": ["25"], "secret": ["pw"]}
    files = {"key_file": ("khoa.p12", b"\x30" + bytes(2048)),
             "signature_image": ("chu-ky.png", b"\x89PNG" + bytes(2 * 1024 * 1024))}
    with pytest.raises(FormErrors) as caught:
        check_sign_form(read_sign_form(values), values, files, token_available=False)
    assert caught.value.errors == {
        "key_file": 'Tệp "khoa.p12" lớn hơn 1 KB: không phải tệp khóa PKCS#12.',
        "seal_mm": 'Đường kính con dấu "25" phải là số mm từ 30 đến 40.',
        "signature_image": 'Ảnh chữ ký "chu-ky.png" lớn hơn 1 MB.'}
