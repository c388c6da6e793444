"""The pure workflow engine: decide(state, event, now) -> new state and effects."""
