"""`ykien user digest` and the digest sent by `ykien tick`, in process on the loopback SMTP capture: bad input exits 2
naming the option, an unknown account exits 1, and neither changes anything; tick at 07:31 on a working day sends
the day's digest once, on a Sunday or during Tết it sends none."""
from __future__ import annotations

CREATE = ("round", "create", "--title", "Kế hoạch nâng cao năng suất", "--office", "TĐC", "--deadline",
          "10 ngày làm việc", "--group", "so-ban-nganh", "--contact-name", "Ông Phạm Phi Long", "--contact-phone",
          "0912130290", "--signer-name", "Nông Thị Thanh Huyền", "--json")
ADDRESS = "long.pp@skhcn.caobang.gov.vn"


def _error(result) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    return result.json["error"]["code"], result.json["error"]["message"]


def _digests(capture) -> list:  # type: ignore[no-untyped-def]
    return [m for m in capture.messages if str(m["X-Ykien-Kind"]) == "digest"]


def test_user_digest_refuses_bad_input_and_tick_sends_the_digest_on_working_days_only(  # type: ignore[no-untyped-def]
        cli, capture) -> None:
    cli.at("2025-11-20T09:00")
    cli("user", "add", "canbo", "--name", "Phạm Phi Long", "--office", "TĐC", YKIEN_NEW_PASSWORD="matkhau-rat-dai")
    before = cli.snapshot()
    for args, status, code, words in (
            (("--on", "--email", "canbo@"), 2, "digest_email_invalid", '--email: "canbo@" không phải địa chỉ thư'),
            (("--on",), 2, "digest_email_missing", "--email: hãy cho địa chỉ"),
            (("--on", "--off", "--email", ADDRESS), 2, "digest_on_and_off", "--on, --off"),
            (("--off", "--email", ADDRESS), 2, "digest_email_without_on", "--email: chỉ dùng cùng --on")):
        result = cli("user", "digest", "canbo", *args, "--json", expect=status)
        assert _error(result)[0] == code and words in _error(result)[1], args
    unknown = cli("user", "digest", "khongco", "--on", "--email", ADDRESS, "--json", expect=1)
    assert _error(unknown)[0] == "user_not_found" and "khongco" in _error(unknown)[1]
    assert cli.snapshot() == before  # nothing half-written
    assert cli("user", "digest", "canbo", "--json").json == {"username": "canbo", "digest": False, "email": None}
    assert "nhận thư tổng hợp hằng ngày tại " + ADDRESS in cli("user", "digest", "canbo", "--on", "--email",
                                                               ADDRESS).out
    cli(*CREATE)
    cli("round", "launch", "1", "--no-draft-reason", "Thư mời là toàn bộ nội dung")
    bad_time = cli("tick", "--json", expect=2, YKIEN_DIGEST_TIME="25:00")
    assert "YKIEN_DIGEST_TIME" in bad_time.out + bad_time.err and "HH:MM" in bad_time.out + bad_time.err
    assert _digests(capture) == []  # the launch sends its invitations, not the sweep's digest
    cli.at("2025-11-21T07:29")  # Friday, a minute early
    cli("tick")
    assert _digests(capture) == []
    cli.at("2025-11-21T07:31")
    cli("tick")
    cli("tick")
    friday = _digests(capture)
    assert len(friday) == 1 and str(friday[0]["To"]) == ADDRESS
    assert str(friday[0]["Subject"]).startswith("[SKHCN] Tổng hợp ngày 21/11/2025: không có trả lời mới")
    cli.at("2025-11-23T07:31")  # Sunday
    cli("tick")
    assert len(_digests(capture)) == 1
    cli.at("2025-11-24T07:31")  # Monday
    cli("tick")
    assert len(_digests(capture)) == 2
    cli.at("2026-02-17T09:00")  # mùng 1 Tết Bính Ngọ
    cli("tick")
    assert len(_digests(capture)) == 2
    assert "không nhận thư tổng hợp" in cli("user", "digest", "canbo", "--off").out
