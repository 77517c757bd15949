package faults

import (
	"io"
	"net/http"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ozg-operator/ozg-operator/internal/testsupport/managerproc"
)

// The profiler is not a fault; it is here because this suite runs the
// manager binary with its flags.
var _ = Describe("Profiler", func() {
	It("serves pprof on --profiler-address", func() {
		addr, err := managerproc.FreeAddr()
		Expect(err).NotTo(HaveOccurred())
		startManager("profiled", managerOptions{args: []string{"--profiler-address=" + addr}})
		Eventually(func(g Gomega) {
			resp, err := http.Get("http://" + addr + "/debug/pprof/goroutine?debug=1")
			g.Expect(err).NotTo(HaveOccurred())
			defer resp.Body.Close()
			g.Expect(resp.StatusCode).To(Equal(http.StatusOK))
			body, err := io.ReadAll(resp.Body)
			g.Expect(err).NotTo(HaveOccurred())
			// The reconcilers' workers are running in this process.
			g.Expect(string(body)).To(ContainSubstring("sigs.k8s.io/controller-runtime/pkg/internal/controller"))
		}).Should(Succeed())
	})
})
