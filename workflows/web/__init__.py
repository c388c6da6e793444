"""The web app: staff pages, the recipient page /r/<token>, and the JSON API under /api."""
