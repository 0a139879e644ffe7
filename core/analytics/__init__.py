"""Revenue analytics: `GET /admin/metrics`, time series per currency that plugins contribute through the
`tollgate_admin_figures` hook (docs/metrics.md defines every figure)."""
