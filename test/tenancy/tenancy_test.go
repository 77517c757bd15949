// Package tenancy tests the roles and admission policies of
// config/tenancy against a real API server, as the people of two IT
// providers, a catalogue maintainer, a viewer and a stranger
// (impersonation: the API server authorizes and admits each request as
// theirs).
package tenancy

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onsi/gomega"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/managerproc"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/monitoring"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/tenancy"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// tenancyCluster starts an API server for the test with the tenancy
// objects installed (installTenancy); admin is its cluster admin.
func tenancyCluster(t *testing.T) (*testenv.Cluster, client.Client) {
	t.Helper()
	cluster := testenv.ForTest(t, testenv.Options{})
	installTenancy(t, cluster.Client)
	return cluster, cluster.Client
}

// installTenancy installs the tenancy objects of config/default, with
// the domains of krz and regio-it and krz's Flux account.
func installTenancy(t *testing.T, c client.Client) {
	t.Helper()
	must(t, tenancy.Install(context.Background(), c, map[string]string{
		"krz.domains": "serviceportal.krz.example.de, krz.example.de", "regio-it.domains": "regioit.example.de",
		"krz.accounts": "system:serviceaccount:krz:flux-applier"}))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// person is someone the tests act as.
type person struct {
	name   string
	groups []string
	c      client.Client
}

func as(t *testing.T, cluster *testenv.Cluster, name string, groups ...string) *person {
	t.Helper()
	cfg := rest.CopyConfig(cluster.Config)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: name, Groups: append(groups, "system:authenticated")}
	c, err := client.New(cfg, client.Options{Scheme: cluster.Scheme})
	must(t, err)
	return &person{name: name, groups: groups, c: c}
}

// kinds of the matrix: an object of each kind, named name, in its place.
type target struct {
	label string
	// fresh makes a new object of the kind, for create and delete.
	fresh func(name string) client.Object
	// fixture is the existing object that get and update read and change.
	fixture client.Object
	list    client.ObjectList
}

func portal(ns, name, administration, hostname string) *ozgv1.ServicePortal {
	return &ozgv1.ServicePortal{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: ozgv1.ServicePortalSpec{AdministrationRef: ozgv1.LocalObjectReference{Name: administration}, Hostname: hostname}}
}

func fleet(ns, name, provider, pattern string) *ozgv1.PortalFleet {
	f := &ozgv1.PortalFleet{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: ozgv1.PortalFleetSpec{Template: ozgv1.PortalTemplate{HostnamePattern: pattern}}}
	if provider != "" {
		f.Spec.AdministrationSelector.MatchLabels = map[string]string{ozgv1.LabelITProvider: provider}
	}
	return f
}

func administration(name, key, provider string) *ozgv1.Administration {
	return &ozgv1.Administration{ObjectMeta: metav1.ObjectMeta{Name: name, Labels: map[string]string{ozgv1.LabelITProvider: provider}},
		Spec: ozgv1.AdministrationSpec{Key: key, DisplayName: name, Type: ozgv1.TypeKreisangehoerigeGemeinde}}
}

var counter int

func unique(prefix string) string {
	counter++
	return fmt.Sprintf("%s-%d", prefix, counter)
}

