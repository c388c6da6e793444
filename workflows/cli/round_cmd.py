"""`ykien round ...`: create, launch and follow consultation rounds."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from workflows.cli.common import (
    ACTOR_OPTION,
    JSON_OPTION,
    ROUND_ARGUMENT,
    actor_name,
    check_id,
    guarded,
    open_app,
    print_json,
    say,
    warn,
)

if TYPE_CHECKING:
    from workflows.cli.unit_args import ChosenRecipient
    from workflows.service.commands import CommandResult

app = typer.Typer(no_args_is_help=True)

# The contact person and the signer, written at the foot of the round's letters (create and edit).
GROUP_HELP = "Nhóm đơn vị được đề nghị trả lời: mã hoặc tên nhóm, đủ hoặc một phần (lặp lại được)."
PUBLISH_HELP = "Đơn vị hoặc nhóm đề nghị đăng tải tệp gửi kèm: mã hoặc tên, đủ hoặc một phần (lặp lại được)."
INFORM_HELP = "Đơn vị hoặc nhóm nhận để biết: mã hoặc tên, đủ hoặc một phần (lặp lại được)."
CONTACT_NAME_HELP = "Họ tên cán bộ đầu mối ghi cuối công văn, ví dụ \"Ông Phạm Phi Long\"."
CONTACT_TITLE_HELP = "Chức vụ hoặc phòng của cán bộ đầu mối."
CONTACT_PHONE_HELP = "Số điện thoại của cán bộ đầu mối."
SIGNER_NAME_HELP = "Họ tên người ký công văn."


@app.command("create")
def create(
    title: str = typer.Option(..., "--title", help="Tên dự thảo, hồ sơ, hội thảo ... của đợt, như công văn "
                                "ghi, ví dụ: Kế hoạch hỗ trợ doanh nghiệp ..."),
    subject: str = typer.Option(None, "--subject", help="Trích yếu V/v (không ghi \"V/v\"). "
                                "Mặc định: trích yếu của quy trình với tên dự thảo."),
    workflow: str | None = typer.Option(None, "--workflow", help="Quy trình (xem `ykien workflow list`). "
                                        "Mặc định: quy trình đầu tiên."),
    office: str = typer.Option(..., "--office", help="Mã phòng soạn thảo, ví dụ TĐC."),
    deadline: str = typer.Option(..., "--deadline",
                                 help="Hạn trả lời: 05/12/2025, 2025-12-05 hoặc \"10 ngày làm việc\"."),
    units: list[str] = typer.Option([], "--unit", help="Đơn vị được đề nghị trả lời: mã hoặc tên, đủ hoặc một phần "
                                    "(lặp lại được)."),
    groups: list[str] = typer.Option([], "--group", help=GROUP_HELP),
    publish: list[str] = typer.Option([], "--publish", help=PUBLISH_HELP),
    inform: list[str] = typer.Option([], "--inform", help=INFORM_HELP),
    contact_name: str = typer.Option(..., "--contact-name", help=CONTACT_NAME_HELP),
    contact_title: str | None = typer.Option(None, "--contact-title", help=CONTACT_TITLE_HELP),
    contact_phone: str = typer.Option(..., "--contact-phone", help=CONTACT_PHONE_HELP),
    signer_name: str = typer.Option(..., "--signer-name", help=SIGNER_NAME_HELP),
    signer_title: str = typer.Option("GIÁM ĐỐC", "--signer-title",
                                     help="GIÁM ĐỐC, hoặc \"KT. GIÁM ĐỐC/PHÓ GIÁM ĐỐC\"."),
    silence_agrees: bool | None = typer.Option(None, "--silence-agrees/--silence-not-agreement",
                                                  help="Quá hạn không trả lời được hiểu là thống nhất. "
                                                       "Mặc định: theo quy trình."),
    draft: Path | None = typer.Option(None, "--draft", help="Tệp gửi kèm (dự thảo, hồ sơ ... theo quy trình)."),
    bases: list[str] = typer.Option([], "--basis", help="Căn cứ pháp lý (lặp lại được), ví dụ: "
                                    "\"Quyết định số 1322/QĐ-TTg ngày 31/8/2020 ...\"."),
    timers: list[str] = typer.Option([], "--timer", help="Chính sách nhắc: TÊN=\"deadline - 3 working days\" "
                                     "hoặc TÊN=off."),
    dates: list[str] = typer.Option([], "--date", help="Ngày riêng của quy trình: TÊN=NGÀY, ví dụ "
                                    "event=20/08/2025 (ngày tổ chức hội thảo); lặp lại được."),
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Tạo đợt (chưa gửi) theo quy trình --workflow; `ykien workflow list` kể các quy trình."""
    from models.errors import InvalidInput
    from models.text import nfc, nfc_or_none
    from workflows.cli.parsing import parse_deadline
    from workflows.cli.text_files import check_input_file, upload_limit
    from workflows.service.empty_groups import empty_groups
    from workflows.service.registry import get_workflow
    from workflows.service.rounds import NewRound, create_round, default_workflow_name

    with guarded(as_json):
        ykien = open_app()
        if draft is not None:
            check_input_file(draft, "--draft", "draft_missing", *upload_limit(ykien.settings.max_upload_mb))
        today = ykien.clock.now().astimezone(ykien.tz).date()
        due, working_days = parse_deadline(deadline, today, ykien.calendar)
        overrides = _overrides(timers)
        addressees, taken = _addressees(ykien, units, groups, publish, inform)
        title = nfc(title)
        kind = get_workflow(workflow or default_workflow_name())
        if silence_agrees and not kind.silence.possible:
            raise InvalidInput(f"--silence-agrees: quy trình \"{kind.title}\" không coi việc không trả lời là "
                               "đồng ý; bỏ tùy chọn này.", "silence_not_possible")
        new = NewRound(
            title=title, subject=nfc(subject) if subject else "",  # blank: the kind's default subject
            workflow=kind.name, office=nfc(office), deadline=due,
            addressees=addressees,
            contact_name=nfc(contact_name), contact_title=nfc_or_none(contact_title),
            contact_phone=nfc(contact_phone), signer_name=nfc(signer_name),
            signer_title=nfc(signer_title),
            silence_is_agreement=silence_agrees, draft_path=draft, timer_overrides=overrides,
            deadline_working_days=working_days, legal_bases=tuple(nfc(b) for b in bases),
            dates=_named_dates(dates))
        round_id = create_round(ykien, new, actor_name(actor))
        empty = empty_groups(ykien, round_id)
    if as_json:
        print_json({"id": round_id, "deadline": due, "empty_groups": [group.as_data() for group in empty],
                    "recipients_taken": [chosen.as_data() for chosen in taken]})
    else:
        relative = (f" (nếu phát hành hôm nay; tính lại {working_days} ngày làm việc từ ngày phát hành)"
                    if working_days else "")
        say("\n".join([*(chosen.line for chosen in taken),
                        f"Đã tạo đợt số {round_id}, hạn trả lời {due:%d/%m/%Y}{relative}."]))
        _warn_empty_groups(round_id, empty)


