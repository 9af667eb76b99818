package webhooks_test

import (
	"fmt"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/stripe-emu/stripe-emu/emulator"
	. "github.com/stripe-emu/stripe-emu/specs/support"
)

var _ = Describe("The control surface's clock refusing bad input", Label("control"), func() {
	var emu *emulator.Emulator
	BeforeEach(func() { emu = Emulator() })

	It("applies nothing of a request it refuses", func() {
		emu.Clock().Freeze()
		before := emu.Clock().Unix()
		r := ctl(emu.URL(), "POST", "/_emu/clock", `{"freeze": false, "set": 1900000000, "advance": -5}`)
		Expect(r["_status"]).To(BeNumerically("==", 400))
		Expect(emu.Clock().Frozen()).To(BeTrue())
		Expect(emu.Clock().Unix()).To(Equal(before))
	})

	It("refuses a time it cannot keep: before 1970, or past the year 2200 by set or advance", func() {
		emu.Clock().Freeze()
		before := emu.Clock().Unix()
		for _, body := range []string{`{"set": -1}`, `{"set": 9999999999999}`, `{"advance": "100000d"}`, `{"advance": "106751d"}`, `{"advance": 1e10}`} {
			r := ctl(emu.URL(), "POST", "/_emu/clock", body)
			Expect(r["_status"]).To(BeNumerically("==", 400), body)
			Expect(r["error"]).To(HaveKeyWithValue("type", "invalid_request_error"), body)
			Expect(emu.Clock().Unix()).To(Equal(before), body)
		}
		By("moving it as far as a test needs")
		r := ctl(emu.URL(), "POST", "/_emu/clock", `{"advance": "3650d"}`)
		Expect(r["_status"]).To(BeNumerically("==", 200))
		Expect(r["now"]).To(BeNumerically("==", before+3650*86400))
		r = ctl(emu.URL(), "POST", "/_emu/clock", fmt.Sprintf(`{"set": %d}`, before))
		Expect(r["now"]).To(BeNumerically("==", before))
	})
})
