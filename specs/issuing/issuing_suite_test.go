package issuing_test

import (
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

func TestIssuing(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Issuing: cardholders, cards, authorizations, transactions, disputes, designs and the Issuing balance")
}
