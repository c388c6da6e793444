"""The `ykien` command line (Typer). Heavy imports happen inside commands, never at start-up."""
