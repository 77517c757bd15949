package faults

import (
	"strings"

	. "github.com/onsi/gomega"
	coordinationv1 "k8s.io/api/coordination/v1"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// leaseName is the manager's LeaderElectionID (cmd/manager).
const leaseName = "ozg-operator.ozg.dev"

// acquiredLease is what client-go's leader election logs when it becomes
// leader. Both replicas run on this host, so their identities
// (hostname_uuid) tell them apart only once one is known to be a
// process's: the log line ties the Lease to the process.
const acquiredLease = "Successfully acquired lease"

// lease is who holds the leader election Lease of a namespace.
type lease struct {
	holder      string
	transitions int32
	// durationSeconds is the lease duration its holder asked for.
	durationSeconds int32
}

func getLease(g Gomega, namespace string) lease {
	l := &coordinationv1.Lease{}
	g.Expect(k8sClient.Get(ctx, client.ObjectKey{Namespace: namespace, Name: leaseName}, l)).To(Succeed())
	return lease{holder: ptr.Deref(l.Spec.HolderIdentity, ""), transitions: ptr.Deref(l.Spec.LeaseTransitions, 0),
		durationSeconds: ptr.Deref(l.Spec.LeaseDurationSeconds, 0)}
}

// leads reports whether the manager's log says it acquired the Lease.
func (m *managerProcess) leads() bool {
	return strings.Contains(m.Log(), acquiredLease)
}
