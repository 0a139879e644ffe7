"""Pay-as-you-go credits: a customer buys credits with a PaymentIntent; the payment grants them once."""