def _warn_empty_groups(round_id: int, empty) -> None:
    """Each group the round names that its letter will not reach, on stderr, with the commands that change that."""
    for group in empty:
        warn(group.notice)
    if empty:
        warn(f"Thêm đơn vị: `ykien directory import TỆP.csv`; cập nhật nơi nhận: `ykien round edit {round_id}` với "
             "các tùy chọn --group, --unit, --publish, --inform như khi tạo đợt.", heading="Cách làm:")


def _named_dates(given: list[str]) -> dict:
    """--date NAME=DATE options as a dict; InvalidInput naming the one that is not of that form."""
    from models.errors import InvalidInput
    from workflows.service.deadlines import parse_date

    dates = {}
    for item in given:
        name, sep, text = item.partition("=")
        if not sep or not name.strip() or not text.strip():
            raise InvalidInput(f"--date: \"{item[:80]}\" phải có dạng TÊN=NGÀY, ví dụ event=20/08/2025.", "bad_date")
        if name.strip() in dates:
            raise InvalidInput(f"--date {name.strip()[:40]}: chỉ ghi một lần.", "bad_date")
        dates[name.strip()] = parse_date(text, f"--date {name.strip()[:40]}")
    return dates


def _overrides(timers: list[str]) -> dict[str, str]:
    """--timer NAME=SPEC options as a dict; InvalidInput naming the one that is not of that form."""
    from models.errors import InvalidInput

    overrides: dict[str, str] = {}
    for item in timers:
        name, sep, spec = item.partition("=")
        if not sep or not name.strip() or not spec.strip():
            raise InvalidInput(f"--timer: \"{item}\" phải có dạng TÊN=mốc thời gian.", "bad_timer")
        overrides[name.strip()] = spec.strip()
    return overrides


