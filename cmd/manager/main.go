// Command manager runs the ozg-operator controllers.
package main

import (
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/KimMachineGun/automemlimit/memlimit"
	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/runtime"
	utilruntime "k8s.io/apimachinery/pkg/util/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	"sigs.k8s.io/controller-runtime/pkg/metrics/filters"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/controllers"
	"github.com/ozg-operator/ozg-operator/internal/version"
)

func main() {
	var (
		metricsAddr, probeAddr, profilerAddr string
		metricsSecure                        bool
		leaderElect                          bool
		leaderElectionNS                     string
		leaseDuration, renewDeadline, retry  time.Duration
		portal                               controllers.PortalDefaults
		concurrent                           int
		showVersion                          bool
		memoryLimitRatio                     float64
	)
	flag.BoolVar(&showVersion, "version", false, "Print the version and exit.")
	flag.StringVar(&metricsAddr, "metrics-bind-address", ":8080", "Address of the metrics endpoint; 0 disables it.")
	flag.BoolVar(&metricsSecure, "metrics-secure", false, "Serve the metrics over HTTPS to clients the API server authenticates and authorizes (get on the non-resource URL /metrics, e.g. the metrics-reader role); the deployed manifests set it.")
	flag.StringVar(&probeAddr, "health-probe-bind-address", ":8081", "Address of the health and readiness probes.")
	flag.BoolVar(&leaderElect, "leader-elect", false, "Elect a leader so that only one of several replicas reconciles.")
	flag.StringVar(&leaderElectionNS, "leader-election-namespace", "", "Namespace of the leader election lease (default: the pod's namespace).")
	// The defaults are controller-runtime's, as in Cluster API.
	flag.DurationVar(&leaseDuration, "leader-elect-lease-duration", 15*time.Second, "How long replicas that are not the leader wait before they may take an unrenewed lease over.")
	flag.DurationVar(&renewDeadline, "leader-elect-renew-deadline", 10*time.Second, "How long the leader tries to renew its lease before it gives leadership up; shorter than the lease duration.")
	flag.DurationVar(&retry, "leader-elect-retry-period", 2*time.Second, "How often replicas try to acquire or renew the lease.")
	flag.StringVar(&profilerAddr, "profiler-address", "", "Address of the pprof profiler (e.g. localhost:6060); empty, the default, disables it.")
	flag.IntVar(&concurrent, "concurrent", controllers.DefaultConcurrency, "Reconciles of each kind (ServicePortal, Administration, OZGService, PortalFleet) that run at once.")
	flag.StringVar(&portal.Image, "portal-image", controllers.DefaultPortalImage, "Portal server image repository; a portal's spec.version selects the tag.")
	flag.StringVar(&portal.Version, "portal-version", controllers.DefaultPortalVersion, "Portal version for portals that set none.")
	flag.StringVar(&portal.IngressClassName, "ingress-class", "", "IngressClass of published portals (default: the cluster's default class).")
	flag.StringVar(&portal.TLSSecretPattern, "ingress-tls-secret", "$(name)-tls", "TLS Secret of a published portal's Ingress; $(name) is the portal's name. Empty disables TLS.")
	flag.StringVar(&portal.MonitoringNamespace, "portal-monitoring-namespace", "", "Namespace whose pods may scrape the portals' metrics port (their NetworkPolicy admits it); empty admits none.")
	flag.Float64Var(&memoryLimitRatio, "memory-limit-ratio", 0.9, "Fraction of the container's memory limit (its cgroup's) under which the Go runtime keeps the manager's memory (GOMEMLIMIT): it collects garbage harder as it nears it, instead of being killed at the limit. 0 leaves the runtime's default; a GOMEMLIMIT in the environment wins.")
	opts := zap.Options{}
	opts.BindFlags(flag.CommandLine)
	flag.Parse()
	if showVersion {
		fmt.Println("manager", version.Get())
		return
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&opts)))
	log := ctrl.Log.WithName("setup")
	if memoryLimitRatio > 0 {
		// Without it the heap grows to twice what is live before a
		// collection (GOGC=100): 600 MiB and more at Germany's scale.
		// Without a cgroup limit, there is none to keep under.
		if _, err := memlimit.Set(memlimit.WithRatio(memoryLimitRatio), memlimit.WithProvider(memlimit.FromCgroup),
			memlimit.WithLogger(slog.New(logr.ToSlogHandler(log)))); err != nil {
			log.Error(err, "setting the memory limit from the container's; running without one")
		}
	}

	scheme := runtime.NewScheme()
	utilruntime.Must(clientgoscheme.AddToScheme(scheme))
	utilruntime.Must(ozgv1.AddToScheme(scheme))

	if leaderElect && (renewDeadline >= leaseDuration || retry >= renewDeadline) {
		log.Error(nil, "leader election needs retry period < renew deadline < lease duration",
			"leaseDuration", leaseDuration.String(), "renewDeadline", renewDeadline.String(), "retryPeriod", retry.String())
		os.Exit(1)
	}

	mgr, err := ctrl.NewManager(ctrl.GetConfigOrDie(), ctrl.Options{
		Scheme:                  scheme,
		Cache:                   controllers.CacheOptions(),
		Metrics:                 metricsOptions(metricsAddr, metricsSecure),
		HealthProbeBindAddress:  probeAddr,
		PprofBindAddress:        profilerAddr,
		Controller:              controllers.ControllerConfig(concurrent),
		LeaderElection:          leaderElect,
		LeaderElectionID:        "ozg-operator.ozg.dev",
		LeaderElectionNamespace: leaderElectionNS,
		LeaseDuration:           &leaseDuration,
		RenewDeadline:           &renewDeadline,
		RetryPeriod:             &retry,
		// The new leader starts at once when the old one exits cleanly.
		LeaderElectionReleaseOnCancel: true,
	})
	if err != nil {
		log.Error(err, "unable to create manager")
		os.Exit(1)
	}
	if err := controllers.SetupWithManager(mgr, controllers.Options{Portal: portal}); err != nil {
		log.Error(err, "unable to set up controllers")
		os.Exit(1)
	}
	ctrlmetrics.Registry.MustRegister(version.BuildInfo("manager"))
	utilruntime.Must(mgr.AddHealthzCheck("healthz", healthz.Ping))
	utilruntime.Must(mgr.AddReadyzCheck("readyz", healthz.Ping))

	build := version.Get()
	log.Info("starting manager", "version", build.Version, "commit", build.Commit)
	if err := mgr.Start(ctrl.SetupSignalHandler()); err != nil {
		log.Error(err, "manager exited")
		os.Exit(1)
	}
}

// metricsOptions serves the metrics on addr; secure, over HTTPS (a
// self-signed certificate) to clients that the API server authenticates
// and authorizes for GET /metrics, as Prometheus with the metrics-reader
// role is.
func metricsOptions(addr string, secure bool) metricsserver.Options {
	o := metricsserver.Options{BindAddress: addr}
	if secure {
		o.SecureServing = true
		o.FilterProvider = filters.WithAuthenticationAndAuthorization
	}
	return o
}
