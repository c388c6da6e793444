"""JSON bodies of the API that are wrong in ways a client makes: half of a surrogate pair in a string, an empty list
where a list of codes narrows a command. Each is refused with 422, the field named and the reason in Vietnamese, and
nothing is done."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from staff_site import staff, template_home, ykien_app  # noqa: F401

from workflows.service.app import App
from workflows.service.documents import set_document_inputs


def test_half_a_surrogate_pair_in_a_string_is_refused_in_vietnamese_by_its_field(staff: TestClient) -> None:
    answer = staff.post("/api/rounds", content=b'{"title": "D\\u1ef1 th\\u1ea3o \\ud800", "office": "T\\u0110C"}',
                        headers={"Content-Type": "application/json"})
    assert answer.status_code == 422
    message = answer.json()["error"]["message"]
    assert "title: có ký tự không hợp lệ (nửa cặp thay thế UTF-16" in message, message
    assert "Input should be" not in message


def test_reminding_an_empty_list_of_units_is_refused_and_reminds_nobody(ykien_app: App, staff: TestClient) -> None:
    created = staff.post("/api/rounds", json={
        "title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT", "STC"]}],
        "contact_name": "Ông A", "contact_phone": "0912130290", "signer_name": "Bà B"})
    round_id = created.json()["id"]
    assert staff.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": "Gửi kèm bản giấy"}).status_code == 200
    before = staff.get(f"/api/rounds/{round_id}/audit").json()["events"]
    answer = staff.post(f"/api/rounds/{round_id}/remind", json={"units": []})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["message"] == "Dữ liệu không hợp lệ: units: phải có ít nhất 1 mục"
    assert staff.get(f"/api/rounds/{round_id}/audit").json()["events"] == before
    assert staff.post(f"/api/rounds/{round_id}/remind", json={"units": ["SCT"]}).json()["messages"] == 1


@pytest.mark.parametrize(("kind", "said"), [("comments", "Ý kiến góp ý không kèm trả lời theo mẫu."),
                                            ("agree", "Đã chọn \"Đồng ý / không có ý kiến\" nhưng lại có nội dung")])
def test_forms_sent_with_an_answer_of_another_kind_are_refused_for_what_they_are(
        ykien_app: App, staff: TestClient, kind: str, said: str) -> None:
    created = staff.post("/api/rounds", json={
        "title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT"]}],
        "contact_name": "Ông A", "contact_phone": "0912130290", "signer_name": "Bà B"})
    round_id = created.json()["id"]
    assert staff.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": "Gửi kèm bản giấy"}).status_code == 200
    body = {"unit": "SCT", "kind": kind, "proposals": [{"task_name": "Nhiệm vụ"}],
            "comments": [{"text": "Ý kiến"}] if kind == "comments" else []}
    answer = staff.post(f"/api/rounds/{round_id}/respond", json=body)
    assert answer.status_code == 422, answer.text
    assert said in answer.json()["error"]["message"]
    assert "(các trường: )" not in answer.json()["error"]["message"]
    assert staff.get(f"/api/rounds/{round_id}/responses").json() == []


def test_a_date_for_a_kind_that_declares_none_says_so_plainly(ykien_app: App, staff: TestClient) -> None:
    answer = staff.post("/api/rounds", json={
        "title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT"]}],
        "contact_name": "Ông A", "contact_phone": "0912130290", "signer_name": "Bà B", "dates": {"event": "2025-12-19"}})
    assert answer.status_code == 422
    assert answer.json()["error"] == {"code": "date_unknown", "message": (
        "date: quy trình \"Lấy ý kiến góp ý dự thảo\" không có ngày \"event\" (quy trình không khai báo ngày riêng "
        "nào).")}


def _launched(ykien_app: App, staff: TestClient, workflow: str) -> int:
    created = staff.post("/api/rounds", json={
        "title": "Kế hoạch thử", "office": "TĐC", "deadline": "2025-12-05", "addressees": [{"units": ["SCT"]}],
        "workflow": workflow, "contact_name": "Ông A", "contact_phone": "0912130290", "signer_name": "Bà B"})
    round_id = int(created.json()["id"])
    if workflow != "consultation":  # the letter of the others says where units send their answers
        set_document_inputs(ykien_app, round_id, {"department_address": "Số 077, phố Hoàng Đình Giong, Cao Bằng",
                                                  "department_email": "vanthu@skhcn.caobang.gov.vn"}, "Ông A")
    assert staff.post(f"/api/rounds/{round_id}/launch", json={"no_draft_reason": "Gửi kèm bản giấy"}).status_code == 200
    return round_id


def test_a_number_of_more_digits_than_python_reads_is_refused_by_its_field(ykien_app: App, staff: TestClient) -> None:
    """json.loads refuses a whole number of more than 4,300 digits with a bare ValueError: the answer was a 400 "Không
    đọc được nội dung yêu cầu." naming nothing, and a page number that long got pydantic's English."""
    round_id = _launched(ykien_app, staff, "report_collection")
    body = (b'{"unit": "SCT", "kind": "proposals", "proposals": [{"leadership_text": "x", "budget_state": '
            + b"9" * 5000 + b"}]}")
    answer = staff.post(f"/api/rounds/{round_id}/respond", content=body, headers={"Content-Type": "application/json"})
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"] == {"code": "invalid_input", "message": (
        "Dữ liệu không hợp lệ: proposals.0.budget_state: số có 5.000 chữ số, dài quá 4.300 chữ số mà máy chủ đọc "
        "được")}
    assert staff.get(f"/api/rounds/{round_id}/responses").json() == []
    created = staff.post("/api/rounds", content=('{"title": -' + "1" * 4301 + ', "office": "TĐC"}').encode(),
                         headers={"Content-Type": "application/json"})
    assert created.status_code == 422 and "title: số có 4.301 chữ số" in created.json()["error"]["message"]
    page = staff.get(f"/api/rounds/{round_id}?page=" + "9" * 5000)
    assert page.status_code == 422 and page.json()["error"]["message"] == "Dữ liệu không hợp lệ: page: là số quá dài"


