/**
 * Tollgate's API for a tenant app's backend: an openapi-fetch client typed by the generated schema
 * (src/schema.d.ts, written by `make clients` from clients/openapi.json). Paths are the document's;
 * the tenant is the `tenant_slug` path parameter of every tenant route.
 */
import createClient, { type Client, type ClientOptions } from "openapi-fetch";

import type { components, paths } from "./schema";

export type { components, operations, paths, webhooks } from "./schema";

/** The body of every 4xx and 5xx answer: `{"error": {"code", "message", "detail"}}`. */
export type TollgateError = components["schemas"]["Error"];
/** The body of a signed notice to the tenant app, once verified (Standard Webhooks). */
export type Notification = components["schemas"]["NotificationPayload"];
export type TollgateClient = Client<paths>;

export interface TollgateClientOptions extends Omit<ClientOptions, "baseUrl" | "headers"> {
  /** Where Tollgate is served, e.g. "https://billing.example.com". */
  baseUrl: string;
  /** The tenant's API key (`service` or `admin` scope), or an end-user token for the customer's own routes. */
  token: string;
}

/** A client whose every request carries `Authorization: Bearer <token>`. */
export function createTollgateClient({ baseUrl, token, ...options }: TollgateClientOptions): TollgateClient {
  return createClient<paths>({ ...options, baseUrl, headers: { Authorization: `Bearer ${token}` } });
}
