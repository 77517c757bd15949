//go:build gitops

package gitops

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/tenancy"
)

var kustomizationGVK = schema.GroupVersionKind{Group: "kustomize.toolkit.fluxcd.io", Version: "v1", Kind: "Kustomization"}

var (
	kustomizationKey = client.ObjectKey{Namespace: "flux-system", Name: "krz"}
	fleetKey         = client.ObjectKey{Namespace: "krz", Name: "krz"}
)

// fluxStatus is what the check reads of the Kustomization's status.
type fluxStatus struct {
	ObservedGeneration    int64              `json:"observedGeneration"`
	LastAppliedRevision   string             `json:"lastAppliedRevision"`
	LastAttemptedRevision string             `json:"lastAttemptedRevision"`
	Conditions            []metav1.Condition `json:"conditions"`
}

func (s fluxStatus) ready() *metav1.Condition { return meta.FindStatusCondition(s.Conditions, "Ready") }

// readyAt tells whether the Kustomization is Ready with revision applied.
func (s fluxStatus) readyAt(revision string) bool {
	c := s.ready()
	return c != nil && c.Status == metav1.ConditionTrue && s.LastAppliedRevision == revision
}

// failedAt returns the Ready message once applying revision failed.
func (s fluxStatus) failedAt(revision string) (string, bool) {
	c := s.ready()
	if c == nil || c.Status != metav1.ConditionFalse || s.LastAttemptedRevision != revision {
		return "", false
	}
	return c.Message, true
}

func kustomization(g Gomega) fluxStatus {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(kustomizationGVK)
	g.Expect(k8sClient.Get(ctx, kustomizationKey, u)).To(Succeed())
	var s fluxStatus
	if raw, ok := u.Object["status"]; ok {
		data, err := json.Marshal(raw)
		g.Expect(err).NotTo(HaveOccurred())
		g.Expect(json.Unmarshal(data, &s)).To(Succeed())
	}
	return s
}

// report prints the Kustomization's conditions after a commit, as the
// issue asks: what a provider sees in `flux get kustomizations`.
func report(step string) {
	s := kustomization(Default)
	fmt.Fprintf(GinkgoWriter, "\n--- Kustomization %s after %s: lastAppliedRevision %s, lastAttemptedRevision %s\n",
		kustomizationKey, step, s.LastAppliedRevision, s.LastAttemptedRevision)
	for _, c := range s.Conditions {
		fmt.Fprintf(GinkgoWriter, "    %-12s %-7s %-24s %s\n", c.Type, c.Status, c.Reason, c.Message)
	}
	f, _ := fleet(Default)
	if f != nil {
		fmt.Fprintf(GinkgoWriter, "    fleet %s: %d portals, %d Ready, %d published, %d updated, versions %v\n",
			fleetKey, f.Status.Portals, f.Status.ReadyPortals, f.Status.PublishedPortals, f.Status.UpdatedPortals, f.Status.Versions)
	}
}

// fleet returns the krz fleet, nil while Flux has not applied it.
func fleet(g Gomega) (*ozgv1.PortalFleet, bool) {
	f := &ozgv1.PortalFleet{}
	err := k8sClient.Get(ctx, fleetKey, f)
	if apierrors.IsNotFound(err) {
		return nil, false
	}
	g.Expect(err).NotTo(HaveOccurred())
	return f, true
}

// rolledOut tells whether f has reported its current spec done: n
// portals, all Ready and running the template.
func rolledOut(f *ozgv1.PortalFleet, n int32) bool {
	return f != nil && f.Status.ObservedGeneration == f.Generation &&
		meta.IsStatusConditionTrue(f.Status.Conditions, ozgv1.ReadyCondition) &&
		f.Status.Portals == n && f.Status.ReadyPortals == n && f.Status.UpdatedPortals == n
}

func describeFleet(f *ozgv1.PortalFleet) string {
	if f == nil {
		return "no fleet"
	}
	c := meta.FindStatusCondition(f.Status.Conditions, ozgv1.ReadyCondition)
	ready := "no Ready condition"
	if c != nil {
		ready = fmt.Sprintf("Ready %s %s: %s", c.Status, c.Reason, c.Message)
	}
	return fmt.Sprintf("generation %d observed %d, %d portals, %d Ready, %d updated; %s",
		f.Generation, f.Status.ObservedGeneration, f.Status.Portals, f.Status.ReadyPortals, f.Status.UpdatedPortals, ready)
}

