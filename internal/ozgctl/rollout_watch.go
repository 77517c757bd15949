package ozgctl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"k8s.io/apimachinery/pkg/fields"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	ozgv1 "github.com/ozg-operator/ozg-operator/api/v1alpha1"
	"github.com/ozg-operator/ozg-operator/internal/rollout"
	"github.com/ozg-operator/ozg-operator/internal/rolloutstatus"
)

// fleetWatch follows a fleet, its portals and the metadata of the
// administrations through informers: they list once and then watch,
// listing again only when a watch expires, as kubectl rollout status does.
type fleetWatch struct {
	cfg   *rest.Config
	key   client.ObjectKey
	cache cache.Cache
}

func newFleetWatch(cfg *rest.Config, key client.ObjectKey) *fleetWatch {
	return &fleetWatch{cfg: cfg, key: key}
}

// start runs the informers until ctx ends and returns, once they have
// synced, a channel that receives when any watched object changed. Bursts
// of events collapse into one receive.
func (w *fleetWatch) start(ctx context.Context) (<-chan struct{}, error) {
	scheme, err := newScheme()
	if err != nil {
		return nil, err
	}
	namespace := map[string]cache.Config{w.key.Namespace: {}}
	w.cache, err = cache.New(w.cfg, cache.Options{
		Scheme:                      scheme,
		ReaderFailOnMissingInformer: true,
		ByObject: map[client.Object]cache.ByObject{
			&ozgv1.PortalFleet{}:   {Namespaces: namespace, Field: fields.OneTermEqualSelector("metadata.name", w.key.Name)},
			&ozgv1.ServicePortal{}: {Namespaces: namespace},
			// Only what member selection and the waves read is kept.
			&ozgv1.Administration{}: {Transform: trimAdministration},
		},
	})
	if err != nil {
		return nil, err
	}
	changed := make(chan struct{}, 1)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default: // a change is pending already
		}
	}
	handler := toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { notify() },
		UpdateFunc: func(any, any) { notify() },
		DeleteFunc: func(any) { notify() },
	}
	// Administrations are watched for their labels and keys, which place
	// them in the fleet and its waves and make their hostnames.
	for _, obj := range []client.Object{&ozgv1.PortalFleet{}, &ozgv1.ServicePortal{}, &ozgv1.Administration{}} {
		informer, err := w.cache.GetInformer(ctx, obj)
		if err != nil {
			return nil, err
		}
		if _, err := informer.AddEventHandler(handler); err != nil {
			return nil, err
		}
	}
	go func() { _ = w.cache.Start(ctx) }() // returns when ctx ends
	if !w.cache.WaitForCacheSync(ctx) {
		return nil, ctx.Err()
	}
	return changed, nil
}

// report computes the report from the informers' caches.
func (w *fleetWatch) report(ctx context.Context) (*rolloutstatus.Report, error) {
	return readReport(ctx, w.cache, w.key)
}

// reportPrinter shows successive rollout reports. On a terminal it redraws
// the report in place. Elsewhere it prints the first report in full and
// then only summary lines that differ from the last, so that logs stay
// readable.
type reportPrinter struct {
	out      io.Writer
	terminal bool
	width    int    // terminal columns; 0 when unknown
	drawn    string // what the terminal shows
	summary  string // the last summary printed
	full     string // the last full report printed
}

// maxPortalsOnTerminal keeps a redrawn report on one screen.
const maxPortalsOnTerminal = 15

func newReportPrinter(out io.Writer) *reportPrinter {
	width, terminal := terminalWidth(out)
	return &reportPrinter{out: out, terminal: terminal, width: width}
}

func (p *reportPrinter) show(r *rolloutstatus.Report) error {
	switch {
	case p.terminal:
		return p.redraw(r)
	case p.full == "":
		return p.writeFull(r)
	case r.Summary() != p.summary:
		p.summary = r.Summary()
		_, err := fmt.Fprintln(p.out, p.summary)
		return err
	}
	return nil
}

// finish shows the last report and returns err. When the rollout failed
// and the output is a log, the report is printed in full once more, so
// that the log shows which portals are stuck.
func (p *reportPrinter) finish(r *rolloutstatus.Report, err error) error {
	if err == nil || p.terminal {
		return errors.Join(p.show(r), err)
	}
	var b bytes.Buffer
	if werr := r.Write(&b, rolloutstatus.Options{}); werr != nil || b.String() == p.full {
		return err
	}
	return errors.Join(err, p.writeFull(r))
}

func (p *reportPrinter) writeFull(r *rolloutstatus.Report) error {
	var b bytes.Buffer
	if err := r.Write(&b, rolloutstatus.Options{}); err != nil {
		return err
	}
	p.full, p.summary = b.String(), r.Summary()
	_, err := p.out.Write(b.Bytes())
	return err
}

// redraw replaces the report on the terminal. Lines are cut to the
// terminal's width, so that moving the cursor up by the number of lines
// lands on the report's first line.
func (p *reportPrinter) redraw(r *rolloutstatus.Report) error {
	var b bytes.Buffer
	if err := r.Write(&b, rolloutstatus.Options{MaxPortals: maxPortalsOnTerminal}); err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	for i, line := range lines {
		lines[i] = truncate(line, p.width-1)
	}
	text := strings.Join(lines, "\n") + "\n"
	if text == p.drawn {
		return nil
	}
	var out strings.Builder
	if p.drawn != "" {
		// Cursor up to the report's first line, then clear to the end of the screen.
		fmt.Fprintf(&out, "\033[%dA\r\033[J", strings.Count(p.drawn, "\n"))
	}
	out.WriteString(text)
	p.drawn = text
	_, err := io.WriteString(p.out, out.String())
	return err
}

// truncate cuts s to at most n characters; n < 1 leaves it whole.
func truncate(s string, n int) string {
	if n < 1 {
		return s
	}
	runes := []rune(s)
	if len(runes) <= n {
		return s
	}
	return string(runes[:n])
}

// trimAdministration is the cache transform of administrations.
func trimAdministration(obj any) (any, error) {
	if adm, ok := obj.(*ozgv1.Administration); ok {
		rollout.TrimAdministration(adm)
	}
	return obj, nil
}
