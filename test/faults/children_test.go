package faults

import (
	"fmt"
	"sort"

	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/controllers"
)

// childKind is one kind of a portal's children and how many of it a
// portal should have (controllers/serviceportal_controller.go applyChildren).
type childKind struct {
	name string
	// obj and list are empty objects of the kind, to delete and list into.
	obj  client.Object
	list client.ObjectList
	want func(*ozgv1.ServicePortal) int
}

func one(*ozgv1.ServicePortal) int { return 1 }

func oneIf(b bool) int {
	if b {
		return 1
	}
	return 0
}

var childKinds = []childKind{
	{"ConfigMap", &corev1.ConfigMap{}, &corev1.ConfigMapList{}, one},
	{"Deployment", &appsv1.Deployment{}, &appsv1.DeploymentList{}, one},
	{"Service", &corev1.Service{}, &corev1.ServiceList{}, one},
	{"NetworkPolicy", &networkingv1.NetworkPolicy{}, &networkingv1.NetworkPolicyList{}, one},
	{"Ingress", &networkingv1.Ingress{}, &networkingv1.IngressList{}, func(p *ozgv1.ServicePortal) int {
		return oneIf(p.Spec.Publish)
	}},
	{"PodDisruptionBudget", &policyv1.PodDisruptionBudget{}, &policyv1.PodDisruptionBudgetList{}, func(p *ozgv1.ServicePortal) int {
		return oneIf(ptr.Deref(p.Spec.Replicas, 1) > 1)
	}},
}

// childProblems lists the ways the namespace's children differ from
// exactly the set each portal should have: a missing or duplicated child
// (counted by controller reference), a child that no existing portal
// controls (an orphan, including one whose owner reference names a portal
// that was deleted and recreated), and a child not named after its portal.
func childProblems(g Gomega, namespace string, portals []ozgv1.ServicePortal) []string {
	byUID := map[types.UID]*ozgv1.ServicePortal{}
	for i := range portals {
		byUID[portals[i].UID] = &portals[i]
	}
	// Wrong counts come first: they say most.
	var counts, problems []string
	catalogs := 0
	for _, kind := range childKinds {
		g.Expect(k8sClient.List(ctx, kind.list, client.InNamespace(namespace))).To(Succeed())
		items, err := meta.ExtractList(kind.list)
		g.Expect(err).NotTo(HaveOccurred())
		perPortal := map[types.UID]int{}
		for _, item := range items {
			obj := item.(client.Object)
			if kind.name == "ConfigMap" && obj.GetName() == "kube-root-ca.crt" {
				// kube-controller-manager publishes it into every namespace
				// (not under envtest, which does not run it).
				continue
			}
			if kind.name == "ConfigMap" && obj.GetName() == controllers.CatalogConfigMapName {
				// The namespace's shared catalogue belongs to no portal:
				// one per namespace with portals, none without.
				catalogs++
				continue
			}
			owner := metav1.GetControllerOf(obj)
			switch {
			case owner == nil:
				problems = append(problems, fmt.Sprintf("%s %s has no controller", kind.name, obj.GetName()))
			case byUID[owner.UID] == nil:
				problems = append(problems, fmt.Sprintf("%s %s is controlled by %s %s (%s), which does not exist",
					kind.name, obj.GetName(), owner.Kind, owner.Name, owner.UID))
			default:
				perPortal[owner.UID]++
				if obj.GetName() != byUID[owner.UID].Name {
					problems = append(problems, fmt.Sprintf("%s %s is not named after its portal %s", kind.name, obj.GetName(), owner.Name))
				}
			}
		}
		for uid, p := range byUID {
			if got, want := perPortal[uid], kind.want(p); got != want {
				counts = append(counts, fmt.Sprintf("portal %s has %d %s, want %d", p.Name, got, kind.name, want))
			}
		}
	}
	if want := oneIf(len(portals) > 0); catalogs != want {
		counts = append(counts, fmt.Sprintf("the namespace has %d ConfigMaps %s, want %d", catalogs, controllers.CatalogConfigMapName, want))
	}
	sort.Strings(counts)
	sort.Strings(problems)
	problems = append(counts, problems...)
	// One broken rule tends to break for every portal; twenty make the point.
	if len(problems) > 20 {
		problems = append(problems[:20], fmt.Sprintf("... and %d more", len(problems)-20))
	}
	return problems
}
