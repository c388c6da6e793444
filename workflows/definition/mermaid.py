"""Render a workflow as a Mermaid state diagram, generated from the same data the engine runs."""

from __future__ import annotations

from workflows.definition.schema import StateDef, TransitionDef, Workflow


def to_mermaid(wf: Workflow) -> str:
    """A deterministic `stateDiagram-v2`: states in file order, edges in definition order."""
    lines = ["stateDiagram-v2"]
    for name, state in wf.states.items():
        lines.append(f'    state "{_escape(state.title)}" as {name}')
    for name, state in wf.states.items():
        if state.entry:
            lines.append(f"    {name} : entry / {', '.join(state.entry)}")
    lines.append(f"    [*] --> {wf.initial}")
    for name, state in wf.states.items():
        lines.extend(_edges(name, state))
    for name, state in wf.states.items():
        if state.final:
            lines.append(f"    {name} --> [*]")
    return "\n".join(lines) + "\n"


def _edges(name: str, state: StateDef) -> list[str]:
    timers_by_event: dict[str, list[str]] = {}
    for timer in state.timers:
        if timer.event is not None:
            timers_by_event.setdefault(timer.event, []).append(timer.name)
    edges = []
    for event, alternatives in state.transitions.items():
        fired_by = timers_by_event.get(event)
        trigger = f"{event} ({', '.join(fired_by)})" if fired_by else event
        for transition in alternatives:
            edges.append(f"    {name} --> {transition.to or name} : {_label(trigger, transition)}")
    for timer in state.timers:
        if timer.effects:
            edges.append(f"    {name} --> {name} : ({timer.name}) / {', '.join(timer.effects)}")
    return edges


def _label(trigger: str, transition: TransitionDef) -> str:
    label = trigger
    if transition.guard:
        label += f" [{transition.guard}]"
    if transition.effects:
        label += f" / {', '.join(transition.effects)}"
    return label


def _escape(text: str) -> str:
    return text.replace('"', "#quot;")
