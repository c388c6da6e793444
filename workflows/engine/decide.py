"""decide(state, event, now) -> Decision: the whole engine, with no I/O and no clock."""
from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from config.calendar import WorkingCalendar
from models.rounds import RoundState
from workflows.definition import StateDef, TransitionDef, Workflow
from workflows.engine.context import EngineContext
from workflows.engine.decision import AuditEntry, Decision
from workflows.engine.effects import EFFECTS
from workflows.engine.events import (
    Close,
    Command,
    Event,
    Extend,
    Launch,
    Remind,
    Respond,
    TimerFired,
    event_units,
)
from workflows.engine.guards import GUARDS
from workflows.engine.needs import Needs, needs_of
from workflows.engine.refusals import GuardFailed, Refused, what_can_be_done
from workflows.engine.timers import plan_state_timers, plan_timer, state_closes_at


def decide(state: RoundState, event: Event, now: datetime, workflow: Workflow,
           calendar: WorkingCalendar, tz: ZoneInfo) -> Decision:
    """Apply one event to a copy of the state; raise Refused and change nothing when the rules say no."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if state.partial and Needs.ROUND in needs_for(state.status, event, workflow):
        raise ValueError(f"event {event.name} in state {state.status} needs the whole round; it was loaded in part")
    new_state = state.clone()
    decision = Decision(state=new_state, event=event.name, previous_status=state.status)
    ctx = EngineContext(new_state, event, now, workflow, calendar, tz, decision)
    if isinstance(event, TimerFired):
        _fire_timer(ctx, event)
    else:
        _dispatch(ctx, event.name, _describe(event, workflow))
    if ctx.reschedule and not decision.replace_timers:
        if new_state.partial and new_state.other_deadlines is None:  # it must declare Needs.DEADLINES (or ROUND)
            raise ValueError(f"event {event.name} replans the timers of a round loaded without its deadlines")
        decision.replace_timers = True
        decision.timers = plan_state_timers(new_state, workflow.state(new_state.status).timers,
                                            now, calendar, tz, workflow.grace_days())
    return decision


def needs_for(status: str, event: Event, workflow: Workflow) -> Needs:
    """What of the round deciding `event` in state `status` reads: what the guards and effects of every
    alternative of its transition declare, and the whole round when one enters another state (its entry effects
    and timers), when a timer fires, or when they read the units the event names and it names none (a reminder to
    every unit that has not answered). An event the state does not handle needs only the header to be refused."""
    if isinstance(event, TimerFired):
        return Needs.ROUND
    alternatives = workflow.state(status).transitions.get(event.name) or []
    wanted = Needs.HEADER
    for alternative in alternatives:
        if alternative.to is not None and alternative.to != status:
            return Needs.ROUND
        if alternative.guard is not None:
            wanted |= needs_of(GUARDS[alternative.guard])
        for effect in alternative.effects:
            wanted |= needs_of(EFFECTS[effect])
    if Needs.UNIT in wanted and event_units(event) is None:  # "the units it names", of an event naming none: all
        return Needs.ROUND
    return wanted


def _dispatch(ctx: EngineContext, event_name: str, details: dict[str, Any]) -> None:
    audit_position = len(ctx.decision.audit)
    state_def = ctx.workflow.state(ctx.state.status)
    alternatives = state_def.transitions.get(event_name)
    if not alternatives:
        label = ctx.workflow.event_title(event_name)
        raise Refused(f"Không thể {label} khi đợt đang ở trạng thái \"{state_def.title}\"."
                      f"{what_can_be_done(ctx.workflow, ctx.state.status)}", "event_not_allowed")
    chosen = _choose(ctx, alternatives)
    for effect in chosen.effects:
        EFFECTS[effect](ctx)
    from_status = ctx.state.status
    if chosen.to is not None and chosen.to != from_status:
        _enter(ctx, chosen.to)
    entry = dict(details)
    if chosen.to is not None and chosen.to != from_status:
        entry.update({"from": from_status, "to": chosen.to})
    for key in ("reminded", "skipped"):
        if key in ctx.scratch:
            entry[key] = ctx.scratch[key]
    if "extended" in ctx.scratch:
        entry["extended"] = [r.unit_code for r, _ in ctx.scratch["extended"]]
    entry["messages"] = len(ctx.decision.messages)
    # The event's own entry comes before what its effects recorded (a task opened, ...).
    ctx.decision.audit.insert(audit_position, AuditEntry(event_name, entry))


def _choose(ctx: EngineContext, alternatives: list[TransitionDef]) -> TransitionDef:
    failure: GuardFailed | None = None
    for alternative in alternatives:
        if alternative.guard is None:
            return alternative
        failure = GUARDS[alternative.guard](ctx)
        if failure is None:
            return alternative
    assert failure is not None
    raise failure


def _enter(ctx: EngineContext, target: str) -> None:
    state_def: StateDef = ctx.workflow.state(target)
    ctx.state.status = target
    ctx.state.entered_at = ctx.now
    for effect in state_def.entry:
        EFFECTS[effect](ctx)
    ctx.decision.replace_timers = True
    ctx.decision.timers = plan_state_timers(ctx.state, state_def.timers, ctx.now, ctx.calendar, ctx.tz,
                                            ctx.workflow.grace_days())


def _fire_timer(ctx: EngineContext, event: TimerFired) -> None:
    state_def = ctx.workflow.state(ctx.state.status)
    timer = next((t for t in state_def.timers if t.name == event.timer_name), None)
    if timer is None:
        ctx.decision.ignored = True
        ctx.decision.audit.append(AuditEntry("timer_ignored", {"timer": event.timer_name,
                                                                "state": ctx.state.status, **event.payload}))
        return
    ctx.timer_payload = dict(event.payload)
    for effect in timer.effects:
        EFFECTS[effect](ctx)
    details: dict[str, Any] = {"timer": timer.name, **event.payload}
    if "reminded" in ctx.scratch:
        details["reminded"] = ctx.scratch.pop("reminded")
    details["messages"] = len(ctx.decision.messages)
    ctx.decision.audit.append(AuditEntry("timer_fired", details))
    occurrence = int(event.payload.get("occurrence", 1))
    if not timer.event:
        grace = ctx.workflow.grace_days()
        closes_at = state_closes_at(ctx.state, state_def.timers, ctx.now, ctx.calendar, ctx.tz, grace)
        ctx.decision.timers.extend(plan_timer(ctx.state, timer, ctx.now, ctx.calendar, ctx.tz,
                                              first_occurrence=occurrence + 1, only_payload=event.payload,
                                              grace=grace, closes_at=closes_at))
        return
    try:
        _dispatch(ctx, timer.event, {"timer": timer.name})
    except GuardFailed as refusal:
        ctx.decision.audit.append(AuditEntry("timer_refused", {"timer": timer.name, "code": refusal.code,
                                                                "message": refusal.message}))


def _describe(event: Event, workflow: Workflow) -> dict[str, Any]:
    """The facts of an event worth keeping in the audit trail; of an answer, whether its form declines (the kind's
    response.decline), which the timeline tells."""
    if isinstance(event, Respond):
        described = {"unit": event.unit_code, "kind": event.kind.value, "comments": len(event.comments),
                     "entered_by": event.entered_by, "channel": event.channel.value,
                     "late_accept": event.late_accept}
        if event.note:  # staff's reference of an answer on paper ("Công văn số 812/STP"): who checks asks for it
            described["note"] = event.note
        if event.proposals:
            described["proposals"] = len(event.proposals)
            decline = workflow.response.decline
            if decline is not None and decline.declines(event.proposals[0]):
                described["declined"] = True
        return described
    if isinstance(event, Extend):
        return {"unit": event.unit_code, "new_deadline": event.new_deadline.isoformat(),
                "reason": event.reason}
    if isinstance(event, Remind):
        return {"units": list(event.unit_codes) if event.unit_codes is not None else None}
    if isinstance(event, Command):
        return {k: str(v) for k, v in event.data.items() if v is not None}
    if isinstance(event, Close):
        return {"reason": event.reason}
    if isinstance(event, Launch) and event.no_draft_reason:
        return {"no_draft_reason": event.no_draft_reason}
    return {}
