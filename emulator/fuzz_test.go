package emulator_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stripe-emu/stripe-emu/emulator"
)

// FuzzRequest throws arbitrary methods, paths, bodies and headers at the
// whole pipeline: it must never panic, and every answer must be JSON, with
// Stripe's error envelope whenever it is an error.
func FuzzRequest(f *testing.F) {
	f.Add("POST", "/v1/customers", "email=a%40b.co&metadata[k]=v", "", "")
	f.Add("GET", "/v1/customers?limit=3&expand[]=data.default_source", "", "", "")
	f.Add("POST", "/v1/prices", "currency=usd&unit_amount=5&product_data[name]=x&recurring[interval]=month", "", "k1")
	f.Add("POST", "/v1/products", "name=x&default_price_data[currency]=usd&default_price_data[unit_amount]=1", "acct_x", "")
	f.Add("GET", "/v1/customers/search?query=email%3A%22a%22", "", "", "")
	f.Add("GET", "/v1/products/search?query=name%3A%22a%22%20AND&expand[]=total_count", "", "", "")
	f.Add("DELETE", "/v1/customers/cus_123", "", "", "")
	f.Add("POST", "/v1/customers", "a[b][c][d][e][f]=1&expand[0]=x.y.z", "", "")
	f.Add("GET", "/v1/events?types[]=customer.created&created[gte]=1", "", "", "")
	// The families added later, so mutations reach their handlers too.
	f.Add("POST", "/v1/billing/meters", "display_name=x&event_name=e&default_aggregation[formula]=sum", "", "")
	f.Add("POST", "/v1/billing/meter_events", "event_name=e&payload[stripe_customer_id]=cus_1&payload[value]=3&timestamp=1", "", "")
	f.Add("GET", "/v1/billing/meters/mtr_test_1/event_summaries?customer=cus_1&start_time=0&end_time=60&value_grouping_window=hour", "", "", "")
	f.Add("POST", "/v1/billing/credit_grants", "customer=cus_1&category=paid&amount[type]=monetary&amount[monetary][currency]=usd&amount[monetary][value]=100&applicability_config[scope][prices][0][id]=price_1&expires_at=1", "", "")
	f.Add("GET", "/v1/billing/credit_balance_summary?customer=cus_1&filter[type]=applicability_scope&filter[applicability_scope][price_type]=metered", "", "", "")
	f.Add("GET", "/v1/billing/credit_balance_transactions?customer=cus_1&credit_grant=credgr_test_1&expand[]=data.credit_grant", "", "", "")
	f.Add("POST", "/v1/subscription_schedules", "customer=cus_1&start_date=now&phases[0][items][0][price]=price_1&phases[0][iterations]=2", "", "")
	f.Add("POST", "/v1/subscription_schedules", "customer=cus_1&start_date=now&phases[0][items][0][price]=price_1&phases[0][items][0][tax_rates][0]=txr_1&phases[0][iterations]=3&phases[0][discounts][0][coupon]=c_1&phases[0][trial]=true&phases[0][default_tax_rates][0]=txr_1&phases[0][add_invoice_items][0][price]=price_2&phases[1][items][0][price]=price_1&phases[1][trial_end]=1", "", "")
	f.Add("POST", "/v1/subscription_schedules/sub_sched_1", "phases[0][start_date]=1&phases[0][end_date]=now&phases[0][items][0][price]=price_1&phases[1][items][0][price]=price_1", "", "")
	f.Add("POST", "/v1/tokens", "card[number]=4242424242424242&card[exp_month]=1&card[exp_year]=2040&card[cvc]=123", "", "")
	f.Add("POST", "/v1/charges", "amount=100&currency=usd&source=tok_visa&capture=false", "", "")
	f.Add("POST", "/v1/transfers", "amount=100&currency=usd&destination=acct_1&source_transaction=ch_1", "", "")
	f.Add("POST", "/v1/payouts", "amount=100&currency=usd&method=standard", "acct_x", "")
	f.Add("POST", "/v1/topups", "amount=100&currency=usd&source=btok_us_verified_noAccount&statement_descriptor=TOP&metadata[k]=v", "", "")
	f.Add("GET", "/v1/topups?status=pending&amount[gte]=1&created[lt]=2", "", "", "")
	f.Add("POST", "/v1/topups/tu_1/cancel", "", "", "")
	f.Add("POST", "/v1/payouts", "amount=100&currency=usd&source_type=bank_account", "", "")
	f.Add("GET", "/v1/balance_transactions", "payout=po_1", "", "")
	f.Add("POST", "/v1/accounts/acct_1", "settings[payouts][schedule][interval]=monthly&settings[payouts][schedule][monthly_anchor]=31", "", "")
	f.Add("POST", "/v1/accounts/acct_1", "settings[payouts][schedule][interval]=weekly&settings[payouts][schedule][weekly_payout_days][0]=monday", "", "")
	f.Add("POST", "/v1/test_helpers/confirmation_tokens", "payment_method_data[type]=sepa_debit&payment_method_data[sepa_debit][iban]=DE89370400440532013000&payment_method_data[billing_details][name]=x&payment_method_data[billing_details][email]=a%40b.co&shipping[name]=x&shipping[address][line1]=1&setup_future_usage=off_session&return_url=https%3A%2F%2Fx", "", "")
	f.Add("POST", "/v1/payment_intents", "amount=100&currency=usd&confirm=true&confirmation_token=ctoken_1", "", "")
	f.Add("POST", "/v1/setup_intents/seti_1/confirm", "confirmation_token=ctoken_1", "", "")
	f.Add("GET", "/v1/country_specs?limit=2&starting_after=DE", "", "", "")
	f.Add("GET", "/v1/country_specs/US?expand[]=x", "", "", "")
	f.Add("POST", "/v1/payment_links", "line_items[0][price]=price_1&line_items[0][quantity]=1&restrictions[completed_sessions][limit]=1", "", "")
	f.Add("DELETE", "/v1/subscriptions/sub_1/discount", "", "", "")
	f.Add("POST", "/v1/external_accounts/ba_1", "account_holder_name=x&default_for_currency=true", "acct_x", "")
	f.Add("POST", "/v1/apple_pay/domains", "domain_name=Pay.Example.com", "", "")
	f.Add("GET", "/v1/credit_notes/preview/lines?invoice=in_1&lines[0][type]=custom_line_item&lines[0][unit_amount]=5&lines[0][description]=x&limit=1&starting_after=cnli_1", "", "", "")
	f.Add("POST", "/v1/credit_notes", "invoice=in_1&lines[0][type]=custom_line_item&lines[0][unit_amount]=5&lines[0][description]=x&lines[0][tax_rates][0]=txr_1&lines[1][type]=invoice_line_item&lines[1][invoice_line_item]=il_1&lines[1][amount]=3&expand[]=discount_amounts.discount", "", "")
	f.Add("POST", "/v1/customers/cus_1/tax_ids", "type=eu_vat&value=DE123456789", "", "")
	f.Add("POST", "/v1/tax_ids", "type=eu_vat&value=DE123456789&owner[type]=account&owner[account]=acct_1", "", "")
	f.Add("GET", "/v1/tax_ids?owner[type]=customer&owner[customer]=cus_1&expand[]=data.owner.customer", "", "", "")
	f.Add("POST", "/v1/invoices", "customer=cus_1&account_tax_ids[0]=txi_1&expand[]=account_tax_ids", "", "")
	f.Add("POST", "/v1/subscriptions/sub_1", "invoice_settings[account_tax_ids][0]=txi_1", "", "")
	f.Add("POST", "/v1/subscriptions", "customer=cus_1&items[0][price]=price_1&billing_cycle_anchor_config[day_of_month]=31&billing_cycle_anchor_config[month]=2&billing_cycle_anchor_config[hour]=0", "", "")
	f.Add("POST", "/v1/ephemeral_keys", "customer=cus_1", "", "")
	f.Add("POST", "/v1/entitlements/features", "name=x&lookup_key=k", "", "")
	f.Add("POST", "/v1/prices", "currency=usd&product=prod_1&billing_scheme=tiered&tiers_mode=graduated&tiers[0][up_to]=inf&tiers[0][unit_amount]=1", "", "")
	f.Add("POST", "/v1/shipping_rates", "display_name=x&type=fixed_amount&fixed_amount[amount]=500&fixed_amount[currency]=usd&delivery_estimate[minimum][unit]=day&delivery_estimate[minimum][value]=1", "", "")
	f.Add("GET", "/v1/shipping_rates?active=true&currency=usd&created[gt]=1", "", "", "")
	f.Add("POST", "/v1/reporting/report_runs", "report_type=balance_change_from_activity.itemized.3&parameters[interval_start]=1&parameters[interval_end]=86400&parameters[timezone]=Europe/Paris&parameters[columns][0]=payment_metadata[k]&parameters[columns][1]=gross&parameters[decimal_separator]=,", "", "")
	f.Add("GET", "/v1/reporting/report_runs?created[gte]=1&limit=2", "", "", "")
	f.Add("GET", "/v1/reporting/report_types/payouts.itemized.3", "", "", "")
	f.Add("POST", "/v1/tax/settings", "defaults[tax_behavior]=exclusive&defaults[tax_code]=txcd_10103000&head_office[address][country]=US&head_office[address][state]=CA", "", "")
	f.Add("POST", "/v1/tax/registrations", "country=US&country_options[us][type]=state_sales_tax&country_options[us][state]=CA&active_from=now&expires_at=1", "", "")
	f.Add("POST", "/v1/tax/registrations/taxreg_1", "expires_at=now&active_from=now", "", "")
	f.Add("GET", "/v1/tax/registrations?status=scheduled", "", "", "")
	f.Add("GET", "/v1/tax_codes?limit=2&starting_after=txcd_00000000", "", "", "")
	f.Add("POST", "/v1/customers", "address[country]=US&address[postal_code]=94080&tax[validate_location]=immediately&tax[ip_address]=203.0.113.7&expand[]=tax", "", "")
	f.Add("POST", "/v1/checkout/sessions", "mode=payment&line_items[0][price_data][currency]=usd&line_items[0][price_data][unit_amount]=1&line_items[0][price_data][product_data][name]=x&line_items[0][quantity]=1&shipping_address_collection[allowed_countries][0]=US&shipping_options[0][shipping_rate_data][display_name]=x&shipping_options[0][shipping_rate_data][fixed_amount][amount]=5&shipping_options[0][shipping_rate_data][fixed_amount][currency]=usd&shipping_options[1][shipping_rate]=shr_1", "", "")
	f.Add("POST", "/v1/prices", "currency=usd&unit_amount=5&product_data[name]=x&currency_options[eur][unit_amount]=4&currency_options[gbp][tiers][0][up_to]=inf&currency_options[gbp][tiers][0][unit_amount]=1&expand[]=currency_options.gbp.tiers", "", "")
	f.Add("POST", "/v1/checkout/sessions", "mode=payment&currency=eur&line_items[0][price]=price_1&line_items[0][quantity]=1", "", "")
	f.Add("POST", "/v1/checkout/sessions", "mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=1&invoice_creation[enabled]=true&invoice_creation[invoice_data][account_tax_ids][0]=txi_1&invoice_creation[invoice_data][custom_fields][0][name]=PO&invoice_creation[invoice_data][custom_fields][0][value]=1&invoice_creation[invoice_data][rendering_options][amount_tax_display]=exclude_tax&invoice_creation[invoice_data][issuer][type]=self", "", "")
	f.Add("POST", "/v1/payment_links", "line_items[0][price]=price_1&line_items[0][quantity]=1&invoice_creation[enabled]=true&invoice_creation[invoice_data][metadata][k]=v&invoice_creation[invoice_data][rendering_options]=", "", "")
	f.Add("POST", "/v1/test_helpers/checkout/sessions/cs_test_1/complete", "payment_method=pm_card_visa&shipping_details[name]=x&shipping_details[address][country]=US&shipping_details[address][line1]=1", "", "")
	f.Add("POST", "/v1/checkout/sessions", "mode=payment&line_items[0][price]=price_1&line_items[0][quantity]=1&custom_text[submit][message]=hi&custom_fields[0][key]=size&custom_fields[0][type]=dropdown&custom_fields[0][label][type]=custom&custom_fields[0][label][custom]=Size&custom_fields[0][dropdown][options][0][label]=S&custom_fields[0][dropdown][options][0][value]=s&custom_fields[1][key]=n&custom_fields[1][type]=numeric&custom_fields[1][label][type]=custom&custom_fields[1][label][custom]=N&custom_fields[1][numeric][maximum_length]=3&custom_fields[1][optional]=true&optional_items[0][price]=price_2&optional_items[0][quantity]=1&optional_items[0][adjustable_quantity][enabled]=true", "", "")
	f.Add("POST", "/v1/checkout/sessions", "mode=payment&customer=cus_1&line_items[0][price]=price_1&line_items[0][quantity]=1&saved_payment_method_options[payment_method_save]=enabled&saved_payment_method_options[allow_redisplay_filters][0]=limited&payment_method_options[card][setup_future_usage]=off_session&payment_method_options[card][request_three_d_secure]=any&after_expiration[recovery][enabled]=true&after_expiration[recovery][allow_promotion_codes]=true&adaptive_pricing[enabled]=false&permissions[update_shipping_details]=server_only&wallet_options[link][display]=never&origin_context=web", "", "")
	f.Add("POST", "/v1/checkout/sessions", "mode=subscription&line_items[0][price]=price_1&line_items[0][quantity]=1&subscription_data[billing_cycle_anchor]=1900000000&subscription_data[proration_behavior]=none", "", "")
	f.Add("POST", "/v1/test_helpers/checkout/sessions/cs_test_1/complete", "custom_fields[0][key]=size&custom_fields[0][value]=s&optional_items[0][price]=price_2&optional_items[0][quantity]=2&save_payment_method=true", "", "")
	f.Add("POST", "/v1/test_helpers/checkout/sessions/cs_test_1/complete", "payment_method=pm_card_visa&promotion_code=summer20", "", "")
	f.Add("POST", "/v1/test_helpers/checkout/sessions/cs_test_1/recover", "expand[]=customer", "", "")
	f.Add("POST", "/v1/payment_pages/cs_test_1/confirm", "payment_method=pm_card_visa&expected_amount=3000&expected_payment_method_type=card", "", "")
	f.Add("GET", "/v1/payment_pages/cs_test_1", "", "", "")
	f.Add("POST", "/v1/payment_links", "line_items[0][price]=price_1&line_items[0][quantity]=1&custom_fields[0][key]=k&custom_fields[0][type]=text&custom_fields[0][label][type]=custom&custom_fields[0][label][custom]=K&custom_text[after_submit][message]=x", "", "")
	f.Add("POST", "/v1/checkout/sessions", "mode=payment&customer=cus_1&line_items[0][price]=price_1&line_items[0][quantity]=1&automatic_tax[enabled]=true&automatic_tax[liability][type]=self&customer_update[address]=auto&customer_update[name]=auto&tax_id_collection[enabled]=true", "", "")
	f.Add("POST", "/v1/payment_links/plink_1", "automatic_tax[enabled]=true&automatic_tax[liability][type]=account&automatic_tax[liability][account]=acct_1", "", "")
	f.Add("POST", "/v1/test_helpers/checkout/sessions/cs_test_1/complete", "billing_address[country]=de&billing_address[postal_code]=10178&tax_id[type]=eu_vat&tax_id[value]=DE123456789", "", "")
	f.Add("POST", "/v1/quotes", "customer=cus_1&line_items[0][price_data][currency]=usd&line_items[0][price_data][product]=prod_1&line_items[0][price_data][unit_amount]=5&discounts[0][coupon]=c", "", "")
	f.Add("POST", "/v1/quotes/qt_1/accept", "expand[]=invoice&expand[]=computed.upfront.line_items", "", "")
	f.Add("POST", "/v1/quotes", "from_quote[quote]=qt_1&from_quote[is_revision]=true&expires_at=1900000000&expand[]=from_quote.quote", "", "")
	f.Add("POST", "/v1/quotes/qt_1", "subscription_data[effective_date]=1900000000&subscription_data[trial_period_days]=7", "", "")
	f.Add("POST", "/v1/quotes/qt_1", "expires_at=1900000000&expand[]=customer", "", "")
	f.Add("POST", "/v1/payment_links", "line_items[0][price]=price_1&line_items[0][quantity]=1&payment_method_collection=if_required&submit_type=subscribe&line_items[0][adjustable_quantity][enabled]=true&line_items[0][adjustable_quantity][maximum]=999999", "", "")
	f.Add("POST", "/v1/billing_portal/configurations", "features[subscription_cancel][enabled]=true&features[subscription_cancel][mode]=at_period_end&features[subscription_cancel][proration_behavior]=create_prorations", "", "")
	// Older routes basil still serves, run through the newer ones' handlers.
	f.Add("POST", "/v1/charges/ch_1/refunds", "amount=100&reason=duplicate&metadata[k]=v&expand[]=charge", "", "")
	f.Add("POST", "/v1/charges/ch_1/refund", "amount=100&refund_application_fee=true&reverse_transfer=true", "", "")
	f.Add("GET", "/v1/charges/ch_1/refunds/re_1?expand[]=balance_transaction", "", "", "")
	f.Add("POST", "/v1/charges/ch_1/dispute", "evidence[customer_name]=x&submit=false", "", "")
	f.Add("GET", "/v1/balance/history?limit=2&type=charge&created[gte]=1", "", "", "")
	f.Add("POST", "/v1/application_fees/fee_1/refund", "amount=1&directive=x", "", "")
	f.Add("POST", "/v1/customers/cus_1/cards", "source=tok_visa&metadata[k]=v", "", "")
	f.Add("POST", "/v1/customers/cus_1/bank_accounts", "bank_account[country]=US&bank_account[account_number]=000123456789", "", "")
	f.Add("DELETE", "/v1/customers/cus_1/bank_accounts/ba_1", "", "", "")
	f.Add("POST", "/v1/customers/cus_1/subscriptions", "items[0][price]=price_1&discounts[0][coupon]=c&trial_period_days=3", "", "")
	f.Add("DELETE", "/v1/customers/cus_1/subscriptions/sub_1", "invoice_now=true&prorate=true", "", "")
	f.Add("GET", "/v1/customers/cus_1/subscriptions/sub_1/discount", "", "", "")
	f.Add("GET", "/v1/customers/cus_1/discount", "", "", "")
	f.Add("POST", "/v1/invoices/in_1/lines/il_1", "amount=5&description=x&price_data[currency]=usd&price_data[product]=prod_1&price_data[unit_amount]=1&tax_rates[0]=txr_1", "", "")
	f.Add("GET", "/v1/invoices/upcoming/lines?customer=cus_1", "", "", "")
	f.Add("POST", "/v1/payouts/po_1/reverse", "metadata[k]=v", "acct_x", "")
	f.Add("POST", "/v1/test_helpers/refunds/re_1/expire", "expand[]=charge", "", "")
	// Connect onboarding: capabilities, persons, rejection, bank_accounts, account sessions.
	f.Add("POST", "/v1/accounts", "type=custom&capabilities[card_payments][requested]=true&capabilities[transfers][requested]=false", "", "")
	f.Add("POST", "/v1/accounts/acct_1/capabilities/card_payments", "requested=false&expand[]=account", "", "")
	f.Add("GET", "/v1/accounts/acct_1/capabilities", "", "", "")
	f.Add("POST", "/v1/accounts/acct_1/persons", "first_name=A&relationship[owner]=true&relationship[percent_ownership]=50.5&dob[year]=1990&address[country]=US&us_cfpb_data[race_details][race][0]=asian&verification[document][front]=file_1", "", "")
	f.Add("GET", "/v1/accounts/acct_1/people?relationship[representative]=true&limit=2&starting_after=person_1", "", "", "")
	f.Add("POST", "/v1/accounts/acct_1/reject", "reason=terms_of_service", "", "")
	f.Add("POST", "/v1/accounts/acct_1/bank_accounts", "bank_account[account_number]=000123456789&bank_account[routing_number]=110000000&bank_account[country]=US", "", "")
	f.Add("POST", "/v1/account_sessions", "account=acct_1&components[payouts][enabled]=true&components[payouts][features][instant_payouts]=true&components[account_onboarding][enabled]=false&components[account_onboarding][features][disable_stripe_user_authentication]=true", "", "")
	// Automatic tax (Stripe Tax) in billing.
	f.Add("POST", "/v1/subscriptions", "customer=cus_1&items[0][price]=price_1&automatic_tax[enabled]=true&automatic_tax[liability][type]=self", "", "")
	f.Add("POST", "/v1/invoices", "customer=cus_1&automatic_tax[enabled]=true&automatic_tax[liability][type]=account&automatic_tax[liability][account]=acct_1", "", "")
	f.Add("POST", "/v1/invoices/create_preview", "schedule=sub_sched_1&schedule_details[end_behavior]=cancel&schedule_details[phases][0][items][0][price]=price_1&schedule_details[phases][0][start_date]=now&schedule_details[phases][0][iterations]=2", "", "")
	f.Add("POST", "/v1/invoices/create_preview", "customer=cus_1&schedule_details[phases][0][items][0][price]=price_1&schedule_details[phases][0][duration][interval]=month&schedule_details[phases][0][duration][interval_count]=x&subscription=sub_1", "", "")
	f.Add("POST", "/v1/invoices/create_preview", "customer=cus_1&subscription_details[items][0][price]=price_1&subscription_details[trial_end]=1&invoice_items[0][invoiceitem]=ii_1&invoice_items[0][unit_amount]=-5&discounts=", "", "")
	f.Add("POST", "/v1/invoices/create_preview", "customer=cus_1&invoice_items[0][price]=price_1&invoice_items[0][quantity]=2&discounts[0][coupon]=x", "", "")
	f.Add("POST", "/v1/invoices/create_preview", "subscription=sub_1&automatic_tax[enabled]=true&customer_details[address][country]=DE&customer_details[tax_exempt]=reverse&customer_details[shipping][name]=x&customer_details[shipping][address][country]=FR", "", "")
	f.Add("POST", "/v1/subscription_schedules", "customer=cus_1&start_date=now&default_settings[automatic_tax][enabled]=true&phases[0][items][0][price]=price_1&phases[0][automatic_tax][enabled]=false&phases[0][iterations]=1", "", "")
	f.Add("POST", "/v1/quotes", "customer=cus_1&automatic_tax[enabled]=true&line_items[0][price]=price_1", "", "")
	f.Add("GET", "/v1/quotes/qt_1/pdf", "", "", "")
	f.Add("POST", "/v1/payment_method_configurations", "name=x&card[display_preference][preference]=off&sepa_debit[display_preference][preference]=on", "", "")
	f.Add("GET", "/v1/payment_method_configurations?limit=1&starting_after=pmc_1&application=ca_1", "", "acct_x", "")
	f.Add("POST", "/v1/payment_intents", "amount=500&currency=eur&payment_method_configuration=pmc_1&capture_method=manual&automatic_payment_methods[allow_redirects]=never", "", "")
	// ACH microdeposits and incremental authorization.
	f.Add("POST", "/v1/payment_intents", "amount=500&currency=usd&confirm=true&payment_method=pm_usBankAccount_success&payment_method_types[0]=us_bank_account&payment_method_options[us_bank_account][verification_method]=microdeposits&mandate_data[customer_acceptance][type]=offline", "", "")
	f.Add("POST", "/v1/payment_intents/pi_1/verify_microdeposits", "amounts[0]=32&amounts[1]=45", "", "")
	f.Add("POST", "/v1/setup_intents/seti_1/verify_microdeposits", "descriptor_code=SM11AA&expand[]=mandate", "", "")
	f.Add("POST", "/v1/payment_intents", "amount=500&currency=usd&confirm=true&payment_method=pm_card_visa&capture_method=manual&payment_method_options[card][request_incremental_authorization]=if_available&payment_method_options[card][request_overcapture]=never", "", "")
	f.Add("POST", "/v1/payment_intents/pi_1/increment_authorization", "amount=900&transfer_data[amount]=10&application_fee_amount=1&metadata[k]=v", "", "")
	// Radar value lists.
	f.Add("POST", "/v1/radar/value_lists", "alias=blocked_ips&name=Blocked%20IPs&item_type=ip_address&metadata[k]=v", "", "")
	f.Add("POST", "/v1/radar/value_list_items", "value_list=rsl_1&value=1.2.3.4", "", "")
	f.Add("GET", "/v1/radar/value_lists?alias=blocked_ips&contains=1.2.3.4&created[gte]=1&limit=3", "", "", "")
	f.Add("GET", "/v1/radar/value_list_items?value_list=rsl_1&value=1.2&starting_after=rsli_1", "", "", "")
	f.Add("DELETE", "/v1/radar/value_lists/rsl_1", "", "", "")
	// Extended authorization, overcapture and multicapture.
	f.Add("POST", "/v1/payment_intents", "amount=500&currency=usd&confirm=true&payment_method=pm_card_jcb&capture_method=manual&payment_method_options[card][request_extended_authorization]=if_available&payment_method_options[card][request_overcapture]=if_available&payment_method_options[card][request_multicapture]=if_available", "", "")
	f.Add("POST", "/v1/payment_intents/pi_1/capture", "amount_to_capture=575&final_capture=false&metadata[k]=v", "", "")
	f.Add("POST", "/v1/setup_intents/seti_1", "payment_method_configuration=pmc_1", "", "")
	f.Add("POST", "/v1/payment_method_domains", "domain_name=shop.example.com&enabled=false", "", "")
	f.Add("POST", "/v1/subscriptions", "customer=cus_1&items[0][price]=price_1&transfer_data[destination]=acct_1&transfer_data[amount_percent]=87.5&on_behalf_of=acct_1&application_fee_percent=10&billing_mode[type]=classic&invoice_settings[issuer][type]=self", "", "")
	f.Add("POST", "/v1/subscriptions", "customer=cus_1&items[0][price]=price_1&backdate_start_date=1&billing_cycle_anchor=2&pending_invoice_item_interval[interval]=week&payment_settings[payment_method_options][card][request_three_d_secure]=automatic&payment_settings[payment_method_options][bancontact][preferred_language]=fr", "", "")
	f.Add("POST", "/v1/subscriptions/sub_1", "transfer_data=&pending_invoice_item_interval=&payment_settings[payment_method_options]=&application_fee_percent=", "acct_x", "")
	f.Add("POST", "/v1/invoices", "customer=cus_1&auto_advance=true&automatically_finalizes_at=99999999999", "", "")
	f.Add("POST", "/v1/invoiceitems", "customer=cus_1&subscription=sub_1&amount=5&currency=usd", "", "")
	f.Add("POST", "/v1/subscription_schedules", "customer=cus_1&start_date=now&phases[0][items][0][price]=price_1&phases[0][iterations]=1&phases[1][items][0][price]=price_1&phases[1][billing_cycle_anchor]=phase_start", "", "")
	f.Add("GET", "/v1/payment_method_domains?domain_name=shop.example.com&enabled=true", "", "", "")
	f.Add("POST", "/v1/payment_method_domains/pmd_1/validate", "expand[]=x", "", "")
	// Bank transfers into a customer's cash balance.
	f.Add("POST", "/v1/customers/cus_1/funding_instructions", "currency=eur&funding_type=bank_transfer&bank_transfer[type]=eu_bank_transfer&bank_transfer[eu_bank_transfer][country]=FR&bank_transfer[requested_address_types][0]=iban", "", "")
	f.Add("POST", "/v1/customers/cus_1/cash_balance", "settings[reconciliation_mode]=merchant_default&expand[]=x", "", "")
	f.Add("GET", "/v1/customers/cus_1/cash_balance_transactions?limit=2&starting_after=ccsbtxn_1", "", "acct_x", "")
	f.Add("POST", "/v1/test_helpers/customers/cus_1/fund_cash_balance", "amount=5000&currency=usd&reference=ABCDEFGH2345", "", "")
	f.Add("POST", "/v1/payment_intents", "amount=5000&currency=usd&customer=cus_1&confirm=true&payment_method_types[0]=customer_balance&payment_method_data[type]=customer_balance&payment_method_options[customer_balance][funding_type]=bank_transfer&payment_method_options[customer_balance][bank_transfer][type]=us_bank_transfer", "", "")
	f.Add("POST", "/v1/payment_intents/pi_1/apply_customer_balance", "amount=100&currency=usd", "", "")
	f.Add("POST", "/v1/invoices", "customer=cus_1&collection_method=send_invoice&days_until_due=30&payment_settings[payment_method_types][0]=customer_balance", "", "")
	f.Add("POST", "/v1/tax/calculations", "currency=usd&customer_details[address][country]=US&customer_details[address][postal_code]=94080&customer_details[address_source]=shipping&customer_details[tax_ids][0][type]=eu_vat&customer_details[tax_ids][0][value]=DE1&line_items[0][amount]=1000&line_items[0][reference]=a&line_items[0][tax_behavior]=inclusive&line_items[1][amount]=5&line_items[1][tax_code]=txcd_10000000&shipping_cost[amount]=300&tax_date=1&expand[]=line_items", "", "")
	f.Add("GET", "/v1/tax/calculations/taxcalc_1/line_items?limit=1&expand[]=data.tax_breakdown", "", "", "")
	f.Add("POST", "/v1/tax/transactions/create_from_calculation", "calculation=taxcalc_1&reference=r&posted_at=1&metadata[k]=v", "", "")
	f.Add("POST", "/v1/tax/transactions/create_reversal", "mode=partial&original_transaction=tax_1&reference=r2&line_items[0][amount]=-1&line_items[0][amount_tax]=0&line_items[0][original_line_item]=tax_li_1&line_items[0][reference]=x&shipping_cost[amount]=-1&shipping_cost[amount_tax]=-1&flat_amount=-5", "", "")
	// Uploads: a body that begins with "--<boundary>" is sent as
	// multipart/form-data with that boundary (see below).
	f.Add("POST", "/v1/files", "--b\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\ndispute_evidence\r\n--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.pdf\"\r\nContent-Type: application/pdf\r\n\r\n%PDF-1.4\n%%EOF\r\n--b\r\nContent-Disposition: form-data; name=\"file_link_data[create]\"\r\n\r\ntrue\r\n--b--\r\n", "", "up1")
	f.Add("POST", "/v1/files", "--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"r.pdf\"\r\n\r\n%PDF-1.4 cut sh", "", "")
	f.Add("POST", "/v1/file_links", "file=file_1&expires_at=1&metadata[k]=v", "", "")
	f.Add("POST", "/v1/file_links/link_1", "expires_at=now", "", "")
	f.Add("GET", "/v1/file_links?file=file_1&expired=true&expand[]=data.file", "", "", "")
	f.Add("GET", "/v1/files?purpose=dispute_evidence&expand[]=data.links", "", "", "")
	f.Add("GET", "/v1/files/file_1/contents", "", "", "")
	f.Add("POST", "/v1/disputes/dp_1", "evidence[receipt]=file_1&evidence[uncategorized_file]=&submit=false", "", "")
	// The v2 API: JSON bodies (sent as application/json, see below).
	f.Add("POST", "/v2/billing/meter_events", `{"event_name":"e","payload":{"stripe_customer_id":"cus_1","value":"3"},"identifier":"i","timestamp":"2025-09-01T12:00:00.000Z"}`, "", "k2")
	f.Add("POST", "/v2/billing/meter_events", `{"event_name":"e","payload":{"value":3},"extra":[1,{"a":null}]}`, "", "")
	f.Add("POST", "/v2/billing/meter_event_adjustments", `{"event_name":"e","type":"cancel","cancel":{"identifier":"i"}}`, "acct_x", "")
	f.Add("POST", "/v2/billing/meter_event_session", `{}`, "", "")
	f.Add("GET", "/v2/core/event_destinations?include=webhook_endpoint.url&include=webhook_endpoint.url&limit=2&limit=3", "", "", "")
	f.Add("GET", "/v1/subscription_items?subscription=sub_1&limit=1&ending_before=si_1", "", "", "")
	f.Add("POST", "/v2/billing/meter_event_stream", `{"events":[{"event_name":"e","payload":{"value":"1"},"timestamp":"2025-09-01T12:00:00Z"}]}`, "", "")
	f.Add("GET", "/v2/billing/meter_events?limit=2&page=YTp4", "", "", "")
	f.Add("POST", "/v2/core/event_destinations", `{"name":"n","type":"webhook_endpoint","event_payload":"thin","enabled_events":["v1.billing.meter.no_meter_found"],"webhook_endpoint":{"url":"http://127.0.0.1:1/h"},"include":["webhook_endpoint.signing_secret"]}`, "", "")
	f.Add("POST", "/v2/core/event_destinations", `{"name":"n","type":"webhook_endpoint","event_payload":"snapshot","snapshot_api_version":"2025-08-27.basil","events_from":["self","other_accounts"],"enabled_events":["customer.*"],"webhook_endpoint":{"url":"http://127.0.0.1:1/"}}`, "", "")
	f.Add("POST", "/v2/core/event_destinations/ed_test_1", `{"name":"m","metadata":{"k":"v"},"enabled_events":["*"],"webhook_endpoint":{"url":"http://127.0.0.1:1/x"}}`, "", "")
	f.Add("POST", "/v2/core/event_destinations/ed_test_1/ping", ``, "", "")
	f.Add("GET", "/v2/core/event_destinations?limit=1&include=webhook_endpoint.url&page=YTplZF90ZXN0XzE", "", "", "")
	f.Add("GET", "/v2/core/events?object_id=mtr_test_1&limit=5", "", "", "")
	f.Add("DELETE", "/v2/core/event_destinations/ed_test_1", "", "", "")
	// Plans (the plan view of recurring prices) and billing alerts.
	f.Add("POST", "/v1/plans", "id=gold&currency=usd&interval=month&amount=500&product[name]=x&trial_period_days=7&transform_usage[divide_by]=4&transform_usage[round]=up", "", "")
	f.Add("POST", "/v1/plans", "currency=usd&interval=year&product=prod_1&billing_scheme=tiered&tiers_mode=volume&tiers[0][up_to]=10&tiers[0][unit_amount]=5&tiers[1][up_to]=inf&tiers[1][flat_amount]=1", "", "")
	f.Add("POST", "/v1/plans/gold", "nickname=n&active=false&trial_period_days=&product=prod_2", "", "")
	f.Add("GET", "/v1/plans?active=true&product=prod_1&expand[]=data.tiers&created[gte]=1", "", "", "")
	f.Add("DELETE", "/v1/plans/gold", "", "", "")
	f.Add("POST", "/v1/billing/alerts", "alert_type=usage_threshold&title=t&usage_threshold[gte]=10&usage_threshold[meter]=mtr_test_1&usage_threshold[recurrence]=one_time&usage_threshold[filters][0][type]=customer&usage_threshold[filters][0][customer]=cus_1", "", "")
	f.Add("POST", "/v1/billing/alerts/alrt_1/archive", "", "", "")
	f.Add("GET", "/v1/billing/alerts?meter=mtr_test_1&alert_type=usage_threshold&expand[]=data.usage_threshold.meter", "", "", "")
	f.Add("POST", "/v1/payment_intents/pi_1/confirm", "client_secret=pi_1_secret_x&payment_method=pm_card_visa", "", "")
	f.Add("GET", "/v1/setup_intents/seti_1?client_secret=seti_1_secret_x&expand[]=payment_method", "", "", "")
	f.Add("POST", "/v1/terminal/locations", "display_name=x&address[country]=US&address[line1]=1&configuration_overrides=tmc_1&metadata[k]=v", "", "")
	f.Add("POST", "/v1/terminal/readers", "registration_code=simulated-wpe&location=tml_1&label=x", "", "")
	f.Add("GET", "/v1/terminal/readers?location=tml_1&device_type=simulated_wisepos_e&status=online&serial_number=x&expand[]=data.location", "", "", "")
	f.Add("POST", "/v1/terminal/readers/tmr_1/process_payment_intent", "payment_intent=pi_1&process_config[skip_tipping]=true&process_config[tipping][amount_eligible]=5", "", "")
	f.Add("POST", "/v1/terminal/readers/tmr_1/refund_payment", "payment_intent=pi_1&amount=5&metadata[k]=v&refund_payment_config[enable_customer_cancellation]=true", "", "")
	f.Add("POST", "/v1/terminal/readers/tmr_1/set_reader_display", "type=cart&cart[currency]=usd&cart[total]=5&cart[tax]=1&cart[line_items][0][amount]=4&cart[line_items][0][description]=x&cart[line_items][0][quantity]=1", "", "")
	f.Add("POST", "/v1/test_helpers/terminal/readers/tmr_1/present_payment_method", "type=card_present&card_present[number]=4000000000000002&amount_tip=100", "", "")
	f.Add("POST", "/v1/terminal/configurations", "name=x&tipping[usd][percentages][0]=15&tipping[usd][smart_tip_threshold]=1&offline[enabled]=true&reboot_window[start_hour]=1&reboot_window[end_hour]=2&wifi[type]=personal_psk&wifi[personal_psk][ssid]=s&wifi[personal_psk][password]=p", "", "")
	f.Add("POST", "/v1/terminal/connection_tokens", "location=tml_1", "", "")
	f.Add("POST", "/v1/terminal/readers/tmr_1/process_setup_intent", "setup_intent=seti_1&allow_redisplay=always&process_config[enable_customer_cancellation]=true", "", "")
	// The customer portal's pages: a session's and a configuration's login page.
	f.Add("POST", "/p/session/bps_1?view=cancel&subscription=sub_1", "action=cancel&subscription=sub_1&reason=too_expensive", "", "")
	f.Add("POST", "/p/login/test_1", "email=a%40b.co", "", "")

	emu, err := emulator.New()
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { emu.Close() })
	h := emu.Handler()
	f.Fuzz(func(t *testing.T, method, target, body, account, idemKey string) {
		switch method {
		case "GET", "POST", "DELETE":
		default:
			method = "POST"
		}
		if _, err := url.ParseRequestURI("http://emu" + target); err != nil || !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \t\r\n#") {
			target = "/v1/customers"
		}
		req := httptest.NewRequest(method, "http://emu"+target, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer sk_test_fuzz")
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if strings.HasPrefix(target, "/v2/") {
			req.Header.Set("Content-Type", "application/json")
		}
		if boundary, ok := multipartBoundary(body); ok {
			req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		}
		if account != "" && isHeaderSafe(account) {
			req.Header.Set("Stripe-Account", account)
		}
		if idemKey != "" && isHeaderSafe(idemKey) {
			req.Header.Set("Idempotency-Key", idemKey)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if !strings.HasPrefix(target, "/v1/") && !strings.HasPrefix(target, "/v2/") && rec.Header().Get("Content-Type") != "application/json" {
			// The emulator's own pages (hosted Checkout, recovery, file
			// links) answer in HTML or plain text; they must not fail.
			if rec.Code >= 500 {
				t.Fatalf("%s %s %q: page failed (%d): %q", method, target, body, rec.Code, rec.Body.String())
			}
			return
		}
		var out map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &out); err != nil {
			t.Fatalf("%s %s %q: answer is not JSON (%d): %q", method, target, body, rec.Code, rec.Body.String())
		}
		if rec.Code >= 400 {
			e, ok := out["error"].(map[string]any)
			if !ok || e["type"] == nil || e["message"] == nil {
				t.Fatalf("%s %s %q: error without Stripe's envelope: %s", method, target, body, rec.Body.String())
			}
			if rec.Code == http.StatusInternalServerError {
				t.Fatalf("%s %s %q: internal error: %s", method, target, body, rec.Body.String())
			}
		}
	})
}

// multipartBoundary is the boundary a body that looks multipart opens
// with ("--b\r\n…" → "b"), so the fuzzer reaches the upload parser.
func multipartBoundary(body string) (string, bool) {
	first, _, found := strings.Cut(body, "\r\n")
	b, ok := strings.CutPrefix(first, "--")
	if !found || !ok || b == "" || len(b) > 70 || !isHeaderSafe(b) || strings.ContainsAny(b, `"`) {
		return "", false
	}
	return b, true
}

func isHeaderSafe(s string) bool {
	for _, r := range s {
		if r < 0x21 || r > 0x7e {
			return false
		}
	}
	return true
}