def _addressees(ykien, units: list[str], groups: list[str], publish: list[str], inform: list[str]
                ) -> tuple[tuple, list[ChosenRecipient]]:
    """Whom the options address: --unit and --group to comment, --publish and --inform units or groups; with the
    recipients each option took ("Đơn vị: Sở Y tế (SYT)", "Nhóm: Các sở, ban, ngành tỉnh (so-ban-nganh)").
    A value is a code or a name, whole or in part (cli/unit_args.chosen_recipients: one SQL lookup each); --group
    names a group by its code or label."""
    from models.rounds import RecipientRole
    from workflows.cli.unit_args import chosen_recipients
    from workflows.service.rounds import Addressee

    commenting = chosen_recipients(ykien, units, "--unit")
    commenting_groups = chosen_recipients(ykien, groups, "--group", groups=True, units=False)
    publishing = chosen_recipients(ykien, publish, "--publish", groups=True)
    informed = chosen_recipients(ykien, inform, "--inform", groups=True)

    def addressee(chosen: list[ChosenRecipient], role: RecipientRole) -> Addressee:
        return Addressee(units=tuple(c.code for c in chosen if not c.is_group),
                         groups=tuple(c.code for c in chosen if c.is_group), role=role)

    addressees = (addressee([*commenting, *commenting_groups], RecipientRole.COMMENT),
                  addressee(publishing, RecipientRole.PUBLISH), addressee(informed, RecipientRole.INFORM))
    taken = [*commenting, *commenting_groups, *publishing, *informed]
    return tuple(a for a in addressees if a.units or a.groups), taken