// TestRolesAndPolicies is the matrix of who may do what: every person
// (a viewer, the editors of the IT providers krz and regio-it, a catalogue
// maintainer, a stranger) times every kind and place times every verb,
// allowed or denied as docs/tenancy.md designs it. A denied update or
// deletion changes nothing.
func TestRolesAndPolicies(t *testing.T) {
	cluster, admin := tenancyCluster(t)
	ctx := context.Background()
	for _, p := range []string{"krz", "regio-it"} {
		must(t, tenancy.SetUpProvider(ctx, admin, p, tenancy.Group("ozg.dev:provider:"+p)))
	}
	for group, roles := range map[string][]string{
		"ozg.dev:viewers":   {"ozg-operator-view"},
		"ozg.dev:catalogue": {"ozg-operator-view", "ozg-operator-catalogue-maintainer"},
	} {
		for _, role := range roles {
			must(t, tenancy.Bind(ctx, admin, "", role, tenancy.Group(group)))
		}
	}
	fixtures := []client.Object{
		&ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-10001"}, Spec: ozgv1.OZGServiceSpec{OZGID: "10001", Name: "Test", Themenfeld: "Bildung"}},
		&ozgv1.ResponsibilityProfile{ObjectMeta: metav1.ObjectMeta{Name: "nrw"}, Spec: ozgv1.ResponsibilityProfileSpec{Land: "Nordrhein-Westfalen"}},
		administration("detmold", "05766020", "krz"),
		administration("aachen", "05334002", "regio-it"),
		portal("krz", "detmold", "detmold", "detmold.serviceportal.krz.example.de"),
		portal("regio-it", "aachen", "aachen", "aachen.regioit.example.de"),
		fleet("krz", "krz", "krz", "$(name).serviceportal.krz.example.de"),
		&ozgv1.ServiceProgramme{ObjectMeta: metav1.ObjectMeta{Name: "g2b", Namespace: "krz"},
			Spec: ozgv1.ServiceProgrammeSpec{Priorities: []ozgv1.ProgrammePriority{{Priority: 1, Services: []string{"ozg-10001"}}}}},
	}
	for _, f := range fixtures {
		must(t, admin.Create(ctx, f))
	}
	targets := []target{
		{"OZGService", func(n string) client.Object {
			id := fmt.Sprintf("2%04d", counter)
			return &ozgv1.OZGService{ObjectMeta: metav1.ObjectMeta{Name: "ozg-" + id}, Spec: ozgv1.OZGServiceSpec{OZGID: id, Name: n, Themenfeld: "Bildung"}}
		}, fixtures[0], &ozgv1.OZGServiceList{}},
		{"ResponsibilityProfile", func(n string) client.Object {
			return &ozgv1.ResponsibilityProfile{ObjectMeta: metav1.ObjectMeta{Name: n}, Spec: ozgv1.ResponsibilityProfileSpec{Land: "Hessen"}}
		}, fixtures[1], &ozgv1.ResponsibilityProfileList{}},
		{"Administration of krz", func(n string) client.Object { return administration(n, "05766008", "krz") }, fixtures[2], &ozgv1.AdministrationList{}},
		{"Administration of regio-it", func(n string) client.Object { return administration(n, "05334004", "regio-it") }, fixtures[3], &ozgv1.AdministrationList{}},
		{"ServicePortal in krz", func(n string) client.Object { return portal("krz", n, "detmold", "") }, fixtures[4], &ozgv1.ServicePortalList{}},
		{"ServicePortal in regio-it", func(n string) client.Object { return portal("regio-it", n, "aachen", "") }, fixtures[5], &ozgv1.ServicePortalList{}},
		{"PortalFleet in krz", func(n string) client.Object {
			return fleet("krz", n, "krz", "$(name)."+n+".krz.example.de")
		}, fixtures[6], &ozgv1.PortalFleetList{}},
		{"ServiceProgramme in krz", func(n string) client.Object {
			return &ozgv1.ServiceProgramme{ObjectMeta: metav1.ObjectMeta{Name: n, Namespace: "krz"},
				Spec: ozgv1.ServiceProgrammeSpec{Priorities: []ozgv1.ProgrammePriority{{Priority: 1, Services: []string{"ozg-10001"}}}}}
		}, fixtures[7], &ozgv1.ServiceProgrammeList{}},
	}
	people := []*person{
		as(t, cluster, "vera", "ozg.dev:viewers"),
		as(t, cluster, "anna", "ozg.dev:provider:krz"),
		as(t, cluster, "ben", "ozg.dev:provider:regio-it"),
		as(t, cluster, "carla", "ozg.dev:catalogue"),
		as(t, cluster, "dora"),
	}
	verbs := []string{"get", "list", "create", "update", "delete"}
	// allowed: the design (docs/tenancy.md), "r" read, "w" write too.
	allowed := map[string]map[string]string{
		"vera":  {"OZGService": "r", "ResponsibilityProfile": "r", "Administration of krz": "r", "Administration of regio-it": "r", "ServicePortal in krz": "r", "ServicePortal in regio-it": "r", "PortalFleet in krz": "r", "ServiceProgramme in krz": "r"},
		"anna":  {"OZGService": "r", "ResponsibilityProfile": "r", "Administration of krz": "w", "Administration of regio-it": "r", "ServicePortal in krz": "w", "ServicePortal in regio-it": "r", "PortalFleet in krz": "w", "ServiceProgramme in krz": "w"},
		"ben":   {"OZGService": "r", "ResponsibilityProfile": "r", "Administration of krz": "r", "Administration of regio-it": "w", "ServicePortal in krz": "r", "ServicePortal in regio-it": "w", "PortalFleet in krz": "r", "ServiceProgramme in krz": "r"},
		"carla": {"OZGService": "w", "ResponsibilityProfile": "w", "Administration of krz": "r", "Administration of regio-it": "r", "ServicePortal in krz": "r", "ServicePortal in regio-it": "r", "PortalFleet in krz": "r", "ServiceProgramme in krz": "r"},
		"dora":  {},
	}
	var table strings.Builder
	fmt.Fprintf(&table, "%-28s", "kind \\ person")
	for _, p := range people {
		fmt.Fprintf(&table, " %-22s", p.name+" ("+strings.Join(p.groups, ",")+")")
	}
	table.WriteString("\n")
	for _, tg := range targets {
		fmt.Fprintf(&table, "%-28s", tg.label)
		for _, p := range people {
			var cell []string
			for _, verb := range verbs {
				want := allowed[p.name][tg.label] == "w" || (allowed[p.name][tg.label] == "r" && (verb == "get" || verb == "list"))
				got := try(t, admin, p.c, tg, verb)
				if got != want {
					t.Errorf("%s %s %s: allowed %v, want %v", p.name, verb, tg.label, got, want)
				}
				mark := "-"
				if got {
					mark = verb[:1]
				}
				cell = append(cell, mark)
			}
			fmt.Fprintf(&table, " %-22s", strings.Join(cell, ""))
		}
		table.WriteString("\n")
	}
	t.Logf("who may do what (g get, l list, c create, u update, d delete; - denied):\n%s", table.String())
}

