"""Page read models: what only the pages (and the JSON API) show, shaped from the service's queries."""