// waitReadyAfterFleet waits until the Kustomization is Ready with
// revision, and fails at once if it is Ready while the fleet has not
// rolled out its n portals: "Ready" must mean the fleet is.
func waitReadyAfterFleet(revision string, n int32, generationAbove int64) {
	Eventually(func(g Gomega) {
		s := kustomization(g)
		f, _ := fleet(g)
		if !s.readyAt(revision) {
			g.Expect(s.readyAt(revision)).To(BeTrue(), "the Kustomization is not Ready with %s yet: %+v", revision, s.ready())
			return
		}
		if !rolledOut(f, n) || f.Generation <= generationAbove {
			StopTrying(fmt.Sprintf("the Kustomization is Ready with %s, but the fleet is not rolled out: %s", revision, describeFleet(f))).Now()
		}
	}).Should(Succeed())
}

// onlinePortals counts the fleet's portals that are published and Ready.
func onlinePortals() int {
	var list ozgv1.ServicePortalList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(fleetKey.Namespace), client.MatchingLabels{ozgv1.LabelFleet: fleetKey.Name})).To(Succeed())
	n := 0
	for _, p := range list.Items {
		if meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.ReadyCondition) && meta.IsStatusConditionTrue(p.Status.Conditions, ozgv1.PublishedCondition) {
			n++
		}
	}
	return n
}

// waveTimes returns, for each Kreis key, the earliest and the latest time
// the fleet gave one of its portals the template (the portals'
// ozg.dev/updated-at, to the second): waves are rolled out one after the
// other when each wave's earliest is not before the previous one's latest.
// (The fleet's WaveStarted/WaveFinished events say the same, but events are
// folded and rate-limited by the recorder: not a record to assert on.)
func waveTimes(kreisOf map[string]string) map[string][2]time.Time {
	var list ozgv1.ServicePortalList
	Expect(k8sClient.List(ctx, &list, client.InNamespace(fleetKey.Namespace), client.MatchingLabels{ozgv1.LabelFleet: fleetKey.Name})).To(Succeed())
	times := map[string][2]time.Time{}
	for _, p := range list.Items {
		at, err := time.Parse(time.RFC3339, p.Annotations[rollout.UpdatedAtAnnotation])
		Expect(err).NotTo(HaveOccurred(), "portal %s", p.Name)
		kreis := kreisOf[p.Labels[ozgv1.LabelAdministration]]
		t, seen := times[kreis]
		if !seen || at.Before(t[0]) {
			t[0] = at
		}
		if !seen || at.After(t[1]) {
			t[1] = at
		}
		times[kreis] = t
	}
	return times
}