// try does verb on the target as c and tells whether the API server
// allowed it. Denied updates and deletions must leave the object as it
// was.
func try(t *testing.T, admin, c client.Client, tg target, verb string) bool {
	t.Helper()
	ctx := context.Background()
	key := client.ObjectKeyFromObject(tg.fixture)
	denied := func(err error) bool {
		if err != nil && !apierrors.IsForbidden(err) && !apierrors.IsInvalid(err) {
			t.Fatalf("%s %s: %v", verb, tg.label, err)
		}
		return err != nil
	}
	switch verb {
	case "get":
		obj := tg.fixture.DeepCopyObject().(client.Object)
		return !denied(c.Get(ctx, key, obj))
	case "list":
		return !denied(c.List(ctx, tg.list.DeepCopyObject().(client.ObjectList), client.InNamespace(key.Namespace)))
	case "create":
		obj := tg.fresh(unique("new"))
		ok := !denied(c.Create(ctx, obj))
		if ok {
			must(t, admin.Delete(ctx, obj))
		}
		return ok
	case "update":
		before := tg.fixture.DeepCopyObject().(client.Object)
		must(t, admin.Get(ctx, key, before))
		changed := before.DeepCopyObject().(client.Object)
		changed.SetAnnotations(map[string]string{"touched-by": "test"})
		ok := !denied(c.Update(ctx, changed))
		after := before.DeepCopyObject().(client.Object)
		must(t, admin.Get(ctx, key, after))
		if !ok && after.GetResourceVersion() != before.GetResourceVersion() {
			t.Errorf("a denied update of %s changed it", tg.label)
		}
		if ok {
			after.SetAnnotations(nil)
			must(t, admin.Update(ctx, after))
		}
		return ok
	case "delete":
		obj := tg.fresh(unique("gone"))
		must(t, admin.Create(ctx, obj))
		ok := !denied(c.Delete(ctx, obj))
		if !ok {
			must(t, admin.Get(ctx, client.ObjectKeyFromObject(obj), obj))
			must(t, admin.Delete(ctx, obj))
		}
		return ok
	}
	t.Fatalf("unknown verb %s", verb)
	return false
}

