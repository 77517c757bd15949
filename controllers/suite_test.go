package controllers_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/interceptor"
	"sigs.k8s.io/controller-runtime/pkg/config"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/controllers"
	"github.com/ozg-operator/ozg-operator/internal/kubeletsim"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/suite"
	"github.com/ozg-operator/ozg-operator/internal/testsupport/testenv"
)

// The suite runs the real controllers in a manager against a real
// kube-apiserver and etcd (envtest). There is no kubelet: in namespaces
// labelled kubeletLabel a kubelet stand-in (internal/kubeletsim) makes
// Deployments available, elsewhere tests play it (markDeploymentAvailable).

var (
	k8sClient client.Client
	cluster   *testenv.Cluster
	requests  = &requestLog{}
)

func TestControllers(t *testing.T) {
	// Generous: this suite shares two cores with the API server and etcd.
	suite.Run(t, "Controllers", suite.Timing{Eventually: 20 * time.Second, Polling: 50 * time.Millisecond})
}

var _ = BeforeSuite(func() {
	var err error
	cluster, err = testenv.Start(testenv.Options{})
	Expect(err).NotTo(HaveOccurred())
	k8sClient = cluster.Client
	startManager()
})

var (
	managerMu  sync.Mutex
	managerRun struct {
		cancel  context.CancelFunc
		done    chan struct{}
		kubelet *kubeletsim.Player
		// cache is the manager's cache, to see what it keeps.
		cache cache.Cache
	}
	// heldPortals names portals (key.String()) whose pods the kubelet
	// stand-in does not make available, to test progress deadlines.
	heldPortals sync.Map
)

// kubeletLabel on a namespace, with the value "auto", lets the kubelet
// stand-in make its Deployments available at once; elsewhere tests call
// markDeploymentAvailable.
const kubeletLabel = "test.ozg.dev/kubelet"

// startManager runs the controllers in a new manager with an empty cache,
// as after a restart of the operator, and the kubelet stand-in on the
// manager's cache.
func startManager() {
	managerMu.Lock()
	defer managerMu.Unlock()
	mgr, err := ctrl.NewManager(cluster.Config, ctrl.Options{
		Scheme:  cluster.Scheme,
		Cache:   controllers.CacheOptions(),
		Metrics: metricsserver.Options{BindAddress: "0"},
		Controller: config.Controller{
			// As in production: concurrent reconciles of every kind.
			GroupKindConcurrency: controllers.ControllerConfig(controllers.DefaultConcurrency).GroupKindConcurrency,
			// A restarted manager registers the same controller names again.
			SkipNameValidation: ptr.To(true),
		},
	})
	Expect(err).NotTo(HaveOccurred())
	Expect(controllers.SetupWithManager(mgr, controllers.Options{
		Client: requests.wrap(mgr.GetClient()),
		Portal: controllers.PortalDefaults{Image: "registry.example.de/portal", Version: "1.4.0", TLSSecretPattern: "$(name)-tls"},
	})).To(Succeed())

	ctx, cancel := context.WithCancel(context.Background())
	kubelet, err := kubeletsim.Start(ctx, mgr.GetClient(), mgr.GetCache(), kubeletsim.Options{
		Workers:           2,
		NamespaceSelector: labels.SelectorFromSet(labels.Set{kubeletLabel: "auto"}),
		Held: func(key client.ObjectKey) bool {
			_, held := heldPortals.Load(key.String())
			return held
		},
	})
	Expect(err).NotTo(HaveOccurred())
	done := make(chan struct{})
	managerRun.cancel, managerRun.done, managerRun.kubelet, managerRun.cache = cancel, done, kubelet, mgr.GetCache()
	go func() {
		defer GinkgoRecover()
		defer close(done)
		Expect(mgr.Start(ctx)).To(Succeed())
	}()
}

// stopManager stops the running manager and the kubelet stand-in and
// waits until both have exited.
func stopManager() {
	managerMu.Lock()
	defer managerMu.Unlock()
	managerRun.cancel()
	<-managerRun.done
	managerRun.kubelet.Wait()
}

var _ = AfterSuite(func() {
	stopManager()
	Expect(cluster.Stop()).To(Succeed())
})

// requestLog counts the controllers' reads of and writes to each object, so
// that a test can prove a reconcile ran and wrote nothing.
type requestLog struct {
	mu     sync.Mutex
	reads  map[string]int
	writes map[string]int
	// history lists each object's writes (verb and type), for failure messages.
	history map[string][]string
}

func logKey(obj client.Object) string {
	return obj.GetNamespace() + "/" + obj.GetName()
}

func (l *requestLog) add(m *map[string]int, key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if *m == nil {
		*m = map[string]int{}
	}
	(*m)[key]++
}

// write counts a write of obj by verb.
func (l *requestLog) write(verb string, obj client.Object) {
	key := logKey(obj)
	l.add(&l.writes, key)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.history == nil {
		l.history = map[string][]string{}
	}
	l.history[key] = append(l.history[key], fmt.Sprintf("%s %T", verb, obj))
}

// applyKey is the requestLog key that counts the server-side applies in
// namespace ns.
func applyKey(ns string) string { return "apply " + ns }

// listAllKey is the requestLog key that counts the reads of every object
// of list's kind, in every namespace.
func listAllKey(list client.ObjectList) string { return fmt.Sprintf("list all %T", list) }

