"""Contains all the data models used in inputs/outputs"""

from .allocation import Allocation
from .audit_record import AuditRecord
from .audit_record_after_type_0 import AuditRecordAfterType0
from .audit_record_before_type_0 import AuditRecordBeforeType0
from .balance import Balance
from .catalog_listing import CatalogListing
from .catalog_price import CatalogPrice
from .catalog_price_credit_type_type_1 import CatalogPriceCreditTypeType1
from .catalog_price_credit_type_type_2_type_1 import CatalogPriceCreditTypeType2Type1
from .catalog_price_credit_type_type_3_type_1 import CatalogPriceCreditTypeType3Type1
from .catalog_price_metadata import CatalogPriceMetadata
from .catalog_product import CatalogProduct
from .catalog_product_credit_type_type_1 import CatalogProductCreditTypeType1
from .catalog_product_credit_type_type_2_type_1 import CatalogProductCreditTypeType2Type1
from .catalog_product_credit_type_type_3_type_1 import CatalogProductCreditTypeType3Type1
from .catalog_product_metadata import CatalogProductMetadata
from .check import Check
from .check_liveness_response_200 import CheckLivenessResponse200
from .checkout import Checkout
from .checkout_create import CheckoutCreate
from .checkout_create_currency_type_1 import CheckoutCreateCurrencyType1
from .checkout_create_currency_type_2_type_1 import CheckoutCreateCurrencyType2Type1
from .checkout_create_currency_type_3_type_1 import CheckoutCreateCurrencyType3Type1
from .checkout_create_interval import CheckoutCreateInterval
from .clawback import Clawback
from .clawback_create import ClawbackCreate
from .clawback_create_policy_type_1 import ClawbackCreatePolicyType1
from .clawback_create_policy_type_2_type_1 import ClawbackCreatePolicyType2Type1
from .clawback_create_policy_type_3_type_1 import ClawbackCreatePolicyType3Type1
from .credit_pack_option import CreditPackOption
from .credit_pack_option_source import CreditPackOptionSource
from .credit_price_option import CreditPriceOption
from .credit_prices import CreditPrices
from .credit_purchase import CreditPurchase
from .credit_purchase_create import CreditPurchaseCreate
from .credit_purchase_create_currency_type_1 import CreditPurchaseCreateCurrencyType1
from .credit_purchase_create_currency_type_2_type_1 import CreditPurchaseCreateCurrencyType2Type1
from .credit_purchase_create_currency_type_3_type_1 import CreditPurchaseCreateCurrencyType3Type1
from .credit_purchase_status import CreditPurchaseStatus
from .credits_bucket import CreditsBucket
from .credits_bucket_granted_by_plugin import CreditsBucketGrantedByPlugin
from .credits_bucket_granted_by_source import CreditsBucketGrantedBySource
from .credits_expiring_soon import CreditsExpiringSoon
from .credits_granted import CreditsGranted
from .credits_low import CreditsLow
from .credits_series import CreditsSeries
from .credits_series_prepaid_liability import CreditsSeriesPrepaidLiability
from .credits_series_prepaid_value import CreditsSeriesPrepaidValue
from .customer import Customer
from .customer_erasure import CustomerErasure
from .customer_erasure_rows import CustomerErasureRows
from .customer_erasure_settled import CustomerErasureSettled
from .customer_erasure_settled_additional_property import CustomerErasureSettledAdditionalProperty
from .customer_erasure_stripe_customer_deletion import CustomerErasureStripeCustomerDeletion
from .customer_export import CustomerExport
from .customer_export_tables import CustomerExportTables
from .customer_export_tables_additional_property_item import CustomerExportTablesAdditionalPropertyItem
from .customer_metadata import CustomerMetadata
from .customer_payment import CustomerPayment
from .customer_payment_kind import CustomerPaymentKind
from .customer_upsert import CustomerUpsert
from .customer_upsert_metadata import CustomerUpsertMetadata
from .dispute import Dispute
from .endpoint_disabled import EndpointDisabled
from .entitlements import Entitlements
from .entitlements_features import EntitlementsFeatures
from .entitlements_limits import EntitlementsLimits
from .entitlements_sources import EntitlementsSources
from .entitlements_sources_additional_property import EntitlementsSourcesAdditionalProperty
from .entry import Entry
from .entry_kind import EntryKind
from .entry_metadata import EntryMetadata
from .error import Error
from .error_error import ErrorError
from .events_behind import EventsBehind
from .expiry import Expiry
from .export_customer_format import ExportCustomerFormat
from .figures import Figures
from .figures_figures import FiguresFigures
from .figures_figures_additional_property import FiguresFiguresAdditionalProperty
from .get_admin_metrics_currency_type_1 import GetAdminMetricsCurrencyType1
from .get_admin_metrics_currency_type_2_type_1 import GetAdminMetricsCurrencyType2Type1
from .get_admin_metrics_currency_type_3_type_1 import GetAdminMetricsCurrencyType3Type1
from .get_admin_metrics_interval import GetAdminMetricsInterval
from .grant import Grant
from .grant_balance import GrantBalance
from .grant_create import GrantCreate
from .grant_create_metadata import GrantCreateMetadata
from .grant_metadata import GrantMetadata
from .hold import Hold
from .hold_capture import HoldCapture
from .hold_create import HoldCreate
from .hold_create_metadata import HoldCreateMetadata
from .hold_metadata import HoldMetadata
from .hold_status import HoldStatus
from .invoice import Invoice
from .liability_bucket import LiabilityBucket
from .liability_series import LiabilitySeries
from .list_notifications_status_type_1 import ListNotificationsStatusType1
from .list_notifications_status_type_2_type_1 import ListNotificationsStatusType2Type1
from .list_notifications_status_type_3_type_1 import ListNotificationsStatusType3Type1
from .list_orders_status_type_1 import ListOrdersStatusType1
from .list_orders_status_type_2_type_1 import ListOrdersStatusType2Type1
from .list_orders_status_type_3_type_1 import ListOrdersStatusType3Type1
from .list_packages_currency_type_1 import ListPackagesCurrencyType1
from .list_packages_currency_type_2_type_1 import ListPackagesCurrencyType2Type1
from .list_packages_currency_type_3_type_1 import ListPackagesCurrencyType3Type1
from .list_webhook_events_source_type_1 import ListWebhookEventsSourceType1
from .list_webhook_events_source_type_2_type_1 import ListWebhookEventsSourceType2Type1
from .list_webhook_events_source_type_3_type_1 import ListWebhookEventsSourceType3Type1
from .list_webhook_events_status_type_1 import ListWebhookEventsStatusType1
from .list_webhook_events_status_type_2_type_1 import ListWebhookEventsStatusType2Type1
from .list_webhook_events_status_type_3_type_1 import ListWebhookEventsStatusType3Type1
from .metadata_problem import MetadataProblem
from .metrics import Metrics
from .metrics_revenue import MetricsRevenue
from .metrics_subscriptions import MetricsSubscriptions
from .model_access import ModelAccess
from .money_audit_create import MoneyAuditCreate
from .money_audit_difference import MoneyAuditDifference
from .money_audit_difference_kind import MoneyAuditDifferenceKind
from .money_audit_difference_status import MoneyAuditDifferenceStatus
from .money_audit_differences import MoneyAuditDifferences
from .money_audit_differences_kinds import MoneyAuditDifferencesKinds
from .money_audit_run import MoneyAuditRun
from .money_audit_run_detail import MoneyAuditRunDetail
from .money_audit_run_detail_objects import MoneyAuditRunDetailObjects
from .money_audit_run_detail_status import MoneyAuditRunDetailStatus
from .money_audit_run_objects import MoneyAuditRunObjects
from .money_audit_run_status import MoneyAuditRunStatus
from .mrr_movements import MrrMovements
from .next_expiry import NextExpiry
from .notification import Notification
from .notification_data import NotificationData
from .notification_payload import NotificationPayload
from .notification_payload_data import NotificationPayloadData
from .notification_status import NotificationStatus
from .operations_bucket import OperationsBucket
from .operations_series import OperationsSeries
from .order import Order
from .order_create import OrderCreate
from .order_create_currency_type_1 import OrderCreateCurrencyType1
from .order_create_currency_type_2_type_1 import OrderCreateCurrencyType2Type1
from .order_create_currency_type_3_type_1 import OrderCreateCurrencyType3Type1
from .order_paid import OrderPaid
from .order_refunded import OrderRefunded
from .order_status import OrderStatus
from .package import Package
from .package_list import PackageList
from .package_price import PackagePrice
from .page_audit_record import PageAuditRecord
from .page_customer_payment import PageCustomerPayment
from .page_entry import PageEntry
from .page_invoice import PageInvoice
from .page_money_audit_run import PageMoneyAuditRun
from .page_notification import PageNotification
from .page_order import PageOrder
from .page_payment_method import PagePaymentMethod
from .page_sync_run import PageSyncRun
from .page_webhook_event import PageWebhookEvent
from .payment import Payment
from .payment_failed import PaymentFailed
from .payment_method import PaymentMethod
from .pending_payment import PendingPayment
from .portal import Portal
from .portal_create import PortalCreate
from .preview_line import PreviewLine
from .preview_subscription_change_interval_type_1 import PreviewSubscriptionChangeIntervalType1
from .preview_subscription_change_interval_type_2_type_1 import PreviewSubscriptionChangeIntervalType2Type1
from .preview_subscription_change_interval_type_3_type_1 import PreviewSubscriptionChangeIntervalType3Type1
from .ratio import Ratio
from .readiness import Readiness
from .readiness_checks import ReadinessChecks
from .receipt import Receipt
from .receipt_status_type_1 import ReceiptStatusType1
from .receipt_status_type_2_type_1 import ReceiptStatusType2Type1
from .receipt_status_type_3_type_1 import ReceiptStatusType3Type1
from .reconcile_request import ReconcileRequest
from .refund import Refund
from .refund_create import RefundCreate
from .refund_create_policy_type_1 import RefundCreatePolicyType1
from .refund_create_policy_type_2_type_1 import RefundCreatePolicyType2Type1
from .refund_create_policy_type_3_type_1 import RefundCreatePolicyType3Type1
from .refund_source import RefundSource
from .refund_status import RefundStatus
from .revenue_bucket import RevenueBucket
from .revenue_bucket_gross_by_stream import RevenueBucketGrossByStream
from .revenue_series import RevenueSeries
from .setup_intent import SetupIntent
from .signature_failures import SignatureFailures
from .spend import Spend
from .spend_create import SpendCreate
from .spend_create_metadata import SpendCreateMetadata
from .spend_metadata import SpendMetadata
from .stripe_backfill_last_run import StripeBackfillLastRun
from .stripe_backfill_last_run_status import StripeBackfillLastRunStatus
from .stripe_backfill_last_run_trigger_type_1 import StripeBackfillLastRunTriggerType1
from .stripe_backfill_last_run_trigger_type_2_type_1 import StripeBackfillLastRunTriggerType2Type1
from .stripe_backfill_last_run_trigger_type_3_type_1 import StripeBackfillLastRunTriggerType3Type1
from .stripe_backfill_run import StripeBackfillRun
from .stripe_backfill_run_status import StripeBackfillRunStatus
from .stripe_backfill_run_stored_by_type import StripeBackfillRunStoredByType
from .stripe_backfill_run_trigger import StripeBackfillRunTrigger
from .stripe_backfill_run_warnings_item import StripeBackfillRunWarningsItem
from .stripe_backfill_status import StripeBackfillStatus
from .stripe_backfill_warning import StripeBackfillWarning
from .stripe_backfill_warning_kind import StripeBackfillWarningKind
from .stripe_endpoint_state import StripeEndpointState
from .stripe_event_counts import StripeEventCounts
from .stripe_signature_checks import StripeSignatureChecks
from .subscription import Subscription
from .subscription_bucket import SubscriptionBucket
from .subscription_bucket_subscribers_by_tier import SubscriptionBucketSubscribersByTier
from .subscription_create import SubscriptionCreate
from .subscription_create_currency_type_1 import SubscriptionCreateCurrencyType1
from .subscription_create_currency_type_2_type_1 import SubscriptionCreateCurrencyType2Type1
from .subscription_create_currency_type_3_type_1 import SubscriptionCreateCurrencyType3Type1
from .subscription_create_interval import SubscriptionCreateInterval
from .subscription_features import SubscriptionFeatures
from .subscription_past_due import SubscriptionPastDue
from .subscription_preview import SubscriptionPreview
from .subscription_series import SubscriptionSeries
from .subscription_start import SubscriptionStart
from .subscription_trial_will_end import SubscriptionTrialWillEnd
from .subscription_update import SubscriptionUpdate
from .subscription_update_interval_type_1 import SubscriptionUpdateIntervalType1
from .subscription_update_interval_type_2_type_1 import SubscriptionUpdateIntervalType2Type1
from .subscription_update_interval_type_3_type_1 import SubscriptionUpdateIntervalType3Type1
from .subscription_updated import SubscriptionUpdated
from .subscription_updated_previous import SubscriptionUpdatedPrevious
from .sync_run import SyncRun
from .tenant_index import TenantIndex
from .tier_info import TierInfo
from .tier_info_features import TierInfoFeatures
from .tier_list import TierList
from .tier_price_info import TierPriceInfo
from .tier_price_info_interval import TierPriceInfoInterval
from .usage import Usage
from .webhook_event import WebhookEvent
from .webhook_event_detail import WebhookEventDetail
from .webhook_event_detail_payload_type_0 import WebhookEventDetailPayloadType0
from .webhook_event_detail_source import WebhookEventDetailSource
from .webhook_event_detail_status import WebhookEventDetailStatus
from .webhook_event_source import WebhookEventSource
from .webhook_event_status import WebhookEventStatus

