//go:build gitops

package gitops

import (
	"context"
	"os"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
)

// What hack/gitops.sh gives the check.
var (
	// worktree is a clone of the repository Flux fetches; a push to its
	// origin is a commit Flux sees.
	worktree = os.Getenv("OZG_GITOPS_WORKTREE")
	// repoURL is where Flux's GitRepository fetches it.
	repoURL = os.Getenv("OZG_GITOPS_URL")
	// dataDir holds the catalogue and the administrations (../shared/data).
	dataDir = os.Getenv("OZG_DATA")
	// ozgctl writes what the repository holds, as a provider would.
	ozgctl = os.Getenv("OZGCTL")
	// profile is the NRW responsibility profile shipped with the project.
	profile = os.Getenv("OZG_PROFILE")
	// fluxObjects are the GitRepository and Kustomization we recommend.
	fluxObjects = os.Getenv("OZG_FLUX_OBJECTS")
)

var (
	ctx       context.Context
	k8sClient client.Client
)

func TestGitOps(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "GitOps with Flux")
}

var _ = BeforeSuite(func() {
	for name, v := range map[string]string{
		"OZG_GITOPS_WORKTREE": worktree, "OZG_GITOPS_URL": repoURL, "OZG_DATA": dataDir,
		"OZGCTL": ozgctl, "OZG_PROFILE": profile, "OZG_FLUX_OBJECTS": fluxObjects,
	} {
		Expect(v).NotTo(BeEmpty(), "%s is not set: run the check with make gitops-check", name)
	}
	ctx = context.Background()
	scheme := runtime.NewScheme()
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(ozgv1.AddToScheme(scheme)).To(Succeed())
	var err error
	k8sClient, err = client.New(ctrl.GetConfigOrDie(), client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	// Flux and a rollout of 36 portals take their time; polling is cheap.
	SetDefaultEventuallyTimeout(5 * time.Minute)
	SetDefaultEventuallyPollingInterval(250 * time.Millisecond)
})
