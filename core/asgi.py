"""ASGI entry point for uvicorn: `uvicorn core.asgi:app` (settings from the environment)."""

from core.app import create_app

app = create_app()