// TestPoliciesSayWhy: each refusal of the admission policies names what
// is whose, and a cluster admin may do what a provider may not.
func TestPoliciesSayWhy(t *testing.T) {
	cluster, admin := tenancyCluster(t)
	ctx := context.Background()
	group := "ozg.dev:provider:krz"
	must(t, tenancy.SetUpProvider(ctx, admin, "krz", tenancy.Group(group)))
	must(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "regio-it", Labels: map[string]string{ozgv1.LabelITProvider: "regio-it"}}}))
	// krz may edit in a namespace of no provider too: the policy refuses it.
	must(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "nobodys"}}))
	must(t, tenancy.Bind(ctx, admin, "nobodys", "ozg-operator-edit", tenancy.Group(group)))
	must(t, admin.Create(ctx, administration("detmold", "05766020", "krz")))
	must(t, admin.Create(ctx, administration("aachen", "05334002", "regio-it")))
	must(t, admin.Create(ctx, administration("lage", "05766040", "krz")))
	anna := as(t, cluster, "anna", group)

	relabelled := &ozgv1.Administration{}
	must(t, admin.Get(ctx, client.ObjectKey{Name: "detmold"}, relabelled))
	relabelled.Labels[ozgv1.LabelITProvider] = "regio-it"
	orphan := administration("lemgo", "05766048", "")
	orphan.Labels = nil
	for _, tc := range []struct {
		name    string
		request func(c client.Client) error
		message string
	}{
		{"a portal for another provider's municipality", func(c client.Client) error {
			return c.Create(ctx, portal("krz", "aachen", "aachen", ""))
		}, "Administration aachen belongs to IT provider regio-it, not to krz, whose namespace krz is"},
		{"a portal in a namespace of no provider", func(c client.Client) error {
			return c.Create(ctx, portal("nobodys", "detmold", "detmold", ""))
		}, "namespace nobodys belongs to no IT provider"},
		{"a fleet that does not pin its provider", func(c client.Client) error {
			return c.Create(ctx, fleet("krz", "all", "", "$(name).serviceportal.krz.example.de"))
		}, "PortalFleet all must select only Administrations of IT provider krz"},
		{"a fleet that selects another provider's", func(c client.Client) error {
			return c.Create(ctx, fleet("krz", "theirs", "regio-it", "$(name).serviceportal.krz.example.de"))
		}, "add ozg.dev/it-provider: krz to spec.administrationSelector.matchLabels"},
		{"another provider's hostname", func(c client.Client) error {
			return c.Create(ctx, portal("krz", "detmold", "detmold", "detmold.regioit.example.de"))
		}, "hostname detmold.regioit.example.de is held by IT provider regio-it (its domains: regioit.example.de)"},
		{"a hostname outside the provider's domains", func(c client.Client) error {
			return c.Create(ctx, portal("krz", "detmold", "detmold", "detmold.example.org"))
		}, "hostname detmold.example.org is outside the domains of IT provider krz: serviceportal.krz.example.de, krz.example.de"},
		{"a fleet's pattern in another provider's domains", func(c client.Client) error {
			return c.Create(ctx, fleet("krz", "krz", "krz", "$(name).regioit.example.de"))
		}, "hostname x.regioit.example.de is held by IT provider regio-it"},
		{"moving a municipality to another provider", func(c client.Client) error {
			return c.Update(ctx, relabelled.DeepCopy())
		}, "only a cluster admin (group ozg.dev:admins) may change the IT provider of Administration detmold (label ozg.dev/it-provider, krz)"},
		{"a municipality of no provider", func(c client.Client) error {
			return c.Create(ctx, orphan.DeepCopy())
		}, "Administration lemgo names no IT provider (label ozg.dev/it-provider): only a cluster admin may change it"},
		{"another provider's municipality", func(c client.Client) error {
			return c.Delete(ctx, administration("aachen", "", ""))
		}, "Administration aachen belongs to IT provider regio-it: only its group ozg.dev:provider:regio-it and its accounts may change it, not anna"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.request(anna.c)
			if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), tc.message) {
				t.Errorf("as krz: %v, want Forbidden: %s", err, tc.message)
			}
			// A cluster admin is not restricted (a namespace of no provider
			// included).
			if err := tc.request(admin); err != nil && !apierrors.IsAlreadyExists(err) {
				t.Errorf("as cluster admin: %v", err)
			}
		})
	}
	// Within its own: a portal with its hostname, a fleet pinned to it.
	// (Detmold is regio iT's now: the cluster admin moved it above.)
	must(t, anna.c.Create(ctx, portal("krz", "lage", "lage", "lage.serviceportal.krz.example.de")))
	must(t, anna.c.Create(ctx, fleet("krz", "krz-2", "krz", "$(name).krz.example.de")))
}

