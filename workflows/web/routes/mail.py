"""The embedded sink's mailbox: every email ykien "sent" when no SMTP server is configured; the page names the
transport actually in use."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.exceptions import HTTPException
from fastapi.responses import Response

from models.staff import Role, StaffUser
from workflows.service.mailbox import MailNotFound, mail_transport, received_mail, received_message
from workflows.service.outbox_view import mask_links
from workflows.web.forms.page_number import page_number
from workflows.web.security import IdPath, require_staff, ykien
from workflows.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/mail")
def mailbox(request: Request, page: str = "1", user: StaffUser = Depends(require_staff)) -> Response:
    app = ykien(request)
    number = page_number(page)
    return render(request, "mail.html", {"result": received_mail(app, number), "transport": mail_transport(app)})


def _may_see_links(user: StaffUser, round_office: str | None) -> bool:
    if round_office is None:
        return user.role is Role.ADMIN
    return user.can_change_round(round_office)


@router.get("/mail/{mail_id:int}")
def mail_message(request: Request, mail_id: IdPath, user: StaffUser = Depends(require_staff)) -> Response:
    try:
        message = received_message(ykien(request), mail_id)
    except MailNotFound as missing:
        raise HTTPException(404, missing.message) from None
    # Personal links let whoever reads them answer for the unit: only those who may change the message's round
    # see them (a leader, or staff of another office, read the message with the links masked).
    hide = not _may_see_links(user, message.round_office)
    return render(request, "mail_message.html", {"message": message, "text": mask_links(message.text) if hide
                                                 else message.text, "hidden_links": hide})