__all__ = (
    "Allocation",
    "AuditRecord",
    "AuditRecordAfterType0",
    "AuditRecordBeforeType0",
    "Balance",
    "CatalogListing",
    "CatalogPrice",
    "CatalogPriceCreditTypeType1",
    "CatalogPriceCreditTypeType2Type1",
    "CatalogPriceCreditTypeType3Type1",
    "CatalogPriceMetadata",
    "CatalogProduct",
    "CatalogProductCreditTypeType1",
    "CatalogProductCreditTypeType2Type1",
    "CatalogProductCreditTypeType3Type1",
    "CatalogProductMetadata",
    "Check",
    "CheckLivenessResponse200",
    "Checkout",
    "CheckoutCreate",
    "CheckoutCreateCurrencyType1",
    "CheckoutCreateCurrencyType2Type1",
    "CheckoutCreateCurrencyType3Type1",
    "CheckoutCreateInterval",
    "Clawback",
    "ClawbackCreate",
    "ClawbackCreatePolicyType1",
    "ClawbackCreatePolicyType2Type1",
    "ClawbackCreatePolicyType3Type1",
    "CreditPackOption",
    "CreditPackOptionSource",
    "CreditPriceOption",
    "CreditPrices",
    "CreditPurchase",
    "CreditPurchaseCreate",
    "CreditPurchaseCreateCurrencyType1",
    "CreditPurchaseCreateCurrencyType2Type1",
    "CreditPurchaseCreateCurrencyType3Type1",
    "CreditPurchaseStatus",
    "CreditsBucket",
    "CreditsBucketGrantedByPlugin",
    "CreditsBucketGrantedBySource",
    "CreditsExpiringSoon",
    "CreditsGranted",
    "CreditsLow",
    "CreditsSeries",
    "CreditsSeriesPrepaidLiability",
    "CreditsSeriesPrepaidValue",
    "Customer",
    "CustomerErasure",
    "CustomerErasureRows",
    "CustomerErasureSettled",
    "CustomerErasureSettledAdditionalProperty",
    "CustomerErasureStripeCustomerDeletion",
    "CustomerExport",
    "CustomerExportTables",
    "CustomerExportTablesAdditionalPropertyItem",
    "CustomerMetadata",
    "CustomerPayment",
    "CustomerPaymentKind",
    "CustomerUpsert",
    "CustomerUpsertMetadata",
    "Dispute",
    "EndpointDisabled",
    "Entitlements",
    "EntitlementsFeatures",
    "EntitlementsLimits",
    "EntitlementsSources",
    "EntitlementsSourcesAdditionalProperty",
    "Entry",
    "EntryKind",
    "EntryMetadata",
    "Error",
    "ErrorError",
    "EventsBehind",
    "Expiry",
    "ExportCustomerFormat",
    "Figures",
    "FiguresFigures",
    "FiguresFiguresAdditionalProperty",
    "GetAdminMetricsCurrencyType1",
    "GetAdminMetricsCurrencyType2Type1",
    "GetAdminMetricsCurrencyType3Type1",
    "GetAdminMetricsInterval",
    "Grant",
    "GrantBalance",
    "GrantCreate",
    "GrantCreateMetadata",
    "GrantMetadata",
    "Hold",
    "HoldCapture",
    "HoldCreate",
    "HoldCreateMetadata",
    "HoldMetadata",
    "HoldStatus",
    "Invoice",
    "LiabilityBucket",
    "LiabilitySeries",
    "ListNotificationsStatusType1",
    "ListNotificationsStatusType2Type1",
    "ListNotificationsStatusType3Type1",
    "ListOrdersStatusType1",
    "ListOrdersStatusType2Type1",
    "ListOrdersStatusType3Type1",
    "ListPackagesCurrencyType1",
    "ListPackagesCurrencyType2Type1",
    "ListPackagesCurrencyType3Type1",
    "ListWebhookEventsSourceType1",
    "ListWebhookEventsSourceType2Type1",
    "ListWebhookEventsSourceType3Type1",
    "ListWebhookEventsStatusType1",
    "ListWebhookEventsStatusType2Type1",
    "ListWebhookEventsStatusType3Type1",
    "MetadataProblem",
    "Metrics",
    "MetricsRevenue",
    "MetricsSubscriptions",
    "ModelAccess",
    "MoneyAuditCreate",
    "MoneyAuditDifference",
    "MoneyAuditDifferenceKind",
    "MoneyAuditDifferences",
    "MoneyAuditDifferencesKinds",
    "MoneyAuditDifferenceStatus",
    "MoneyAuditRun",
    "MoneyAuditRunDetail",
    "MoneyAuditRunDetailObjects",
    "MoneyAuditRunDetailStatus",
    "MoneyAuditRunObjects",
    "MoneyAuditRunStatus",
    "MrrMovements",
    "NextExpiry",
    "Notification",
    "NotificationData",
    "NotificationPayload",
    "NotificationPayloadData",
    "NotificationStatus",
    "OperationsBucket",
    "OperationsSeries",
    "Order",
    "OrderCreate",
    "OrderCreateCurrencyType1",
    "OrderCreateCurrencyType2Type1",
    "OrderCreateCurrencyType3Type1",
    "OrderPaid",
    "OrderRefunded",
    "OrderStatus",
    "Package",
    "PackageList",
    "PackagePrice",
    "PageAuditRecord",
    "PageCustomerPayment",
    "PageEntry",
    "PageInvoice",
    "PageMoneyAuditRun",
    "PageNotification",
    "PageOrder",
    "PagePaymentMethod",
    "PageSyncRun",
    "PageWebhookEvent",
    "Payment",
    "PaymentFailed",
    "PaymentMethod",
    "PendingPayment",
    "Portal",
    "PortalCreate",
    "PreviewLine",
    "PreviewSubscriptionChangeIntervalType1",
    "PreviewSubscriptionChangeIntervalType2Type1",
    "PreviewSubscriptionChangeIntervalType3Type1",
    "Ratio",
    "Readiness",
    "ReadinessChecks",
    "Receipt",
    "ReceiptStatusType1",
    "ReceiptStatusType2Type1",
    "ReceiptStatusType3Type1",
    "ReconcileRequest",
    "Refund",
    "RefundCreate",
    "RefundCreatePolicyType1",
    "RefundCreatePolicyType2Type1",
    "RefundCreatePolicyType3Type1",
    "RefundSource",
    "RefundStatus",
    "RevenueBucket",
    "RevenueBucketGrossByStream",
    "RevenueSeries",
    "SetupIntent",
    "SignatureFailures",
    "Spend",
    "SpendCreate",
    "SpendCreateMetadata",
    "SpendMetadata",
    "StripeBackfillLastRun",
    "StripeBackfillLastRunStatus",
    "StripeBackfillLastRunTriggerType1",
    "StripeBackfillLastRunTriggerType2Type1",
    "StripeBackfillLastRunTriggerType3Type1",
    "StripeBackfillRun",
    "StripeBackfillRunStatus",
    "StripeBackfillRunStoredByType",
    "StripeBackfillRunTrigger",
    "StripeBackfillRunWarningsItem",
    "StripeBackfillStatus",
    "StripeBackfillWarning",
    "StripeBackfillWarningKind",
    "StripeEndpointState",
    "StripeEventCounts",
    "StripeSignatureChecks",
    "Subscription",
    "SubscriptionBucket",
    "SubscriptionBucketSubscribersByTier",
    "SubscriptionCreate",
    "SubscriptionCreateCurrencyType1",
    "SubscriptionCreateCurrencyType2Type1",
    "SubscriptionCreateCurrencyType3Type1",
    "SubscriptionCreateInterval",
    "SubscriptionFeatures",
    "SubscriptionPastDue",
    "SubscriptionPreview",
    "SubscriptionSeries",
    "SubscriptionStart",
    "SubscriptionTrialWillEnd",
    "SubscriptionUpdate",
    "SubscriptionUpdated",
    "SubscriptionUpdatedPrevious",
    "SubscriptionUpdateIntervalType1",
    "SubscriptionUpdateIntervalType2Type1",
    "SubscriptionUpdateIntervalType3Type1",
    "SyncRun",
    "TenantIndex",
    "TierInfo",
    "TierInfoFeatures",
    "TierList",
    "TierPriceInfo",
    "TierPriceInfoInterval",
    "Usage",
    "WebhookEvent",
    "WebhookEventDetail",
    "WebhookEventDetailPayloadType0",
    "WebhookEventDetailSource",
    "WebhookEventDetailStatus",
    "WebhookEventSource",
    "WebhookEventStatus",
)
