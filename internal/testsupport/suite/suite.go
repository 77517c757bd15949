// Package suite runs a package's Ginkgo specs the way every suite of the
// repository does.
package suite

import (
	"testing"
	"time"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/gomega"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
)

// Timing is how long Eventually and Consistently wait by default and how
// often they poll; zero keeps Gomega's default.
type Timing struct {
	Eventually, Consistently, Polling time.Duration
}

// Run runs the Ginkgo specs of t's package as the suite name. The
// controller-runtime log goes to GinkgoWriter, which Ginkgo shows for
// failed specs only.
func Run(t *testing.T, name string, timing Timing) {
	gomega.RegisterFailHandler(ginkgo.Fail)
	logf.SetLogger(zap.New(zap.WriteTo(ginkgo.GinkgoWriter), zap.UseDevMode(true)))
	if timing.Eventually > 0 {
		gomega.SetDefaultEventuallyTimeout(timing.Eventually)
	}
	if timing.Consistently > 0 {
		gomega.SetDefaultConsistentlyDuration(timing.Consistently)
	}
	if timing.Polling > 0 {
		gomega.SetDefaultEventuallyPollingInterval(timing.Polling)
		gomega.SetDefaultConsistentlyPollingInterval(timing.Polling)
	}
	ginkgo.RunSpecs(t, name)
}
