"""The trust boundary of the web app: Host allow-list, cross-origin check, CSRF tokens, headers.

See ``trust`` (which requests may reach a route), ``csrf`` (tokens on page
forms) and ``headers`` (CSP and the other security headers on every answer).
"""