// writesOf lists the writes of the object at key, oldest first.
func (l *requestLog) writesOf(key string) []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return slices.Clone(l.history[key])
}

func (l *requestLog) counts(key string) (reads, writes int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.reads[key], l.writes[key]
}

func (l *requestLog) wrap(c client.Client) client.Client {
	return interceptor.NewClient(withoutWatch{c}, interceptor.Funcs{
		Get: func(ctx context.Context, c client.WithWatch, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
			l.add(&l.reads, key.Namespace+"/"+key.Name)
			return c.Get(ctx, key, obj, opts...)
		},
		List: func(ctx context.Context, c client.WithWatch, list client.ObjectList, opts ...client.ListOption) error {
			o := (&client.ListOptions{}).ApplyOptions(opts)
			if o.Namespace == "" && o.LabelSelector == nil && o.FieldSelector == nil {
				l.add(&l.reads, listAllKey(list))
			}
			return c.List(ctx, list, opts...)
		},
		Create: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.CreateOption) error {
			l.write("Create", obj)
			return c.Create(ctx, obj, opts...)
		},
		Update: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.UpdateOption) error {
			l.write("Update", obj)
			return c.Update(ctx, obj, opts...)
		},
		Patch: func(ctx context.Context, c client.WithWatch, obj client.Object, patch client.Patch, opts ...client.PatchOption) error {
			l.write("Patch", obj)
			return c.Patch(ctx, obj, patch, opts...)
		},
		Delete: func(ctx context.Context, c client.WithWatch, obj client.Object, opts ...client.DeleteOption) error {
			l.write("Delete", obj)
			return c.Delete(ctx, obj, opts...)
		},
		Apply: func(ctx context.Context, c client.WithWatch, obj runtime.ApplyConfiguration, opts ...client.ApplyOption) error {
			// By namespace: other specs' portals still settling apply in
			// theirs.
			key := applyKey("")
			switch o := obj.(type) {
			case interface{ GetNamespace() *string }: // typed apply configurations
				if ns := o.GetNamespace(); ns != nil {
					key = applyKey(*ns)
				}
			case interface{ GetNamespace() string }: // unstructured ones
				key = applyKey(o.GetNamespace())
			}
			l.add(&l.writes, key)
			l.mu.Lock()
			if l.history == nil {
				l.history = map[string][]string{}
			}
			l.history[key] = append(l.history[key], fmt.Sprintf("%T", obj))
			l.mu.Unlock()
			return c.Apply(ctx, obj, opts...)
		},
		SubResourcePatch: func(ctx context.Context, c client.Client, sub string, obj client.Object, patch client.Patch, opts ...client.SubResourcePatchOption) error {
			l.write("SubResourcePatch "+sub, obj)
			return c.SubResource(sub).Patch(ctx, obj, patch, opts...)
		},
		SubResourceUpdate: func(ctx context.Context, c client.Client, sub string, obj client.Object, opts ...client.SubResourceUpdateOption) error {
			l.write("SubResourceUpdate "+sub, obj)
			return c.SubResource(sub).Update(ctx, obj, opts...)
		},
	})
}

// markDeploymentAvailable plays kubelet and deployment controller: all
// replicas of the current generation are updated and available.
func markDeploymentAvailable(key client.ObjectKey) {
	Eventually(func(g Gomega) {
		d := &appsv1.Deployment{}
		g.Expect(k8sClient.Get(context.Background(), key, d)).To(Succeed())
		kubeletsim.SetAvailable(d)
		g.Expect(k8sClient.Status().Update(context.Background(), d)).To(Succeed())
	}).Should(Succeed())
}

// condition returns the named condition of a status, or an empty one.
func condition(h ozgv1.ConditionsHolder, typ string) metav1.Condition {
	if c := meta.FindStatusCondition(*h.StatusConditions(), typ); c != nil {
		return *c
	}
	return metav1.Condition{}
}

// get returns a function that reads the object at key.
func get[T any, P interface {
	*T
	client.Object
}](key client.ObjectKey) func(Gomega) P {
	return func(g Gomega) P {
		obj := P(new(T))
		g.Expect(k8sClient.Get(ctx, key, obj)).To(Succeed())
		return obj
	}
}

// update changes the object at key, retrying on conflicts.
func update[T any, P interface {
	*T
	client.Object
}](key client.ObjectKey, change func(P)) {
	GinkgoHelper()
	Eventually(func() error {
		obj := P(new(T))
		if err := k8sClient.Get(ctx, key, obj); err != nil {
			return err
		}
		change(obj)
		return k8sClient.Update(ctx, obj)
	}).Should(Succeed())
}

// conditionWith matches a condition of the given status and reason whose
// message satisfies message.
func conditionWith(status metav1.ConditionStatus, reason string, message OmegaMatcher) OmegaMatcher {
	return And(HaveField("Status", status), HaveField("Reason", reason), HaveField("Message", message))
}

// withoutWatch lets the interceptor wrap the manager's cache-backed client,
// which the controllers never use to watch.
type withoutWatch struct{ client.Client }

func (withoutWatch) Watch(context.Context, client.ObjectList, ...client.ListOption) (watch.Interface, error) {
	return nil, errors.New("watch is not supported")
}