// TestKreisLabelAgreesWithTheKey: the ozg.dev/kreis label, which fleets
// select by, cannot name another Kreis than the key's, not even a cluster
// admin's; the label may be left out, and the right one is accepted.
func TestKreisLabelAgreesWithTheKey(t *testing.T) {
	_, admin := tenancyCluster(t)
	ctx := context.Background()
	labelled := func(name, key string, typ ozgv1.AdministrationType, kreis string) *ozgv1.Administration {
		a := administration(name, key, "krz")
		a.Spec.Type = typ
		if kreis != "" {
			a.Labels[ozgv1.LabelKreis] = kreis
		}
		return a
	}
	// The API server takes a new policy in through its informers: until
	// it refuses a wrong label, it has not (a probe created meanwhile is
	// deleted again).
	eventually(t, "the policy administration-kreis to be active", func() bool {
		err := admin.Create(ctx, labelled("probe", "05766040", ozgv1.TypeKreisangehoerigeStadt, "05758"))
		if err == nil {
			must(t, admin.Delete(ctx, labelled("probe", "", "", "")))
		}
		return apierrors.IsInvalid(err)
	})
	err := admin.Create(ctx, labelled("lage", "05766040", ozgv1.TypeKreisangehoerigeStadt, "05758"))
	if want := "Administration lage is labelled ozg.dev/kreis: 05758, but its key 05766040 says Kreis 05766: set the label to 05766 or remove it"; !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), want) {
		t.Errorf("a label of another Kreis: %v, want Invalid: %s", err, want)
	}
	must(t, admin.Create(ctx, labelled("lage", "05766040", ozgv1.TypeKreisangehoerigeStadt, "05766")))
	must(t, admin.Create(ctx, labelled("kreis-lippe", "05766", ozgv1.TypeKreis, "05766")))
	must(t, admin.Create(ctx, labelled("bielefeld", "05711000", ozgv1.TypeKreisfreieStadt, "05711")))
	must(t, admin.Create(ctx, labelled("lemgo", "05766048", ozgv1.TypeKreisangehoerigeStadt, "")))
	// Relabelling to another Kreis is refused too.
	lage := &ozgv1.Administration{}
	must(t, admin.Get(ctx, client.ObjectKey{Name: "lage"}, lage))
	lage.Labels[ozgv1.LabelKreis] = "05770"
	if err := admin.Update(ctx, lage); !apierrors.IsInvalid(err) {
		t.Errorf("relabelling lage to Kreis 05770: %v, want Invalid", err)
	}
}

// TestManagerMetricsNeedAuthorization: the manager run as the manifests
// run it (--metrics-secure) serves its metrics over HTTPS to a client the
// API server authenticates and authorizes, as Prometheus's ServiceAccount
// bound to metrics-reader is, and to nobody else.
func TestManagerMetricsNeedAuthorization(t *testing.T) {
	cluster, admin := tenancyCluster(t)
	ctx := context.Background()
	metricsAddr := startManager(t, cluster, "--metrics-secure=true")

	must(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "monitoring"}}))
	// token is a token of a new ServiceAccount of the monitoring namespace.
	token := func(name string) string {
		sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "monitoring"}}
		must(t, admin.Create(ctx, sa))
		tr := &authenticationv1.TokenRequest{}
		must(t, admin.SubResource("token").Create(ctx, sa, tr))
		return tr.Status.Token
	}
	stranger, prometheus := token("stranger"), token("prometheus")
	must(t, tenancy.Bind(ctx, admin, "", "ozg-operator-metrics-reader", tenancy.ServiceAccount("monitoring", "prometheus")))

	// A self-signed certificate: what matters here is who may read.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}}}
	scrape := func(token string) int {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+metricsAddr+"/metrics", nil)
		must(t, err)
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := client.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	eventually(t, "the metrics endpoint to refuse a client without a token", func() bool { return scrape("") == http.StatusUnauthorized })
	if code := scrape(stranger); code != http.StatusForbidden {
		t.Errorf("a ServiceAccount without metrics-reader: %d, want 403", code)
	}
	if code := scrape(prometheus); code != http.StatusOK {
		t.Errorf("a ServiceAccount with metrics-reader: %d, want 200", code)
	}
	// Every manager metric the alert rules use is there (a fleet and a
	// portal give the per-object ones their series).
	must(t, admin.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "krz"}}))
	must(t, admin.Create(ctx, fleet("krz", "krz", "krz", "$(name).krz.example.de")))
	must(t, admin.Create(ctx, portal("krz", "detmold", "detmold", "")))
	names, err := monitoring.Metrics()
	must(t, err)
	eventually(t, "every metric of the alert rules", func() bool {
		body := scrapeBody(t, client, "https://"+metricsAddr+"/metrics", prometheus)
		for _, name := range names {
			if !strings.HasPrefix(name, "ozg_portal_") && !strings.Contains(body, "\n"+name) {
				t.Logf("not yet: %s", name)
				return false
			}
		}
		return true
	})
	resp, err := client.Get("http://" + metricsAddr + "/metrics")
	if err == nil {
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			t.Error("plain HTTP served the metrics")
		}
	}
}

