package core_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/stripe/stripe-go/v82"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("The wire", Label("wire"), func() {
	var emu *emulator.Emulator
	BeforeEach(func() { emu = Emulator() })

	Describe("authentication", func() {
		It("asks for a key when there is none", func() {
			r := Do(emu.URL(), "GET", "/v1/customers", "", "Authorization", "")
			Expect(r.Status).To(Equal(401))
			Expect(r.Header.Get("WWW-Authenticate")).NotTo(BeEmpty())
			Expect(r.Error()["message"]).To(HavePrefix("You did not provide an API key."))
			Expect(r.Header.Get("Request-Id")).To(HavePrefix("req_"))
		})
		It("takes the key as HTTP basic user, like curl -u", func() {
			req, _ := http.NewRequest("POST", emu.URL()+"/v1/customers", strings.NewReader("email=basic%40example.com"))
			req.SetBasicAuth("sk_test_curl", "")
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			resp, err := http.DefaultClient.Do(req)
			Expect(err).NotTo(HaveOccurred())
			resp.Body.Close()
			Expect(resp.StatusCode).To(Equal(200))
		})
		It("links no request log to an answer that found no account, as Stripe's 401s for a missing or unknown key do", func() {
			for _, auth := range []string{"", "Bearer sk_live_abcdefgh1234", "Bearer banana", "Token x"} {
				r := Do(emu.URL(), "GET", "/v1/customers", "", "Authorization", auth)
				Expect(r.Status).To(Equal(401), auth)
				Expect(r.Error()).NotTo(HaveKey("request_log_url"), auth)
				Expect(r.Header.Get("Request-Id")).To(HavePrefix("req_"), auth)
			}
			r := Do(emu.URL(), "GET", "/v1/customers/cus_missing", "")
			Expect(r.Error()["request_log_url"]).To(HavePrefix("https://dashboard.stripe.com/test/logs/req_"), "an authenticated request's error links its log")
		})
		DescribeTable("refuses keys the way Stripe does",
			func(key, message string) {
				_, err := emu.ClientWithKey(key).V1Customers.Create(Ctx, nil)
				se := StripeErr(err)
				Expect(se.HTTPStatusCode).To(Equal(401))
				Expect(se.Type).To(Equal(stripe.ErrorTypeInvalidRequest))
				Expect(se.Msg).To(Equal(message))
			},
			Entry("a live key", "sk_live_abcdefgh1234", "Invalid API Key provided: sk_live_********1234"),
			Entry("a malformed key", "banana", "Invalid API Key provided: **nana"),
			Entry("a publishable key", "pk_test_abc", "This API call cannot be made with a publishable API key. Please use a secret API key. You can find a list of your API keys at https://dashboard.stripe.com/account/apikeys."),
		)
	})

	It("sends every answer with its length, large or small, success or error", func() {
		big := Do(emu.URL(), "POST", "/v1/customers", "description="+strings.Repeat("x", 4000))
		Expect(big.Status).To(Equal(200))
		Expect(big.Header.Get("Content-Length")).To(Equal(strconv.Itoa(len(big.Text))))
		Expect(big.Header.Get("Transfer-Encoding")).To(BeEmpty())
		missing := Do(emu.URL(), "GET", "/v1/customers/cus_nope", "")
		Expect(missing.Status).To(Equal(404))
		Expect(missing.Header.Get("Content-Length")).To(Equal(strconv.Itoa(len(missing.Text))))
	})

	Describe("Stripe-Version", func() {
		It("defaults to the pinned version and accepts basil versions", func() {
			r := Do(emu.URL(), "GET", "/v1/customers", "")
			Expect(r.Header.Get("Stripe-Version")).To(Equal("2025-08-27.basil"))
			r = Do(emu.URL(), "GET", "/v1/customers", "", "Stripe-Version", "2025-03-31.basil")
			Expect(r.Status).To(Equal(200))
		})
		It("refuses garbage", func() {
			r := Do(emu.URL(), "GET", "/v1/customers", "", "Stripe-Version", "yesterday")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["message"]).To(Equal("Invalid Stripe API version: yesterday"))
			r = Do(emu.URL(), "GET", "/v1/customers", "", "Stripe-Version", "2025-13-45.basil")
			Expect(r.Status).To(Equal(400), "no release is dated the 45th of a 13th month")
			Expect(r.Error()["message"]).To(Equal("Invalid Stripe API version: 2025-13-45.basil"))
		})
		It("refuses a beta header as Stripe refuses one the account may not use, naming the beta", func() {
			for _, v := range []string{"2025-08-27.basil; link_beta=v1", "2025-08-27.basil;link_beta=v1;other_beta=v2"} {
				r := Do(emu.URL(), "POST", "/v1/customers", "email=beta@example.com", "Stripe-Version", v)
				Expect(r.Status).To(Equal(400), v)
				Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
				Expect(r.Error()["message"]).To(Equal("Invalid Stripe API version: " + v + ". You do not have permission to pass this beta header: link_beta. If you have any questions, we can help at https://support.stripe.com/."))
			}
			Expect(emu.Count("", "customer")).To(BeZero())
		})
		It("answers an SDK pinned to another version in basil's shapes, and says so", func() {
			r := Do(emu.URL(), "POST", "/v1/customers", "email=clover@example.com", "Stripe-Version", "2025-09-30.clover")
			Expect(r.Status).To(Equal(200))
			Expect(r.Header.Get("Stripe-Version")).To(Equal("2025-08-27.basil"))
			Expect(r.Header.Get("Stripe-Emu-Warning")).To(Equal("Stripe-Version 2025-09-30.clover is answered in 2025-08-27.basil's shapes: stripe-emu renders the basil versions"))
			events := emu.Events("")
			Expect(events).NotTo(BeEmpty())
			created := events[len(events)-1]
			Expect(created["type"]).To(Equal("customer.created"))
			Expect(created["api_version"]).To(Equal("2025-08-27.basil"), "the event is in the shapes it shows")
			basil := Do(emu.URL(), "GET", "/v1/customers", "", "Stripe-Version", "2025-03-31.basil")
			Expect(basil.Header.Get("Stripe-Emu-Warning")).To(BeEmpty())
		})
		It("refuses other versions when the emulator is strict", func() {
			strict := emulator.Start(GinkgoT(), emulator.WithStrictAPIVersions())
			r := Do(strict.URL(), "POST", "/v1/customers", "email=clover@example.com", "Stripe-Version", "2025-09-30.clover")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["message"]).To(Equal("Stripe API version 2025-09-30.clover is not supported by this emulator: it renders the basil versions (2025-03-31.basil to 2025-08-27.basil)."))
			Expect(strict.Count("", "customer")).To(BeZero())
			Expect(Do(strict.URL(), "GET", "/v1/customers", "", "Stripe-Version", "2025-07-30.basil").Status).To(Equal(200))
		})
	})

	It("answers unknown routes with Stripe's 404", func() {
		r := Do(emu.URL(), "GET", "/v1/missing", "")
		Expect(r.Status).To(Equal(404))
		Expect(r.Error()["message"]).To(HavePrefix("Unrecognized request URL (GET: /v1/missing)."))
		Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
		r = Do(emu.URL(), "DELETE", "/v1/prices/price_123", "")
		Expect(r.Status).To(Equal(404), "Stripe has no DELETE for prices")
		r = Do(emu.URL(), "POST", "/v1/./customers", "")
		Expect(r.Status).To(Equal(404), "answered, not redirected to a cleaned path")
		Expect(r.Error()["message"]).To(HavePrefix("Unrecognized request URL (POST: /v1/./customers)."))
	})

	Describe("browsers (CORS)", func() {
		It("lets a page read every answer and the headers Stripe exposes, never cached", func() {
			for _, r := range []Raw{
				Do(emu.URL(), "GET", "/v1/customers", ""),
				Do(emu.URL(), "GET", "/v1/customers/cus_missing", ""),
				Do(emu.URL(), "GET", "/v1/missing", ""),
			} {
				Expect(r.Header.Get("Access-Control-Allow-Origin")).To(Equal("*"))
				Expect(r.Header.Get("Access-Control-Allow-Credentials")).To(Equal("true"))
				Expect(r.Header.Get("Access-Control-Allow-Methods")).To(Equal("GET,HEAD,PUT,PATCH,POST,DELETE"))
				Expect(r.Header.Get("Access-Control-Expose-Headers")).To(Equal("Request-Id, Stripe-Manage-Version, X-Stripe-External-Auth-Required, X-Stripe-Privileged-Session-Required"))
				Expect(r.Header.Get("Access-Control-Max-Age")).To(Equal("300"))
				Expect(r.Header.Get("Cache-Control")).To(Equal("no-cache, no-store"))
			}
		})
		It("answers a preflight (an official SDK in a browser sends one) instead of a 404", func() {
			r := Do(emu.URL(), "OPTIONS", "/v1/customers", "",
				"Origin", "http://localhost:3000", "Access-Control-Request-Method", "POST",
				"Access-Control-Request-Headers", "authorization,stripe-version,idempotency-key")
			Expect(r.Status).To(Equal(200))
			Expect(r.Text).To(BeEmpty())
			Expect(r.Header.Get("Access-Control-Allow-Origin")).To(Equal("*"))
			Expect(r.Header.Get("Access-Control-Allow-Methods")).To(Equal("GET,HEAD,PUT,PATCH,POST,DELETE"))
			Expect(r.Header.Get("Access-Control-Allow-Headers")).To(Equal("authorization,stripe-version,idempotency-key"))
			Expect(r.Header.Get("Request-Id")).To(HavePrefix("req_"))
			Expect(emu.Count("", "customer")).To(BeZero())
		})
	})

	It("sends an unknown route's 404 as JSON with a request id, as every other answer", func() {
		for _, method := range []string{"GET", "PUT"} {
			r := Do(emu.URL(), method, "/v1/missing", "")
			Expect(r.Status).To(Equal(404))
			Expect(r.Header.Get("Content-Type")).To(Equal("application/json"), method)
			id := r.Header.Get("Request-Id")
			Expect(id).To(HavePrefix("req_"), method)
			Expect(r.Error()["request_log_url"]).To(ContainSubstring(id))
		}
	})

	Describe("parameters", func() {
		It("names an unknown parameter, nested ones in full", func() {
			r := Do(emu.URL(), "POST", "/v1/customers", "email=a%40b.co&favourite_colour=blue")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["code"]).To(Equal("parameter_unknown"))
			Expect(r.Error()["param"]).To(Equal("favourite_colour"))
			Expect(r.Error()["message"]).To(Equal("Received unknown parameter: favourite_colour"))

			r = Do(emu.URL(), "POST", "/v1/customers", "address[planet]=mars")
			Expect(r.Error()["param"]).To(Equal("address[planet]"))
			Expect(emu.Count("", "customer")).To(BeZero())
		})
		It("refuses, by name, a parameter Stripe has but the emulator does not act on, keeping nothing", func() {
			cus := Do(emu.URL(), "POST", "/v1/customers", "email=a%40b.co").Body["id"].(string)
			price := Do(emu.URL(), "POST", "/v1/prices", "currency=usd&unit_amount=500&recurring[interval]=month&product_data[name]=Seat").Body["id"].(string)
			events := len(emu.Events(""))
			r := Do(emu.URL(), "POST", "/v1/subscriptions", "customer="+cus+"&items[0][price]="+price+"&payment_behavior=default_incomplete&billing_thresholds[amount_gte]=1000&billing_thresholds[reset_billing_cycle_anchor]=true")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
			Expect(r.Error()["param"]).To(Equal("billing_thresholds[reset_billing_cycle_anchor]"))
			Expect(r.Error()["message"]).To(ContainSubstring("does not emulate the parameter `billing_thresholds[reset_billing_cycle_anchor]` of POST /v1/subscriptions"))
			Expect(emu.Count("", "subscription")).To(BeZero())
			Expect(emu.Events("")).To(HaveLen(events))

			By("accepting parameters that change nothing observable in test mode")
			r = Do(emu.URL(), "POST", "/v1/customers", "email=a%40b.co&validate=false&tax[ip_address]=192.0.2.1")
			Expect(r.Status).To(Equal(200))
		})
		It("names a parameter of the wrong type", func() {
			r := Do(emu.URL(), "POST", "/v1/customers", "balance=lots")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["param"]).To(Equal("balance"))
			Expect(r.Error()["code"]).To(Equal("parameter_invalid_integer"))
		})
		It("names a missing required parameter", func() {
			r := Do(emu.URL(), "POST", "/v1/products", "description=nameless")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["code"]).To(Equal("parameter_missing"))
			Expect(r.Error()["param"]).To(Equal("name"))
			Expect(emu.Count("", "product")).To(BeZero())
		})
		It("answers a malformed body with a Stripe-shaped 400 and changes nothing", func() {
			for _, body := range []string{"email=%zz", "address[city=Paris", "a=1&a[b]=2"} {
				r := Do(emu.URL(), "POST", "/v1/customers", body)
				Expect(r.Status).To(Equal(400), body)
				Expect(r.Error()["type"]).To(Equal("invalid_request_error"), body)
			}
			Expect(emu.Count("", "customer")).To(BeZero())
		})
		It("holds metadata nested in another parameter to Stripe's limits too, keeping nothing", func() {
			long := strings.Repeat("k", 41)
			r := Do(emu.URL(), "POST", "/v1/products", "name=Hat&default_price_data[currency]=usd&default_price_data[unit_amount]=100&default_price_data[metadata]["+long+"]=v")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
			Expect(r.Error()["param"]).To(Equal("default_price_data[metadata][" + long + "]"))
			Expect(r.Error()["message"]).To(Equal("Metadata keys can have up to 40 characters, but the key '" + long + "' has 41 characters."))

			r = Do(emu.URL(), "POST", "/v1/products", "name=Hat&default_price_data[currency]=usd&default_price_data[unit_amount]=100&default_price_data[metadata][k]="+strings.Repeat("v", 501))
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["param"]).To(Equal("default_price_data[metadata][k]"))
			Expect(r.Error()["message"]).To(Equal("Metadata values can have up to 500 characters, but the value for key 'k' has 501 characters."))

			many := "name=Hat&default_price_data[currency]=usd&default_price_data[unit_amount]=100"
			for i := 0; i < 51; i++ {
				many += fmt.Sprintf("&default_price_data[metadata][k%d]=v", i)
			}
			r = Do(emu.URL(), "POST", "/v1/products", many)
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["param"]).To(Equal("default_price_data[metadata]"))
			Expect(r.Error()["message"]).To(Equal("Invalid metadata: metadata can have up to 50 keys, but you passed in 51 keys."))
			Expect(emu.Count("", "product")).To(BeZero())
			Expect(emu.Count("", "price")).To(BeZero())

			By("leaving other maps of strings, which are not metadata, alone")
			r = Do(emu.URL(), "POST", "/v1/billing/meters", "display_name=Calls&event_name=api_call&default_aggregation[formula]=sum")
			Expect(r.Status).To(Equal(200))
			r = Do(emu.URL(), "POST", "/v1/billing/meter_events", "event_name=api_call&payload[stripe_customer_id]=cus_x&payload[value]=1&payload["+long+"]=x")
			Expect(r.Text).NotTo(ContainSubstring("Metadata keys"))
		})
		It("counts metadata's limits in characters, as Stripe states them, not in bytes", func() {
			key, value := strings.Repeat("é", 40), strings.Repeat("日", 500)
			r := Do(emu.URL(), "POST", "/v1/customers", "metadata["+key+"]="+value)
			Expect(r.Status).To(Equal(200), r.Text)
			Expect(r.Body["metadata"]).To(HaveKeyWithValue(key, value))

			r = Do(emu.URL(), "POST", "/v1/customers", "metadata["+key+"é]=v")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["message"]).To(Equal("Metadata keys can have up to 40 characters, but the key '" + key + "é' has 41 characters."))
			r = Do(emu.URL(), "POST", "/v1/customers", "metadata[k]="+value+"日")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["message"]).To(Equal("Metadata values can have up to 500 characters, but the value for key 'k' has 501 characters."))
			Expect(emu.Count("", "customer")).To(Equal(1))
		})
		It("refuses an indexed array whose keys are not 0, 1, 2… in Stripe's words, keeping nothing", func() {
			r := Do(emu.URL(), "GET", "/v1/customers?expand[1]=data.default_source", "")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
			Expect(r.Error()["param"]).To(Equal("expand"))
			Expect(r.Error()["message"]).To(Equal("If passing an array with explicit keys (e.g. foo[0]=a&foo[1]=b) instead of as an array (e.g. foo[]=a&foo[]=b), the keys must be numeric and sequential starting from 0. You passed the keys `1`, we expected to have a key with the value `0`."))

			r = Do(emu.URL(), "POST", "/v1/customers", "preferred_locales[0]=en&preferred_locales[2]=fr")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["param"]).To(Equal("preferred_locales"))
			Expect(r.Error()["message"]).To(HaveSuffix("You passed the keys `0`, `2`, we expected to have a key with the value `1`."))
			r = Do(emu.URL(), "POST", "/v1/customers", "invoice_settings[custom_fields][a][name]=n&invoice_settings[custom_fields][a][value]=v")
			Expect(r.Status).To(Equal(400))
			Expect(r.Error()["param"]).To(Equal("invoice_settings[custom_fields]"))
			Expect(r.Error()["message"]).To(HaveSuffix("You passed the keys `a`, we expected to have a key with the value `0`."))
			Expect(emu.Count("", "customer")).To(BeZero())

			By("taking keys in any order, as long as none is missing")
			r = Do(emu.URL(), "POST", "/v1/customers", "preferred_locales[1]=fr&preferred_locales[0]=en")
			Expect(r.Status).To(Equal(200), r.Text)
			Expect(r.Body["preferred_locales"]).To(Equal([]any{"en", "fr"}))
		})
		It("refuses an oversize body", func() {
			r := Do(emu.URL(), "POST", "/v1/customers", "description="+strings.Repeat("x", 2<<20))
			Expect(r.Status).To(Equal(413))
			Expect(r.Error()["type"]).To(Equal("invalid_request_error"))
			Expect(emu.Count("", "customer")).To(BeZero())
		})
	})

	It("stamps every answer with a request id that the error body's log url repeats", func() {
		r := Do(emu.URL(), "GET", "/v1/customers/cus_missing", "")
		Expect(r.Status).To(Equal(404))
		id := r.Header.Get("Request-Id")
		Expect(id).To(MatchRegexp(`^req_[0-9A-Za-z]{14}$`))
		Expect(r.Error()["request_log_url"]).To(ContainSubstring(id))
		Expect(r.Error()["message"]).To(Equal("No such customer: 'cus_missing'"))
		Expect(r.Error()["doc_url"]).To(Equal("https://stripe.com/docs/error-codes/resource-missing"))
	})

	It("injects faults on chosen routes", func() {
		emu.Faults().Fail("POST", "/v1/customers", emulator.FaultRateLimit, 1)
		_, err := emu.Client().V1Customers.Create(Ctx, nil)
		se := StripeErr(err)
		Expect(se.HTTPStatusCode).To(Equal(429))
		Expect(se.Code).To(Equal(stripe.ErrorCodeRateLimit))
		_, err = emu.Client().V1Customers.Create(Ctx, nil)
		Expect(err).NotTo(HaveOccurred(), "only the next request was hit")
	})

	It("advises a retry of an injected lock timeout, as Stripe does", func() {
		emu.Faults().Fail("POST", "/v1/customers", emulator.FaultLockTimeout, 1)
		r := Do(emu.URL(), "POST", "/v1/customers", "email=a%40example.com")
		Expect(r.Status).To(Equal(429))
		Expect(r.Error()["code"]).To(Equal("lock_timeout"))
		Expect(r.Header.Get("Stripe-Should-Retry")).To(Equal("true"))
		Expect(emu.Count("", "customer")).To(BeZero(), "the endpoint never ran")
	})

	It("loses an answer after the request ran, which a retry under its key replays", func() {
		emu.Faults().Fail("POST", "/v1/customers", emulator.FaultDropAnswer, 1)
		create := func() (*stripe.Customer, error) {
			p := &stripe.CustomerCreateParams{Email: stripe.String("lost@example.com")}
			p.SetIdempotencyKey("lost-answer-1")
			return emu.Client().V1Customers.Create(Ctx, p)
		}
		_, err := create()
		Expect(err).To(HaveOccurred(), "the connection closed without an answer")
		Expect(emu.Count("", "customer")).To(Equal(1), "but the customer was made")
		again, err := create()
		Expect(err).NotTo(HaveOccurred())
		Expect(again.LastResponse.Header.Get("Idempotent-Replayed")).To(Equal("true"))
		Expect(emu.Count("", "customer")).To(Equal(1))
	})
})
