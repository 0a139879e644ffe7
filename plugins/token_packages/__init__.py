"""Token packages: credit packs sold per currency through Stripe Checkout, with payment orders and refunds."""
