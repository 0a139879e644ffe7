/**
 * The README's quick start for a tenant app's backend, type-checked by `npm run typecheck`
 * (tests/clients): create a customer, start a checkout, read the balance, spend with an
 * Idempotency-Key, and verify a notice from Tollgate.
 */
import { Webhook } from "standardwebhooks";

import { createTollgateClient, type Notification, type TollgateError } from "../src/index";

const tollgate = createTollgateClient({ baseUrl: "http://127.0.0.1:8000", token: "tg_imagegen_service" });

export async function generateImage(customerId: string, jobId: string): Promise<number | TollgateError> {
  const path = { tenant_slug: "imagegen", customer_id: customerId };

  const customer = await tollgate.PUT("/t/{tenant_slug}/v1/customers/{customer_id}", {
    params: { path },
    body: { email: "ada@example.com" },
  });
  if (customer.error) return customer.error;

  const checkout = await tollgate.POST("/t/{tenant_slug}/v1/customers/{customer_id}/checkout/subscription", {
    params: { path },
    body: { tier: "basic", interval: "month", success_url: "https://app.example.com/billing/done" },
  });
  if (checkout.data) console.log("send the customer to", checkout.data.checkout_url);

  const balance = await tollgate.GET("/t/{tenant_slug}/v1/customers/{customer_id}/balance", { params: { path } });
  if (balance.error) return balance.error;
  if (balance.data.balance < 5 && !balance.data.unlimited) return balance.data.balance;

  // The same key on a retry gets the first answer: a timeout never spends twice.
  const spend = await tollgate.POST("/t/{tenant_slug}/v1/customers/{customer_id}/spend", {
    params: { path, header: { "Idempotency-Key": `image-${jobId}` } },
    body: { credits: 5, reason: "image generation" },
  });
  if (spend.error) {
    // 402 insufficient_credits: nothing was spent.
    return spend.error;
  }
  return spend.data.balance;
}

/** The notice's body when its Standard Webhooks signature is the tenant's (`notification_secret`); throws if not. */
export function receiveNotification(secret: string, body: string, headers: Record<string, string>): Notification {
  return new Webhook(secret).verify(body, headers) as Notification;
}