// applyFluxObjects applies the GitRepository and Kustomization we
// recommend (config/gitops/flux), pointed at the check's repository and
// with intervals for a check rather than for production.
func applyFluxObjects() {
	data, err := os.ReadFile(fluxObjects)
	Expect(err).NotTo(HaveOccurred())
	ns := &corev1.Namespace{TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"}, ObjectMeta: metav1.ObjectMeta{Name: "flux-system"}}
	Expect(client.IgnoreAlreadyExists(k8sClient.Create(ctx, ns))).To(Succeed())
	for _, doc := range bytes.Split(data, []byte("\n---\n")) {
		u := &unstructured.Unstructured{}
		Expect(yaml.Unmarshal(doc, &u.Object)).To(Succeed())
		switch u.GetKind() {
		case "GitRepository":
			Expect(unstructured.SetNestedField(u.Object, repoURL, "spec", "url")).To(Succeed())
			Expect(unstructured.SetNestedField(u.Object, "5s", "spec", "interval")).To(Succeed())
		case "Kustomization":
			Expect(unstructured.SetNestedField(u.Object, "10s", "spec", "retryInterval")).To(Succeed())
			Expect(unstructured.SetNestedField(u.Object, "5m", "spec", "timeout")).To(Succeed())
		default:
			Fail("unexpected object in " + fluxObjects + ": " + u.GetKind())
		}
		Expect(k8sClient.Apply(ctx, client.ApplyConfigurationFromUnstructured(u), client.FieldOwner("ozg-gitops-check"), client.ForceOwnership)).To(Succeed())
	}
}

var _ = Describe("Flux runs the krz fleet from Git", Ordered, func() {
	var (
		repo      repository
		docs      map[string][]byte
		adms      []ozgv1.Administration
		published []string
	)
	BeforeAll(func() {
		repo = repository{dir: worktree}
		docs, adms = importedAdministrations()
		Expect(adms).To(HaveLen(36), "the krz has 36 municipalities")
		published = publishedOf(adms)
	})

	It("1. first sync: the Kustomization is Ready only once the fleet is (36 portals, 16 online)", func() {
		repo.write(fileNamespace, namespaceYAML())
		repo.write(fileCatalogue, run(ozgctl, "import", "catalog", "--dir", dataDir+"/ozg-katalog", "-o", "yaml"))
		profileYAML, err := os.ReadFile(profile)
		Expect(err).NotTo(HaveOccurred())
		repo.write(fileProfile, profileYAML)
		for name, doc := range docs {
			repo.write(administrationFile(name), doc)
		}
		repo.write(fileFleet, fleetYAML(fleetSpec{version: "1.4.0", published: published}))
		revision := repo.commit("krz: the OZG catalogue, the NRW profile, 36 administrations and their fleet")
		applyFluxObjects()

		// Flux applied the fleet and waits for it: seen at least once, or
		// the check proves nothing about waiting.
		waited := false
		Eventually(func(g Gomega) {
			s := kustomization(g)
			f, applied := fleet(g)
			if applied && !rolledOut(f, 36) && !s.readyAt(revision) {
				waited = true
			}
			g.Expect(s.readyAt(revision)).To(BeTrue(), "the Kustomization is not Ready yet: %+v", s.ready())
			if !rolledOut(f, 36) {
				StopTrying("the Kustomization became Ready before the fleet: " + describeFleet(f)).Now()
			}
		}).Should(Succeed())
		Expect(waited).To(BeTrue(), "the Kustomization was never seen waiting for the fleet")
		f, _ := fleet(Default)
		Expect(f.Status.PublishedPortals).To(Equal(int32(16)))
		Expect(onlinePortals()).To(Equal(16))
		report("commit 1 (first sync)")
	})

	It("2. a new portal version: Flux applies it, the fleet rolls out Kreis by Kreis, Ready again when done", func() {
		before, _ := fleet(Default)
		repo.write(fileFleet, fleetYAML(fleetSpec{version: "1.5.0", published: published}))
		revision := repo.commit("krz: portal version 1.5.0")
		waitReadyAfterFleet(revision, 36, before.Generation)
		f, _ := fleet(Default)
		Expect(f.Status.Versions).To(Equal([]ozgv1.VersionCount{{Version: "1.5.0", Count: 36}}))
		kreisOf := map[string]string{}
		for _, a := range adms {
			kreisOf[a.Name] = a.Labels[ozgv1.LabelKreis]
		}
		times := waveTimes(kreisOf)
		waves := []string{"05766", "05758", "05770"} // Lippe, Herford, Minden-Lübbecke, as fleet.yaml orders them
		for i := 1; i < len(waves); i++ {
			Expect(times[waves[i]][0]).NotTo(BeTemporally("<", times[waves[i-1]][1]),
				"a portal of Kreis %s got the template before the wave of %s was done: %v", waves[i], waves[i-1], times)
		}
		Expect(times[waves[2]][0]).To(BeTemporally(">", times[waves[0]][1]), "the three waves went at once: %v", times)
		fmt.Fprintf(GinkgoWriter, "waves (first and last portal updated): Lippe %s-%s, Herford %s-%s, Minden-Lübbecke %s-%s\n",
			times[waves[0]][0].Format(time.TimeOnly), times[waves[0]][1].Format(time.TimeOnly),
			times[waves[1]][0].Format(time.TimeOnly), times[waves[1]][1].Format(time.TimeOnly),
			times[waves[2]][0].Format(time.TimeOnly), times[waves[2]][1].Format(time.TimeOnly))
		report("commit 2 (version 1.5.0)")
	})

	It("3. an object the CRDs refuse: Flux reports the API server's message and touches nothing", func() {
		before, _ := fleet(Default)
		// A new municipality with a mistyped AGS (7 digits), in the same
		// commit as a version bump that must not be applied either.
		typo := ozgv1.Administration{
			TypeMeta:   metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "Administration"},
			ObjectMeta: metav1.ObjectMeta{Name: "kalletal-neu", Labels: map[string]string{ozgv1.LabelITProvider: "krz", ozgv1.LabelKreis: "05766"}},
			Spec: ozgv1.AdministrationSpec{
				Key: "0576602", DisplayName: "Kalletal", Type: ozgv1.TypeKreisangehoerigeGemeinde, Parent: "kreis-lippe",
			},
		}
		repo.write(administrationFile(typo.Name), marshal(&typo))
		repo.write(fileFleet, fleetYAML(fleetSpec{version: "1.6.0", published: published}))
		revision := repo.commit("krz: Kalletal (mistyped AGS) and portal version 1.6.0")
		const celMessage = "key must have 5 digits for a Kreis and 8 digits (AGS) for a municipality"
		Eventually(func(g Gomega) {
			message, failed := kustomization(g).failedAt(revision)
			g.Expect(failed).To(BeTrue(), "applying %s has not failed yet", revision)
			g.Expect(message).To(And(ContainSubstring("Administration/kalletal-neu"), ContainSubstring(celMessage)))
		}).Should(Succeed())
		f, _ := fleet(Default)
		Expect(f.Generation).To(Equal(before.Generation), "the fleet was changed")
		Expect(f.Spec.Template.Version).To(Equal("1.5.0"))
		Expect(rolledOut(f, 36)).To(BeTrue(), describeFleet(f))
		Expect(apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Name: typo.Name}, &ozgv1.Administration{}))).To(BeTrue(),
			"the refused administration exists")
		Expect(kustomization(Default).LastAppliedRevision).NotTo(Equal(revision))
		report("commit 3 (an object the CRDs refuse)")
	})

	It("4. a rollout that stalls: Flux reports the failed health check, naming the fleet", func() {
		repo.remove(administrationFile("kalletal-neu"))
		// Version 1.6.0 asks for more CPU than any node has: its portals
		// never become Ready, and the fleet's progress deadline runs out.
		repo.write(fileFleet, fleetYAML(fleetSpec{version: "1.6.0", published: published, cpu: "64"}))
		revision := repo.commit("krz: portal version 1.6.0, with a CPU request no node can meet")
		Eventually(func(g Gomega) {
			message, failed := kustomization(g).failedAt(revision)
			g.Expect(failed).To(BeTrue(), "applying %s has not failed yet", revision)
			g.Expect(message).To(ContainSubstring("PortalFleet/krz/krz"))
		}).Should(Succeed())
		f, _ := fleet(Default)
		stalled := meta.FindStatusCondition(f.Status.Conditions, ozgv1.StalledCondition)
		Expect(stalled).NotTo(BeNil())
		Expect(stalled.Status).To(Equal(metav1.ConditionTrue))
		Expect(stalled.Reason).To(Equal(ozgv1.EventProgressDeadlineExceeded))
		report("commit 4 (a rollout that stalls)")
	})

	It("5. an administration removed from Git: pruned with its portal, and the fleet's counts follow", func() {
		before, _ := fleet(Default)
		var gone string
		for _, a := range adms {
			if !slices.Contains(published, a.Name) {
				gone = a.Name
				break
			}
		}
		repo.remove(administrationFile(gone))
		repo.write(fileFleet, fleetYAML(fleetSpec{version: "1.6.0", published: published}))
		revision := repo.commit(fmt.Sprintf("krz: %s leaves the krz; portal version 1.6.0 as it should be", gone))
		waitReadyAfterFleet(revision, 35, before.Generation)
		Expect(apierrors.IsNotFound(k8sClient.Get(ctx, client.ObjectKey{Name: gone}, &ozgv1.Administration{}))).To(BeTrue(),
			"the administration removed from Git was not pruned")
		var portals ozgv1.ServicePortalList
		Expect(k8sClient.List(ctx, &portals, client.InNamespace(fleetKey.Namespace), client.MatchingLabels{ozgv1.LabelAdministration: gone})).To(Succeed())
		Expect(portals.Items).To(BeEmpty(), "the portal of %s is still there", gone)
		f, _ := fleet(Default)
		Expect(f.Status.Portals).To(Equal(int32(35)))
		Expect(f.Status.PublishedPortals).To(Equal(int32(16)))
		Expect(onlinePortals()).To(Equal(16))
		report(fmt.Sprintf("commit 5 (%s removed from Git)", gone))
	})

	It("6. tenancy: a commit applied as krz's ServiceAccount that edits a regio iT municipality is refused, nothing of regio iT changes", func() {
		// What a cluster admin sets up for two providers (docs/tenancy.md):
		// the roles and admission policies, krz's Flux account, and a
		// municipality of regio iT.
		Expect(tenancy.Install(ctx, k8sClient, map[string]string{"krz.accounts": "system:serviceaccount:krz:flux-applier"})).To(Succeed())
		applier := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "flux-applier", Namespace: fleetKey.Namespace}}
		Expect(k8sClient.Create(ctx, applier)).To(Succeed())
		Expect(tenancy.SetUpProvider(ctx, k8sClient, fleetKey.Namespace, tenancy.ServiceAccount(applier.Namespace, applier.Name))).To(Succeed())
		aachen := &ozgv1.Administration{
			ObjectMeta: metav1.ObjectMeta{Name: "aachen", Labels: map[string]string{ozgv1.LabelITProvider: "regio-it"}},
			Spec:       ozgv1.AdministrationSpec{Key: "05334002", DisplayName: "Aachen", Type: ozgv1.TypeKreisangehoerigeStadt},
		}
		Expect(k8sClient.Create(ctx, aachen)).To(Succeed())
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(aachen), aachen)).To(Succeed())

		// krz's Kustomization as config/gitops/flux/tenants.yaml has it:
		// in its namespace, applied as its ServiceAccount.
		tenant := &unstructured.Unstructured{}
		tenant.SetGroupVersionKind(kustomizationGVK)
		tenant.SetNamespace(fleetKey.Namespace)
		tenant.SetName("krz-tenant")
		Expect(unstructured.SetNestedMap(tenant.Object, map[string]any{
			"serviceAccountName": applier.Name,
			"sourceRef":          map[string]any{"kind": "GitRepository", "name": kustomizationKey.Name, "namespace": kustomizationKey.Namespace},
			"path":               "./tenant", "interval": "10m", "retryInterval": "10s", "prune": true, "timeout": "1m",
		}, "spec")).To(Succeed())

		edited := aachen.DeepCopy()
		edited.TypeMeta = metav1.TypeMeta{APIVersion: ozgv1.GroupVersion.String(), Kind: "Administration"}
		edited.ObjectMeta = metav1.ObjectMeta{Name: aachen.Name, Labels: aachen.Labels}
		edited.Spec.DisplayName = "Aachen (by krz)"
		repo.write("tenant/aachen.yaml", marshal(edited))
		revision := repo.commit("krz: edit regio iT's Aachen")
		Expect(k8sClient.Create(ctx, tenant)).To(Succeed())

		key := client.ObjectKeyFromObject(tenant)
		const refused = "Administration aachen belongs to IT provider regio-it: only its group ozg.dev:provider:regio-it and its accounts may change it, not system:serviceaccount:krz:flux-applier"
		Eventually(func(g Gomega) {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(kustomizationGVK)
			g.Expect(k8sClient.Get(ctx, key, u)).To(Succeed())
			conditions, _, _ := unstructured.NestedSlice(u.Object, "status", "conditions")
			attempted, _, _ := unstructured.NestedString(u.Object, "status", "lastAttemptedRevision")
			g.Expect(attempted).To(Equal(revision))
			g.Expect(conditions).To(ContainElement(And(
				HaveKeyWithValue("type", "Ready"), HaveKeyWithValue("status", "False"),
				HaveKeyWithValue("message", ContainSubstring(refused)))))
			fmt.Fprintf(GinkgoWriter, "\n--- Kustomization %s after commit 6: %v\n", key, conditions)
		}).Should(Succeed())
		after := &ozgv1.Administration{}
		Expect(k8sClient.Get(ctx, client.ObjectKeyFromObject(aachen), after)).To(Succeed())
		// Its status is the operator's to write; its spec and labels stayed.
		Expect(after.Generation).To(Equal(aachen.Generation), "regio iT's Aachen was changed")
		Expect(after.Spec.DisplayName).To(Equal("Aachen"))
		Expect(after.Labels).To(Equal(aachen.Labels))
	})
})
