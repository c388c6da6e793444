"""After UBND returns a draft: a new round on the revised draft, to the same or fewer units."""
from __future__ import annotations

from datetime import date

from models.errors import DomainError, InvalidInput
from models.rounds import RecipientRole, RoundState
from models.text import lowfirst
from workflows.definition import Workflow
from workflows.definition.schema import CAPABILITY_EVENTS, Capability
from workflows.service.app import App
from workflows.service.drafts import latest_version
from workflows.service.registry import get_workflow
from workflows.service.round_contact import CONTACT_FIELDS
from workflows.service.rounds import Addressee, NewRound, create_round

# The two decisions a state with the capability "decide" records: the plan issued, or the draft returned.
ISSUE_EVENT, RETURN_EVENT = "decide_issued", "decide_returned"
assert {ISSUE_EVENT, RETURN_EVENT} == set(CAPABILITY_EVENTS[Capability.DECIDE])


def decision_date_problem(on: date, today: date) -> str | None:
    """Why `on` cannot be the date of UBND's decision, or None: it is recorded once issued or returned, so it is
    today or before. The CLI (`round decide --date`) and the web form both ask this."""
    if on > today:
        return (f"ngày {on:%d/%m/%Y} chưa đến (hôm nay là {today:%d/%m/%Y}); ghi quyết định của UBND tỉnh khi văn "
                "bản đã ban hành hoặc đã trả lại.")
    return None


def follow_up_possible(workflow: Workflow, state: RoundState) -> bool:
    """A new round is offered where the state allows it (a returned draft), and on a draft revised after a
    return that has not gone out again."""
    if workflow.allows(state.status, Capability.FOLLOW_UP):
        return True
    return state.launched_at is None and state.outcome.get("decision") == RETURN_EVENT and \
        workflow.allows(state.status, Capability.EDIT)


def follow_up_refusal(workflow: Workflow) -> DomainError:
    """Why a round whose draft UBND has not returned cannot be followed up (a kind without that step is told so)."""
    if not workflow.states_allowing(Capability.FOLLOW_UP):
        return DomainError(f"Quy trình \"{workflow.title}\" không tạo {workflow.terms.round} mới trên "
                           f"{lowfirst(workflow.terms.document)} đã sửa.", "round_not_returned")
    return DomainError(f"Chỉ tạo {workflow.terms.round} mới khi {lowfirst(workflow.terms.document)} bị UBND tỉnh trả "
                       "lại.", "round_not_returned")


def follow_up_round(app: App, round_id: int, deadline: date, actor: str,
                    unit_codes: list[str] | None = None) -> int:
    """Create (not launch) a round like `round_id`, on its latest draft version, addressed to the same
    units or to the subset given."""
    with app.uow(read_only=True) as uow:
        state = uow.rounds.get(round_id, lock=False)
        details = uow.rounds.details(round_id)
    workflow = get_workflow(state.workflow)
    if not follow_up_possible(workflow, state):
        raise follow_up_refusal(workflow)
    chosen = set(unit_codes) if unit_codes else set(state.recipients)
    unknown = sorted(chosen - set(state.recipients))
    if unknown:
        raise InvalidInput(f"Đơn vị {', '.join(unknown)} không thuộc đợt {round_id}; đợt mới chỉ gửi cho "
                           "các đơn vị của đợt cũ hoặc ít hơn.", "unit_not_in_round")
    by_role: dict[RecipientRole, list[str]] = {}
    for code in sorted(chosen):
        by_role.setdefault(state.recipients[code].role, []).append(code)
    draft = latest_version(app, round_id)
    new = NewRound(
        title=state.title, subject=state.subject, workflow=state.workflow, office=state.office,
        deadline=deadline,
        addressees=tuple(Addressee(units=tuple(codes), role=role) for role, codes in by_role.items()),
        contact_name=details.contact_name, contact_title=details.contact_title, contact_phone=details.contact_phone,
        signer_name=details.signer_name, signer_title=details.signer_title,
        silence_is_agreement=state.silence_is_agreement, draft_path=draft.path if draft else None,
        timer_overrides=dict(state.timer_overrides), legal_bases=details.legal_bases)
    new_id = create_round(app, new, actor, carried={name: getattr(details, name) for name in CONTACT_FIELDS})
    now = app.clock.now()
    with app.uow() as uow:
        uow.rounds.row(round_id, lock=True)
        uow.audit.append(round_id, now, actor, [("follow_up_round", {"round": new_id, "units": len(chosen)})])
        uow.commit()
    return new_id