@app.command("edit")
def edit(
    round_id: int = ROUND_ARGUMENT,
    title: str | None = typer.Option(None, "--title", help="Tên mới (của dự thảo, hồ sơ, hội thảo ...)."),
    subject: str | None = typer.Option(None, "--subject", help="Trích yếu V/v mới (\"\" để dùng trích yếu mặc định "
                                       "của quy trình với tên dự thảo)."),
    office: str | None = typer.Option(None, "--office", help="Mã phòng soạn thảo (xem `ykien office list`)."),
    deadline: str | None = typer.Option(None, "--deadline",
                                        help="Hạn trả lời: 05/12/2025, 2025-12-05 hoặc \"10 ngày làm việc\"."),
    units: list[str] = typer.Option([], "--unit", help="Đơn vị được đề nghị trả lời: mã hoặc tên, đủ hoặc một phần. "
                                    "Cho một trong --unit, --group, --publish, --inform thì danh sách nơi nhận được "
                                    "thay toàn bộ."),
    groups: list[str] = typer.Option([], "--group", help=GROUP_HELP),
    publish: list[str] = typer.Option([], "--publish", help=PUBLISH_HELP),
    inform: list[str] = typer.Option([], "--inform", help=INFORM_HELP),
    contact_name: str | None = typer.Option(None, "--contact-name", help=CONTACT_NAME_HELP),
    contact_title: str | None = typer.Option(None, "--contact-title", help=CONTACT_TITLE_HELP),
    contact_phone: str | None = typer.Option(None, "--contact-phone", help=CONTACT_PHONE_HELP),
    signer_name: str | None = typer.Option(None, "--signer-name", help=SIGNER_NAME_HELP),
    signer_title: str | None = typer.Option(None, "--signer-title", help="Chức vụ người ký mới, ví dụ \"KT. GIÁM "
                                            "ĐỐC/PHÓ GIÁM ĐỐC\"."),
    silence_agrees: bool | None = typer.Option(None, "--silence-agrees/--silence-not-agreement",
                                               help="Quá hạn không trả lời được hiểu là thống nhất, hoặc không."),
    draft: Path | None = typer.Option(None, "--draft", help="Tệp gửi kèm thay tệp cũ."),
    bases: list[str] = typer.Option([], "--basis", help="Căn cứ pháp lý (thay toàn bộ căn cứ cũ)."),
    timers: list[str] = typer.Option([], "--timer", help="Chính sách nhắc: TÊN=\"deadline - 3 working days\" "
                                     "hoặc TÊN=off (thay toàn bộ chính sách cũ)."),
    dates: list[str] = typer.Option([], "--date", help="Ngày riêng của quy trình: TÊN=NGÀY (thay ngày đó)."),
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Sửa đợt chưa phát hành (bản nháp): chỉ các tùy chọn được cho thay đổi, với cùng các kiểm tra như khi tạo."""
    from dataclasses import replace

    from models.text import nfc, nfc_or_none
    from workflows.cli.parsing import parse_deadline
    from workflows.cli.text_files import check_input_file, upload_limit
    from workflows.service.draft_rounds import draft_round, edit_round
    from workflows.service.empty_groups import empty_groups
    from workflows.service.registry import get_workflow
    from workflows.service.round_fields import changed_words

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app(writes=True)
        current, _ = draft_round(ykien, round_id)
        changes: dict[str, object] = {}
        if deadline is not None:
            today = ykien.clock.now().astimezone(ykien.tz).date()
            due, working_days = parse_deadline(deadline, today, ykien.calendar)
            changes.update(deadline=due, deadline_working_days=working_days)
        if title is not None:
            changes["title"] = nfc(title)
        if subject is not None:
            changes["subject"] = nfc(subject)
        elif title is not None and current.subject == _default_subject(current):
            changes["subject"] = ""  # the kind's default follows the new title
        for name, value in (("office", office), ("contact_name", contact_name), ("contact_phone", contact_phone),
                            ("signer_name", signer_name), ("signer_title", signer_title)):
            if value is not None:
                changes[name] = nfc(value)
        if contact_title is not None:
            changes["contact_title"] = nfc_or_none(contact_title)
        if silence_agrees is not None:
            changes["silence_is_agreement"] = silence_agrees
        taken: list[ChosenRecipient] = []
        if units or groups or publish or inform:
            changes["addressees"], taken = _addressees(ykien, units, groups, publish, inform)
        if bases:
            changes["legal_bases"] = tuple(nfc(b) for b in bases)
        if timers:
            changes["timer_overrides"] = _overrides(timers)
        if draft is not None:
            changes["draft_path"] = check_input_file(draft, "--draft", "draft_missing",
                                                     *upload_limit(ykien.settings.max_upload_mb))
        if dates:
            changes["dates"] = {**current.dates, **_named_dates(dates)}
        if not changes:
            from models.errors import InvalidInput

            raise InvalidInput("Không có gì để sửa: cho ít nhất một tùy chọn (xem --help).", "nothing_to_change")
        if "deadline" not in changes:
            changes["deadline"] = current.deadline  # checked again: a draft whose deadline has passed is refused
        changed = edit_round(ykien, round_id, replace(current, **changes), actor_name(actor))  # type: ignore[arg-type]
        empty = empty_groups(ykien, round_id)  # the draft as saved: a group of the new choice the letter will miss
    if as_json:
        print_json({"id": round_id, "changed": changed, "empty_groups": [group.as_data() for group in empty],
                    "recipients_taken": [chosen.as_data() for chosen in taken]})
    else:
        words = ", ".join(changed_words(changed, get_workflow(current.workflow)))
        say("\n".join([*(chosen.line for chosen in taken), f"Đã sửa đợt số {round_id}: {words}." if changed
                        else f"Đợt số {round_id}: không có gì thay đổi."]))
        _warn_empty_groups(round_id, empty)


def _default_subject(new) -> str:
    from workflows.service.registry import get_workflow
    from workflows.service.rounds import default_subject

    return default_subject(get_workflow(new.workflow), new.title)


@app.command("delete")
def delete(round_id: int = ROUND_ARGUMENT, actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Xóa đợt chưa phát hành (bản nháp) cùng nơi nhận và tệp gửi kèm; không hỏi lại. Đợt đã phát hành, hoặc đã được
    cấp số văn bản, không xóa được. Việc xóa được ghi vào nhật ký hệ thống."""
    from workflows.service.draft_rounds import delete_round

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        deleted = delete_round(open_app(writes=True), round_id, actor_name(actor))
    if as_json:
        print_json({"id": deleted.id, "deleted": True})
    else:
        say(f"Đã xóa bản nháp số {deleted.id}: {deleted.title}.")


SINK_NOTICE = ("YKIEN_SMTP_URL chưa đặt: thư được lưu trong hộp thư nội bộ (trang Hộp thư của ykien), chưa gửi ra "
               "ngoài; đặt YKIEN_SMTP_URL để gửi tới các đơn vị.")


def _run(round_id: int, event, actor: str | None, as_json: bool, done,
         send_now: bool = True, opened=None, command=None, extra: dict | None = None) -> None:
    """One command through the service's command path; mail that cannot go out now is a notice, not a failure
    (the command is recorded, exit 0). `done` is the success line: a format with {messages} and {status}, or a
    function of the decision and the state's title. `extra`: more keys of the --json output, which `command` may
    fill as it runs."""
    from workflows.cli.stoppable import run_sending
    from workflows.service.commands import run_command

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = opened or open_app()

        def run() -> CommandResult:
            return (command or run_command)(ykien, round_id, event, actor_name(actor), deliver=send_now)

        result, finish = run_sending(ykien, run) if send_now else (run(), lambda: None)
    _say_done(ykien, round_id, result, as_json, done, extra)
    finish()


def _say_done(ykien, round_id: int, result: CommandResult, as_json: bool, done, extra: dict | None) -> None:
    from workflows.service.registry import get_workflow

    decision, report = result.decision, result.delivery
    if as_json:
        print_json({"id": round_id, "status": decision.state.status, "messages": len(decision.messages),
                    "delivery": report, "mail": result.mail, "notice": result.notice, **(extra or {})})
        return
    title = get_workflow(decision.state.workflow).state_title(decision.state.status)  # never the state's name
    say(done(decision, title) if callable(done) else done.format(messages=len(decision.messages), status=title))
    if report is not None and (report.sent or report.failed or report.retrying):
        say(f"Thư: đã gửi {report.sent}, lỗi {report.failed}, chờ gửi lại {report.retrying}.")
        if ykien.smtp_url is None:  # "đã gửi" to the built-in sink: nothing left the machine
            say(SINK_NOTICE)
    if result.notice:
        say(result.notice)


@contextmanager
def letter_said_for_the_cli() -> Iterator[None]:
    """A launch refused for its letter (service/launch.py), said with the command that fills in what it lacks: bad
    input, exit 2."""
    from models.errors import InvalidInput
    from workflows.cli.documents_cmd import input_typed
    from workflows.service.launch import LetterNotReady

    try:
        yield
    except LetterNotReady as problem:
        if problem.inputs:
            options = " ".join(input_typed(key) for key in problem.inputs)
            where = f"Điền bằng: ykien round document-inputs {problem.round_id} {options}, rồi phát hành lại."
        else:
            where = "Bổ sung xong hãy phát hành lại."
        raise InvalidInput(f"{problem.refused} {where}", problem.code) from None


@app.command("launch")
def launch(round_id: int = ROUND_ARGUMENT,
           queue_only: bool = typer.Option(False, "--queue-only", help="Chỉ xếp hàng thư; `ykien serve` sẽ gửi."),
           no_draft_reason: str | None = typer.Option(
               None, "--no-draft-reason", help="Lý do phát hành không kèm tệp (khi quy trình cần tệp gửi kèm: dự "
               "thảo, hồ sơ ... mà đợt chưa có); được ghi vào nhật ký."),
           actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Phát hành: gửi văn bản của đợt tới mọi đơn vị."""
    from models.text import grouped
    from workflows.cli.progress import progress_bar
    from workflows.service.commands import deliver_decision
    from workflows.service.empty_groups import empty_groups
    from workflows.service.jobs import mail_counter
    from workflows.service.launch import launch_round
    from workflows.service.views import unit_count

    extra: dict = {}

    def launched(ykien, round_id: int, event, who: str, deliver: bool = True):
        from models.errors import InvalidInput

        if no_draft_reason is not None and not no_draft_reason.strip():  # typed, but nothing in it
            raise InvalidInput("--no-draft-reason: lý do không được để trống hay chỉ gồm dấu cách; ghi lý do phát "
                               "hành không kèm dự thảo, hoặc bỏ tùy chọn này.", "no_draft_reason_blank")
        empty = empty_groups(ykien, round_id)  # before the letters go out, against the directory as it is now
        extra["empty_groups"] = [group.as_data() for group in empty]
        if empty and not as_json:
            for group in empty:
                warn(group.fact)
            warn(f"Thư sẽ gửi tới {grouped(unit_count(ykien, round_id))} cơ quan, đơn vị của đợt; "
                 f"{'nhóm' if len(empty) == 1 else str(len(empty)) + ' nhóm'} trên không nhận được thư.")
        with progress_bar(as_json) as bar, letter_said_for_the_cli():  # the letters prepared, then sent
            queued = launch_round(ykien, round_id, who, no_draft_reason, deliver=False,
                                  on_progress=bar.step("Chuẩn bị thư"))
            if not deliver:
                return queued
            bar.counted("Gửi thư", queued.queued, mail_counter(ykien, round_id))
            return deliver_decision(ykien, round_id, queued.decision)

    def launched_line(decision, status: str) -> str:  # the deadline as launching fixed it ("10 ngày làm việc")
        due = f"hạn trả lời {decision.state.deadline:%d/%m/%Y}; " if decision.state.deadline else ""
        return f"Đã phát hành đợt số {round_id} ({status}); {due}{len(decision.messages)} thư được xếp hàng gửi."

    _run(round_id, None, actor, as_json, launched_line, send_now=not queue_only, command=launched, extra=extra)


@app.command("respond")
def respond(
    round_id: int = ROUND_ARGUMENT,
    unit: str = typer.Argument(..., help="Đơn vị trả lời: mã hoặc tên, đủ hoặc một phần, có dấu hay không (SYT, "
                               "\"so y te\")."),
    agree: bool = typer.Option(False, "--agree", help="Đồng ý / không có ý kiến."),
    comments: list[str] = typer.Option([], "--comment", help="\"nội dung\", \"Mục::nội dung\" hoặc "
                                       "\"Mục::nội dung::đề xuất sửa\"."),
    proposal_file: Path | None = typer.Option(None, "--proposal-file",
                                              help="Phiếu đề xuất (JSON: một đối tượng trường -> nội dung, "
                                                   "hoặc danh sách các đối tượng khi gửi nhiều phiếu)."),
    attach: list[str] = typer.Option([], "--attach", help="Tệp gửi kèm cho một trường tệp của phiếu: TRƯỜNG=ĐƯỜNG_DẪN "
                                     "(PDF, DOC/DOCX, XLS/XLSX, ODT/ODS, JPG/PNG, ZIP); lặp lại cho nhiều trường."),
    channel: str = typer.Option("paper", "--channel", help="paper | phone | email | web"),
    note: str | None = typer.Option(None, "--note", help="Ghi chú, ví dụ số công văn trả lời."),
    late: bool = typer.Option(False, "--late",
                              help="Chấp nhận trả lời gửi sau khi đã kết thúc nhận trả lời (ghi là trễ hạn)."),
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Ghi nhận câu trả lời của một đơn vị (nhận bằng văn bản giấy, điện thoại ...)."""
    from models.errors import InvalidInput
    from models.rounds import ResponseChannel, ResponseKind
    from models.text import nfc, nfc_or_none
    from workflows.cli.comment_options import checked_comments
    from workflows.cli.parsing import parse_comment
    from workflows.cli.proposal_file import read_proposal_file
    from workflows.cli.text_files import checked_attachments
    from workflows.cli.unit_args import chosen_unit
    from workflows.engine.events import Respond
    from workflows.service.answer_input import check_answer, clean_proposals
    from workflows.service.attachments import pending_files, read_attachments, respond_with_files
    from workflows.service.registry import get_workflow
    from workflows.service.views import round_brief

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        kinds = [k for k, given in ((ResponseKind.AGREE, agree), (ResponseKind.COMMENTS, bool(comments)),
                                    (ResponseKind.PROPOSALS, proposal_file is not None or bool(attach))) if given]
        if attach and (agree or comments):
            raise InvalidInput("--attach: tệp gửi kèm thuộc một trường tệp của phiếu đề xuất, nên chỉ dùng cùng "
                               "--proposal-file (hoặc một mình), không cùng --agree hay --comment.", "bad_response")
        if len(kinds) != 1:
            raise InvalidInput("Chọn đúng một trong --agree, --comment hoặc --proposal-file (có thể kèm --attach).",
                               "bad_response")
        try:
            how = ResponseChannel(channel)
        except ValueError:
            raise InvalidInput(f"--channel: \"{channel}\" không hợp lệ (paper, phone, email, web).",
                               "bad_channel") from None
        forms = read_proposal_file(proposal_file, "bad_proposal") if proposal_file is not None else None
        parsed = tuple(parse_comment(nfc(c)) for c in comments)
        # Checked as the web form and the API check it: every field against its kind, named by its label.
        ykien = open_app()
        kind_of_round = get_workflow(round_brief(ykien, round_id).workflow)
        answering = chosen_unit(ykien, round_id, unit, "UNIT")
        spec = kind_of_round.response
        cleaned = checked_comments(((c.section, c.text, c.proposed_wording) for c in parsed), kind_of_round.terms)
        uploads = read_attachments(spec, checked_attachments(attach), ykien.settings.max_upload_mb)
        proposals: tuple[dict[str, str], ...] = ()
        if kinds[0] is ResponseKind.PROPOSALS:
            def cleaned_forms() -> tuple[dict[str, str], ...]:
                return clean_proposals(spec, forms.forms if forms else [{}], pending_files(spec, uploads))

            proposals = forms.checked(spec, cleaned_forms) if forms else cleaned_forms()
        check_answer(spec, kinds[0], cleaned, proposals, kind_of_round.terms)
        event = Respond(unit_code=answering.code, kind=kinds[0], entered_by=actor_name(actor), channel=how,
                        comments=cleaned, proposals=proposals, note=nfc_or_none(note), late_accept=late)

    def with_files(ykien, round_id: int, event, who: str, deliver: bool = True):
        return respond_with_files(ykien, round_id, event, uploads, who, deliver=deliver)

    def late_named(ykien, round_id: int, event, who: str, deliver: bool = True):
        """The command line names its own option for a late answer, as the API names its field."""
        from workflows.engine.refusals import Refused
        from workflows.service.commands import run_command

        try:
            return (with_files if uploads else run_command)(ykien, round_id, event, who, deliver=deliver)
        except Refused as refusal:
            if refusal.code != "round_closed":
                raise
            raise Refused(f"{refusal.message} Thêm --late để ghi nhận trả lời muộn.", refusal.code) from None

    def recorded(decision, status: str) -> str:  # whose answer, of what kind, late or not
        from models.unit_status import AnswerStatus, answer_labels

        workflow = get_workflow(decision.state.workflow)
        terms, decline = workflow.terms, workflow.response.decline
        found = decision.state.recipient(answering.code)
        kind = answer_labels(terms.answered, terms.agreed).get(AnswerStatus(event.kind.value), terms.answer)
        if decline is not None and event.proposals and decline.declines(event.proposals[0]):
            kind = decline.label  # "Không tham dự", not "Đã trả lời"
        late = " (trễ hạn)" if found is not None and found.response_late else ""
        return (f"{answering.line}\nĐã ghi nhận trả lời của {answering.name} ({answering.code}): {kind}{late}; "
                f"trạng thái đợt: {status}.")

    _run(round_id, event, actor, as_json, recorded, opened=ykien, command=late_named,
         extra={"unit": answering.code})


@app.command("extend")
def extend(
    round_id: int = ROUND_ARGUMENT,
    new_deadline: str = typer.Argument(..., help="Hạn mới: 12/12/2025 hoặc \"5 ngày làm việc\"."),
    unit: str | None = typer.Option(None, "--unit", help="Chỉ gia hạn cho một đơn vị: mã hoặc tên, đủ hoặc một phần."),
    reason: str | None = typer.Option(None, "--reason", help="Lý do gia hạn (ghi vào nhật ký)."),
    actor: str | None = ACTOR_OPTION,
    as_json: bool = JSON_OPTION,
) -> None:
    """Gia hạn cho tất cả hoặc một đơn vị; đơn vị được gia hạn nhận thư thông báo."""
    from models.text import nfc_or_none
    from workflows.cli.parsing import parse_deadline
    from workflows.cli.unit_args import chosen_unit
    from workflows.engine.events import Extend
    from workflows.service.commands import naming_the_date

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        today = ykien.clock.now().astimezone(ykien.tz).date()
        due = parse_deadline(new_deadline, today, ykien.calendar, "NEW_DEADLINE")[0]
        extended_unit = chosen_unit(ykien, round_id, unit, "--unit") if unit is not None else None
        event = Extend(due, extended_unit.code if extended_unit else None, nfc_or_none(reason))

    def extended(decision, status: str) -> str:  # to when, for whom
        whom = f"cho {extended_unit.name} ({extended_unit.code})" if extended_unit else "chung cho đợt"
        return ((f"{extended_unit.line}\n" if extended_unit else "") +
                f"Đã gia hạn {whom} đến hết ngày {due:%d/%m/%Y}; {len(decision.messages)} thư thông báo gia hạn.")

    _run(round_id, event, actor, as_json, extended, opened=ykien, command=naming_the_date("NEW_DEADLINE"),
         extra={"unit": extended_unit.code if extended_unit else None})


@app.command("remind")
def remind(round_id: int = ROUND_ARGUMENT,
           units: list[str] = typer.Option([], "--unit", help="Chỉ đôn đốc các đơn vị này: mã hoặc tên, đủ hoặc một "
                                           "phần (lặp lại được)."),
           actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Đôn đốc ngay các đơn vị chưa trả lời."""
    from workflows.cli.unit_args import chosen_units
    from workflows.engine.events import Remind

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        chosen = chosen_units(ykien, round_id, units, "--unit")

    def reminded(decision, status: str) -> str:
        return "\n".join([*(unit.line for unit in chosen), f"Đã đôn đốc: {len(decision.messages)} thư đôn đốc được "
                           "xếp hàng gửi tới các đơn vị chưa trả lời."])

    _run(round_id, Remind(tuple(unit.code for unit in chosen) or None), actor, as_json, reminded, opened=ykien,
         extra={"units": [unit.code for unit in chosen]} if chosen else None)


@app.command("close")
def close(round_id: int = ROUND_ARGUMENT,
          reason: str | None = typer.Option(None, "--reason", help="Lý do kết thúc trước hạn (ghi vào nhật ký)."),
          actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Kết thúc nhận trả lời trước hạn."""
    from workflows.engine.events import Close

    _run(round_id, Close(reason), actor, as_json, "Đã kết thúc nhận trả lời; trạng thái: {status}.")


def _command(round_id: int, name: str, data: dict[str, object], actor: str | None, as_json: bool) -> None:
    from workflows.engine.events import Command

    _run(round_id, Command(name, {k: v for k, v in data.items() if v is not None}), actor, as_json,
         "Xong; trạng thái đợt: {status}.")


@app.command("decide")
def decide_cmd(round_id: int = ROUND_ARGUMENT,
               issued: bool = typer.Option(False, "--issued", help="UBND tỉnh đã ban hành."),
               returned: bool = typer.Option(False, "--returned", help="UBND tỉnh trả lại để chỉnh sửa."),
               number: str | None = typer.Option(None, "--number", help="Số văn bản ban hành."),
               on: str | None = typer.Option(None, "--date", help="Ngày ban hành."),
               reason: str | None = typer.Option(None, "--reason", help="Lý do UBND tỉnh trả lại (với --returned)."),
               actor: str | None = ACTOR_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Ghi nhận quyết định của UBND tỉnh."""
    from models.errors import InvalidInput
    from workflows.cli.parsing import parse_date
    from workflows.service.followup import decision_date_problem

    with guarded(as_json):
        if issued == returned:
            raise InvalidInput("Chọn một trong --issued hoặc --returned.", "bad_decision")
        if issued and not number:
            raise InvalidInput("--number: cần số văn bản ban hành.", "missing_number")
        when = parse_date(on, "--date") if on else None
        if when is not None:
            ykien = open_app()
            if problem := decision_date_problem(when, ykien.clock.now().astimezone(ykien.tz).date()):
                raise InvalidInput(f"--date: {problem}", "date_in_future")
    name = "decide_issued" if issued else "decide_returned"
    _command(round_id, name, {"number": number, "date": when.isoformat() if when else None, "reason": reason}, actor,
             as_json)


@app.command("list")
def list_cmd(status: str | None = typer.Option(
                 None, "--status", help="Chỉ các đợt ở một trạng thái của một quy trình, QUY_TRÌNH:TRẠNG_THÁI (ví dụ "
                 "appraisal:preparing); chỉ tên trạng thái (preparing) là trạng thái đó ở mọi quy trình có nó. Tên "
                 "quy trình và trạng thái: `ykien workflow show`."),
             office: str | None = typer.Option(None, "--office", help="Chỉ các đợt của phòng này (mã phòng)."),
             as_json: bool = JSON_OPTION) -> None:
    """Danh sách các đợt."""
    from workflows.cli.render import render_round_list
    from workflows.service.views import checked_list_filter, list_rounds

    with guarded(as_json):
        ykien = open_app()
        rounds = list_rounds(ykien, *checked_list_filter(ykien, status, office))
    if as_json:
        print_json(rounds)
    else:
        render_round_list(rounds, ykien.tz)


@app.command("show")
def show(round_id: int = ROUND_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Tình hình từng đơn vị: thư đã gửi, đã trả lời, im lặng, trễ hạn, gia hạn."""
    from workflows.cli.render import render_round
    from workflows.service.outbox_view import outbox_problems
    from workflows.service.registry import get_workflow
    from workflows.service.report_sections import grid_column_values
    from workflows.service.views import latest_responses, round_view

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        view = round_view(ykien, round_id)
        comments = latest_responses(ykien, round_id)
        problems = outbox_problems(ykien, round_id)
        workflow = get_workflow(view.state.workflow)
        columns = workflow.grid_columns()  # the kind's own columns ("Mục đã báo cáo"), asked of the definition
        values = grid_column_values(ykien, round_id, workflow, [u.unit_code for u in view.units])
    if as_json:
        print_json({"id": view.state.id, "title": view.state.title, "status": view.state.status,
                    "status_title": view.status_title, "workflow": view.state.workflow,
                    "workflow_title": view.workflow_title, "deadline": view.state.deadline,
                    "silence_label": view.silence_label, "counts": view.counts,
                    "columns": [{"key": c.key, "title": c.title} for c in columns],
                    "units": [{**u.__dict__, "flags": view.flags(u), "answer_label": view.answer_label(u),
                               "columns": {c.key: values[c.key].get(u.unit_code) for c in columns}}
                              for u in view.units],
                    "pending_timers": [{"name": n, "title": view.timer_titles.get(n, n), "due_at": d}
                                       for n, d in view.pending_timers],
                    "responses": comments,
                    "mail_problems": [{"status": p.status, "count": p.count, "reason": p.reason,
                                       "next_attempt_at": p.next_attempt_at, "text": p.text} for p in problems],
                    "empty_groups": [group.as_data() for group in view.empty_groups]})
    else:
        render_round(view, comments, ykien.tz, problems, [(c.title, values[c.key]) for c in columns])
        _warn_empty_groups(round_id, view.empty_groups)


@app.command("audit")
def audit(round_id: int = ROUND_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Nhật ký: mọi sự kiện với người thực hiện và thời gian; kiểm tra chuỗi băm."""
    from workflows.cli.common import EXIT_REFUSED
    from workflows.cli.render import render_audit
    from workflows.service.views import audit_trail, round_brief, unit_names

    with guarded(as_json):
        check_id(round_id, "ROUND_ID")
        ykien = open_app()
        events, broken = audit_trail(ykien, round_id)
        if not as_json:
            workflow = round_brief(ykien, round_id).workflow
            names = unit_names(ykien, round_id)
    if as_json:
        print_json({"events": events, "chain_intact": broken is None,
                    "break": {"seq": broken.seq, "reason": broken.reason} if broken else None})
    else:
        render_audit(events, broken, ykien.tz, workflow, names)
    if broken is not None:
        raise typer.Exit(EXIT_REFUSED)


def _register_more() -> None:
    from workflows.cli import assign_cmd, consolidate_cmd, documents_cmd, report_cmd

    assign_cmd.register(app)
    consolidate_cmd.register(app)
    documents_cmd.register(app)
    report_cmd.register(app)


_register_more()
