package faults

import (
	"context"
	"fmt"
	"sort"
	"sync"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
)

// rolloutObserver watches a fleet's portals during a rollout and checks
// the rollout rules on every change the API server reports, in the order
// it reports them: one informer sees the portals' changes as one sequence,
// so every state it builds is a state the cluster was in. Sampling with
// lists could miss a short excess of unavailable portals; this cannot.
//
// The rules:
//   - a portal of wave N gets the new template only while every portal of
//     every earlier wave is updated and Ready;
//   - no more portals of a wave are unavailable (not Ready) than its
//     maxUnavailable;
//   - a portal carries the old or the new template, never a third one,
//     and no portal disappears.
//
// It also records the fleet's status.currentWave as it changes, which must
// name the waves in order.
type rolloutObserver struct {
	oldHash, newHash string
	waveOf           map[string]int // portal -> wave index
	waveMembers      [][]string
	maxUnavailable   []int

	mu         sync.Mutex
	portals    map[string]observedPortal
	violations []string
	// unlisted counts the violations beyond maxViolations.
	unlisted int
	events   int
	updated  int
	// maxSeenUnavailable per wave shows the observer saw the rollout work.
	maxSeenUnavailable []int
	// currentWaves are the fleet's status.currentWave values, in the order
	// they appeared.
	currentWaves []string
	// triggerAt closes trigger once that many portals are updated.
	triggerAt int
	trigger   chan struct{}

	cancel context.CancelFunc
	done   chan struct{}
}

// maxViolations keeps a failure message readable: one broken rule tends to
// break again on every following event.
const maxViolations = 20

// violate records a broken rule; o.mu must be held.
func (o *rolloutObserver) violate(format string, args ...any) {
	if len(o.violations) < maxViolations {
		o.violations = append(o.violations, fmt.Sprintf(format, args...))
	} else {
		o.unlisted++
	}
}

type observedPortal struct {
	hash  string
	ready bool
}

func (p observedPortal) String() string { return fmt.Sprintf("{hash %s, ready %t}", p.hash, p.ready) }

// observeRollout starts watching the fixture's portals. waves are the
// Kreise in rollout order with their maxUnavailable as counts; oldHash and
// newHash are the template hashes before and after the change. trigger
// closes once triggerAt portals carry the new template.
func observeRollout(f *fleetFixture, maxUnavailable []int, oldHash, newHash string, triggerAt int) *rolloutObserver {
	GinkgoHelper()
	o := &rolloutObserver{
		oldHash: oldHash, newHash: newHash,
		waveOf:             map[string]int{},
		waveMembers:        make([][]string, len(f.kreise)),
		maxUnavailable:     maxUnavailable,
		portals:            map[string]observedPortal{},
		maxSeenUnavailable: make([]int, len(f.kreise)),
		triggerAt:          triggerAt,
		trigger:            make(chan struct{}),
		done:               make(chan struct{}),
	}
	for _, adm := range f.adms {
		for i, kreis := range f.kreise {
			if f.kreisOf[adm] == kreis {
				o.waveOf[adm] = i
				o.waveMembers[i] = append(o.waveMembers[i], adm)
			}
		}
	}

	c, err := cache.New(restConfig, cache.Options{Scheme: scheme, DefaultNamespaces: map[string]cache.Config{f.namespace: {}}})
	Expect(err).NotTo(HaveOccurred())
	runCtx, cancel := context.WithCancel(context.Background())
	o.cancel = cancel
	go func() {
		defer GinkgoRecover()
		defer close(o.done)
		Expect(c.Start(runCtx)).To(Succeed())
	}()
	DeferCleanup(o.stop)
	informer, err := c.GetInformer(runCtx, &ozgv1.ServicePortal{})
	Expect(err).NotTo(HaveOccurred())
	_, err = informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { o.observe(obj.(*ozgv1.ServicePortal)) },
		UpdateFunc: func(_, obj any) { o.observe(obj.(*ozgv1.ServicePortal)) },
		DeleteFunc: func(obj any) {
			o.mu.Lock()
			defer o.mu.Unlock()
			o.violate("a portal was deleted during the rollout: %v", obj)
		},
	})
	Expect(err).NotTo(HaveOccurred())

	fleets, err := c.GetInformer(runCtx, &ozgv1.PortalFleet{})
	Expect(err).NotTo(HaveOccurred())
	_, err = fleets.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(obj any) { o.observeFleet(obj.(*ozgv1.PortalFleet)) },
		UpdateFunc: func(_, obj any) { o.observeFleet(obj.(*ozgv1.PortalFleet)) },
	})
	Expect(err).NotTo(HaveOccurred())
	return o
}

