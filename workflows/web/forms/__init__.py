"""The web forms: raw posted values in, checked values (events, NewRound, commands) or FormErrors out. Pure."""