// eventually polls cond until it holds, for up to 30 seconds.
// startManager builds and starts the manager against cluster, as the
// manifests run it with flags, until the test ends; it returns the
// address of its metrics endpoint.
func startManager(t *testing.T, cluster *testenv.Cluster, flags ...string) string {
	t.Helper()
	kubeconfig := filepath.Join(t.TempDir(), "kubeconfig")
	must(t, cluster.WriteKubeconfig("manager", kubeconfig))
	bin, err := managerproc.Build(t.TempDir())
	must(t, err)
	metricsAddr, err := managerproc.FreeAddr()
	must(t, err)
	probeAddr, err := managerproc.FreeAddr()
	must(t, err)
	m, err := managerproc.Start(bin, kubeconfig, filepath.Join(t.TempDir(), "manager.log"),
		append(flags, "--metrics-bind-address="+metricsAddr, "--health-probe-bind-address="+probeAddr)...)
	must(t, err)
	t.Cleanup(func() {
		m.Stop(10 * time.Second)
		if t.Failed() {
			t.Logf("manager log:\n%s", m.LogTail(40))
		}
	})
	return metricsAddr
}

// refusedOnceActive waits until the policies, which take effect a moment
// after they are created, refuse obj to c as Forbidden; an obj that got in
// before is deleted again.
func refusedOnceActive(t *testing.T, admin, c client.Client, what string, obj func() client.Object) {
	t.Helper()
	eventually(t, what, func() bool {
		err := c.Create(context.Background(), obj())
		if err == nil {
			must(t, admin.Delete(context.Background(), obj()))
		}
		return apierrors.IsForbidden(err)
	})
}

func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	g := gomega.NewWithT(t)
	g.Eventually(cond).WithTimeout(30*time.Second).WithPolling(200*time.Millisecond).Should(gomega.BeTrue(), what)
}

// TestProviderAccounts: the ServiceAccount Flux applies a provider's
// repository as (listed in the providers ConfigMap) changes that
// provider's Administrations and no one else's; another ServiceAccount
// with the same role changes none.
func TestProviderAccounts(t *testing.T) {
	cluster, admin := tenancyCluster(t)
	ctx := context.Background()
	for _, name := range []string{"flux-applier", "intruder"} {
		must(t, tenancy.Bind(ctx, admin, "", "ozg-operator-administration-editor", tenancy.ServiceAccount("krz", name)))
	}
	must(t, admin.Create(ctx, administration("detmold", "05766020", "krz")))
	must(t, admin.Create(ctx, administration("aachen", "05334002", "regio-it")))
	// As Flux's kustomize-controller impersonates a Kustomization's
	// serviceAccountName.
	sa := func(name string) client.Client {
		return as(t, cluster, "system:serviceaccount:krz:"+name, "system:serviceaccounts", "system:serviceaccounts:krz").c
	}
	touch := func(c client.Client, name string) error {
		a := &ozgv1.Administration{}
		must(t, admin.Get(ctx, client.ObjectKey{Name: name}, a))
		a.Spec.DisplayName = "changed"
		return c.Update(ctx, a)
	}
	if err := touch(sa("flux-applier"), "detmold"); err != nil {
		t.Errorf("krz's account on krz's municipality: %v", err)
	}
	if err := touch(sa("flux-applier"), "aachen"); !apierrors.IsForbidden(err) ||
		!strings.Contains(err.Error(), "Administration aachen belongs to IT provider regio-it: only its group ozg.dev:provider:regio-it and its accounts may change it, not system:serviceaccount:krz:flux-applier") {
		t.Errorf("krz's account on regio iT's municipality: %v, want Forbidden", err)
	}
	if err := touch(sa("intruder"), "detmold"); !apierrors.IsForbidden(err) {
		t.Errorf("an account not listed: %v, want Forbidden", err)
	}
}

// scrapeBody GETs url with the bearer token and returns the body.
func scrapeBody(t *testing.T, c *http.Client, url, token string) string {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := c.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return string(data)
}
