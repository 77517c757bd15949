package rolloutstatus

import (
	"fmt"
	"io"
	"strings"

	"k8s.io/cli-runtime/pkg/printers"
)

// BarWidth is the number of cells in a wave's progress bar.
const BarWidth = 10

// Options control how a report is written.
type Options struct {
	// MaxPortals limits the list of portals that are not Ready; 0 lists
	// them all.
	MaxPortals int
}

// Write prints the report: a header, the waves with their progress, the
// portals that are not Ready, the administrations the fleet cannot give a
// portal and, last, the summary line.
func (r *Report) Write(w io.Writer, opts Options) error {
	var b strings.Builder
	fmt.Fprintf(&b, "PortalFleet %s/%s: version %s, %d portals: %d updated, %d Ready, %d online\n",
		r.Namespace, r.Name, r.Version, r.Portals, r.Updated, r.Ready, r.Published)
	if r.PlanError != "" {
		fmt.Fprintf(&b, "cannot plan the waves: %s\n", r.PlanError)
	} else if err := r.writeWaves(&b); err != nil {
		return err
	}
	if len(r.NotReady) > 0 {
		if err := r.writeNotReady(&b, opts.MaxPortals); err != nil {
			return err
		}
	}
	if len(r.Excluded) > 0 {
		if err := r.writeExcluded(&b, opts.MaxPortals); err != nil {
			return err
		}
	}
	fmt.Fprintf(&b, "\n%s\n", r.Summary())
	_, err := io.WriteString(w, b.String())
	return err
}

func (r *Report) writeWaves(w io.Writer) error {
	tw := printers.GetNewTabWriter(w)
	fmt.Fprintln(tw, "WAVE\tUPDATED\tREADY\tPROGRESS\tSTATE")
	for _, wave := range r.Waves {
		fmt.Fprintf(tw, "%s\t%d/%d\t%d/%d\t%s\t%s\n", wave.Name, wave.Updated, wave.Portals,
			wave.Ready, wave.Portals, Bar(wave.Done, wave.Portals), waveState(wave))
	}
	return tw.Flush()
}

// waveState describes a wave's state; the current one shows how many of
// its portals may be down at once.
func waveState(w Wave) string {
	if w.State == WaveRollingOut {
		return fmt.Sprintf("%s (maxUnavailable %d)", w.State, w.MaxUnavailable)
	}
	return string(w.State)
}

func (r *Report) writeNotReady(w io.Writer, limit int) error {
	return writeList(w, "Portals not Ready", "PORTAL\tWAVE\tUPDATED\tCONDITION\tREASON\tMESSAGE", len(r.NotReady), limit, func(i int) string {
		p := r.NotReady[i]
		return strings.Join([]string{p.Name, p.Wave, yesNo(p.Updated), orDash(p.Condition), orDash(p.Reason), oneLine(p.Message)}, "\t")
	})
}

func (r *Report) writeExcluded(w io.Writer, limit int) error {
	return writeList(w, "Administrations without a portal", "ADMINISTRATION\tMESSAGE", len(r.Excluded), limit, func(i int) string {
		return r.Excluded[i].Administration + "\t" + oneLine(r.Excluded[i].Message)
	})
}

// writeList writes a titled table of n rows, of which at most limit (0:
// all) are shown.
func writeList(w io.Writer, title, header string, n, limit int, row func(i int) string) error {
	fmt.Fprintf(w, "\n%s: %d\n", title, n)
	shown := n
	if limit > 0 {
		shown = min(n, limit)
	}
	tw := printers.GetNewTabWriter(w)
	fmt.Fprintln(tw, header)
	for i := range shown {
		fmt.Fprintln(tw, row(i))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if rest := n - shown; rest > 0 {
		fmt.Fprintf(w, "... and %d more\n", rest)
	}
	return nil
}

// Summary is one line saying where the rollout stands, in the manner of
// kubectl rollout status. It changes only when the rollout makes progress
// or gets stuck, so a log of successive summaries stays short.
func (r *Report) Summary() string {
	switch {
	case !r.Observed():
		return fmt.Sprintf("Waiting for fleet %q spec update to be observed...", r.Name)
	case r.Stalled():
		return fmt.Sprintf("fleet %q is stalled: %s: %s", r.Name, r.StalledCondition.Reason, oneLine(r.StalledCondition.Message))
	case r.Done():
		return fmt.Sprintf("fleet %q successfully rolled out: %d portals Ready", r.Name, r.FleetReady)
	case r.PlanError != "":
		return fmt.Sprintf("fleet %q cannot be rolled out: %s", r.Name, r.PlanError)
	case r.CurrentWave != "":
		return r.waveSummary()
	case r.ReadyCondition != nil:
		return fmt.Sprintf("Waiting for fleet %q to become Ready: %s: %s", r.Name, r.ReadyCondition.Reason, oneLine(r.ReadyCondition.Message))
	default:
		return fmt.Sprintf("Waiting for fleet %q to become Ready...", r.Name)
	}
}

func (r *Report) waveSummary() string {
	i, w := r.wave(r.CurrentWave)
	progress := fmt.Sprintf("wave %q (%d of %d): %d of %d portals updated, %d Ready",
		w.Name, i+1, len(r.Waves), w.Updated, w.Portals, w.Ready)
	if r.Paused {
		return fmt.Sprintf("fleet %q rollout is paused in %s", r.Name, progress)
	}
	return fmt.Sprintf("Waiting for fleet %q rollout to finish: %s...", r.Name, progress)
}

func (r *Report) wave(name string) (int, Wave) {
	for i, w := range r.Waves {
		if w.Name == name {
			return i, w
		}
	}
	return -1, Wave{Name: name}
}

// Bar draws done of total as a bar of BarWidth cells, e.g. [####------].
// An empty wave has nothing left to do and shows full.
func Bar(done, total int) string {
	filled := BarWidth
	if total > 0 {
		filled = min(BarWidth, max(0, done*BarWidth/total))
	}
	return "[" + strings.Repeat("#", filled) + strings.Repeat("-", BarWidth-filled) + "]"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// oneLine keeps multi-line condition messages from breaking the table.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}
