"""ASGI entry point for uvicorn: `uvicorn core.asgi:app` (settings from the environment)."""

from core import logs, tracing
from core.app import create_app
from core.runtime import Runtime

runtime = Runtime.build()
logs.configure(runtime.config.logging, runtime.config.env)
tracing.install(runtime.config.tracing)
app = create_app(runtime)
