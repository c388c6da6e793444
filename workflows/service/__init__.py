"""Use cases: each one command in one transaction, called by the CLI, web, scheduler and flows."""