def test_answer_text_with_a_bidi_control_is_refused_by_field_and_zero_width_characters_are_dropped(
        ykien_app: App, staff: TestClient) -> None:
    """"x\\u202ey" (a right-to-left override, shown as something else than it is kept) was taken with 200; a
    zero-width space or a byte order mark pasted from Word stayed in the answer, invisible."""
    round_id = _launched(ykien_app, staff, "report_collection")
    responses = f"/api/rounds/{round_id}/respond"
    for control in ("\u202a", "\u202e", "\u2066", "\u2069"):
        body = {"unit": "SCT", "kind": "proposals", "proposals": [{"leadership_text": f"x{control}y",
                                                                   "budget_state": "120000000"}]}
        answer = staff.post(responses, json=body)
        assert answer.status_code == 422, answer.text
        assert answer.json()["error"]["message"] == (
            "1. Công tác lãnh đạo, chỉ đạo triển khai thực hiện — Nội dung báo cáo: có ký tự đảo chiều chữ "
            f"U+{ord(control):04X} ở ký tự thứ 2 (vô hình, thường bị dính vào khi sao chép); hãy xóa ký tự này.")
    assert staff.get(f"/api/rounds/{round_id}/responses").json() == []
    pasted = "\ufeffKế hoạch\u200b số 41/KH-UBND\nĐã triển khai:\tđủ\u200b"
    body = {"unit": "SCT", "kind": "proposals", "proposals": [{"leadership_text": pasted, "budget_state": "5"}]}
    assert staff.post(responses, json=body).status_code == 200
    (kept,) = staff.get(f"/api/rounds/{round_id}/responses").json()
    assert kept["proposals"][0]["leadership_text"] == "Kế hoạch số 41/KH-UBND\nĐã triển khai:\tđủ"

    consultation = _launched(ykien_app, staff, "consultation")
    comment = staff.post(f"/api/rounds/{consultation}/respond",
                         json={"unit": "SCT", "kind": "comments", "comments": [{"text": "Sửa\u202e mục II"}]})
    assert comment.status_code == 422
    assert "comments.0.text: có ký tự đảo chiều chữ U+202E ở ký tự thứ 4" in comment.json()["error"]["message"]
