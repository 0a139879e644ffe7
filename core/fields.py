"""Field types the wire schemas of the kernel and the plugins share."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec

# Stripe's metadata limits, for every metadata field Tollgate takes: 50 keys, keys up to 40
# characters, values up to 500. Tollgate keeps what Stripe would keep, so it can pass it on.
METADATA_MAX_KEYS = 50
METADATA_MAX_KEY_LENGTH = 40
METADATA_MAX_VALUE_LENGTH = 500
MetadataKey = Annotated[str, msgspec.Meta(min_length=1, max_length=METADATA_MAX_KEY_LENGTH)]
MetadataValue = Annotated[str, msgspec.Meta(max_length=METADATA_MAX_VALUE_LENGTH)]
Metadata = Annotated[
    dict[MetadataKey, MetadataValue],
    msgspec.Meta(
        max_length=METADATA_MAX_KEYS,
        description="Up to 50 string pairs (keys up to 40 characters, values up to 500), as on Stripe.",
    ),
]

# A wire schema's examples in the OpenAPI document, as JSON: `schema_examples: ClassVar[Examples] = (...)`
# in the Struct (core/openapi.py); each is valid against its schema (tests/edge/test_schema_docs.py).
Examples = tuple[dict[str, Any], ...]

# A Stripe PaymentMethod id (`pm_...`): a card saved on the customer (core/payment_methods).
PaymentMethodId = Annotated[str, msgspec.Meta(pattern=r"^pm_[A-Za-z0-9_]{1,200}$", max_length=203)]
