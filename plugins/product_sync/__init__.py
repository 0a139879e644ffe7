"""Product sync: each tenant's Stripe catalog mirrored one way (Stripe is the source of truth), with credit metadata.

Full syncs (CLI `tollgate catalog sync`, `POST /admin/catalog/sync`, hourly schedule) and the
`product.*` / `price.*` events keep the mirror current; `GET /catalog` shows it. Other plugins read
it through `plugins.product_sync.services.Catalog(session, tenant)`:

- `await price(stripe_price_id) -> CatalogPrice | None` — one price in any state, with its product's
  state (`active` = price and product both active), `credit_amount`, `credit_type`, `plan_tier`,
  `feature_flags` and metadata problems;
- `await prices_for_tier(tier, interval=None, *, currency=None) -> list[CatalogPrice]` — active
  recurring prices whose `plan_tier` is `tier` (subscriptions);
- `await payg_prices(currency=None) -> list[CatalogPrice]` — active one-time prices with
  `credit_type` payg and a `credit_amount` (credits per unit; payg);
- `await feature_flags(stripe_price_ids) -> list[str]` — the flags of the prices a customer pays for
  (entitlements);
- `await listing(include_inactive=False)` and `await problems()` — the catalog as `GET /catalog`
  shows it, and every metadata problem in it.

See docs/product_sync.md for the tables, the ordering rules and the metadata contract.
"""
