"""View models: what the templates and the JSON answers show, built from service results."""
