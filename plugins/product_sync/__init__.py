"""Product sync: each tenant's Stripe catalog mirrored one way (Stripe is the source of truth), with credit metadata.

Full syncs (CLI `tollgate catalog sync`, `POST /admin/catalog/sync`, hourly schedule) and the
`product.*` / `price.*` events keep the mirror current; `GET /catalog` shows it. Other plugins never
import it: they ask through the `tollgate_catalog_prices` hook (`core.catalog.catalog_prices` with a
`CatalogQuery`: one price by id in any state, a plan tier's active recurring prices, or the active
pay-as-you-go prices), which this plugin answers from `services.Catalog`. The plan tiers its metadata
is checked against come from the `tollgate_plan_tiers` hook (the subscriptions plugin answers).

See docs/product_sync.md for the tables, the ordering rules and the metadata contract.
"""
