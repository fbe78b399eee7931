"""The web app: FastAPI routers, Jinja2 templates and htmx, over ``hotline.store``."""