// observeFleet records a change of the fleet's current wave.
func (o *rolloutObserver) observeFleet(fl *ozgv1.PortalFleet) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if n := len(o.currentWaves); n == 0 || o.currentWaves[n-1] != fl.Status.CurrentWave {
		o.currentWaves = append(o.currentWaves, fl.Status.CurrentWave)
	}
}

// observe records one change of one portal and checks the rules.
func (o *rolloutObserver) observe(p *ozgv1.ServicePortal) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.events++
	wave, ok := o.waveOf[p.Name]
	if !ok {
		o.violate("a portal of no administration of the fleet: %s", p.Name)
		return
	}
	now := observedPortal{hash: p.Annotations[rollout.TemplateHashAnnotation], ready: portalReady(p)}
	if now.hash != o.oldHash && now.hash != o.newHash {
		o.violate("portal %s carries template hash %q, neither the old %s nor the new %s", p.Name, now.hash, o.oldHash, o.newHash)
	}
	before := o.portals[p.Name]
	o.portals[p.Name] = now

	if now.hash == o.newHash && before.hash != o.newHash {
		o.updated++
		for earlier := range wave {
			var notDone []string
			for _, other := range o.waveMembers[earlier] {
				if q := o.portals[other]; q.hash != o.newHash || !q.ready {
					notDone = append(notDone, fmt.Sprintf("%s %v", other, q))
				}
			}
			if len(notDone) > 0 {
				o.violate("portal %s of wave %d got the new template while %d portals of wave %d were not updated and Ready, e.g. %s (event %d)",
					p.Name, wave+1, len(notDone), earlier+1, notDone[0], o.events)
			}
		}
		if o.updated == o.triggerAt {
			close(o.trigger)
		}
	}

	var unavailable []string
	for _, name := range o.waveMembers[wave] {
		if q, seen := o.portals[name]; seen && !q.ready {
			unavailable = append(unavailable, name)
		}
	}
	o.maxSeenUnavailable[wave] = max(o.maxSeenUnavailable[wave], len(unavailable))
	if len(unavailable) > o.maxUnavailable[wave] {
		sort.Strings(unavailable)
		o.violate("wave %d: %d portals unavailable, maxUnavailable %d: %v (event %d)",
			wave+1, len(unavailable), o.maxUnavailable[wave], unavailable, o.events)
	}
}

// snapshot returns how many portals the observer knows, how many of them
// are Ready on the old template, and how many carry the new one.
func (o *rolloutObserver) snapshot() (known, readyOld, updated int) {
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range o.portals {
		if p.hash == o.oldHash && p.ready {
			readyOld++
		}
	}
	return len(o.portals), readyOld, o.updated
}

// stop ends the watch; calling it twice is fine.
func (o *rolloutObserver) stop() {
	o.cancel()
	<-o.done
}

// result stops the observer and returns what it found.
func (o *rolloutObserver) result() (violations []string, events int, maxSeenUnavailable []int, currentWaves []string) {
	o.stop()
	o.mu.Lock()
	defer o.mu.Unlock()
	violations = o.violations
	if o.unlisted > 0 {
		violations = append(violations, fmt.Sprintf("... and %d more", o.unlisted))
	}
	return violations, o.events, o.maxSeenUnavailable, o.currentWaves
}
