"""The operators' console: server-rendered pages at `/console/` over the kernel's services (docs/console.md)."""
