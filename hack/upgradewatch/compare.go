package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"sigs.k8s.io/yaml"
)

// maxTimeline is how many changes the report's timeline lists; the rest
// are in the events file.
const maxTimeline = 80

// report collects what the comparison finds: violations fail the check,
// notes explain what changed within the rules.
type report struct {
	violations []string
	notes      []string
}

func (r *report) violate(format string, args ...any) {
	r.violations = append(r.violations, fmt.Sprintf(format, args...))
}

func (r *report) note(format string, args ...any) {
	r.notes = append(r.notes, fmt.Sprintf(format, args...))
}

// phase is one step of the script, with when it began.
type phase struct {
	time time.Time
	text string
}

// comparison is everything the report is made of.
type comparison struct {
	before, after *Snapshot
	events        []Event
	phases        []phase
	// schemas are the status schemas of each kind, by release.
	oldSchemas, newSchemas map[string]*apiextensionsv1.JSONSchemaProps
}

func runCompare(w io.Writer, before, after, events, phases, oldCRDs, newCRDs string) (bool, error) {
	if before == "" || after == "" || events == "" || oldCRDs == "" || newCRDs == "" {
		return false, fmt.Errorf("--before, --after, --events, --old-crds and --new-crds are required")
	}
	c := &comparison{}
	var err error
	if c.before, err = readSnapshot(before); err != nil {
		return false, err
	}
	if c.after, err = readSnapshot(after); err != nil {
		return false, err
	}
	if c.events, err = readEvents(events); err != nil {
		return false, err
	}
	if phases != "" {
		if c.phases, err = readPhases(phases); err != nil {
			return false, err
		}
	}
	if c.oldSchemas, err = readSchemas(oldCRDs); err != nil {
		return false, err
	}
	if c.newSchemas, err = readSchemas(newCRDs); err != nil {
		return false, err
	}
	return c.write(w), nil
}

// write prints the report and says whether the upgrade kept every rule.
func (c *comparison) write(w io.Writer) bool {
	fmt.Fprintf(w, "Upgrade check: %d ozg.dev objects, %d portal Deployments, %d operator ConfigMaps before; snapshots %s apart\n\n",
		len(c.before.Objects), len(c.before.Deployments), len(c.before.ConfigMaps), c.after.Taken.Sub(c.before.Taken).Round(time.Second))
	c.timeline(w)

	sections := []struct {
		title string
		check func(*report)
	}{
		{"(a) Ready and Stalled while the manager was replaced", c.checkConditions},
		{"(b) portal Deployments: no restart unless the content changed", c.checkDeployments},
		{"(c) statuses exact (but for what this release adds and what depends on the time)", c.checkStatuses},
	}
	failed := 0
	for _, s := range sections {
		var r report
		s.check(&r)
		verdict := "ok"
		if len(r.violations) > 0 {
			verdict = fmt.Sprintf("FAILED, %d violations", len(r.violations))
		}
		fmt.Fprintf(w, "%s: %s\n", s.title, verdict)
		for _, v := range r.violations {
			fmt.Fprintf(w, "  VIOLATION %s\n", strings.ReplaceAll(v, "\n", "\n            "))
		}
		for _, n := range r.notes {
			fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(n, "\n", "\n  "))
		}
		fmt.Fprintln(w)
		failed += len(r.violations)
	}
	if failed > 0 {
		fmt.Fprintf(w, "upgrade check FAILED: %d violations\n", failed)
		return false
	}
	fmt.Fprintln(w, "upgrade check passed")
	return true
}

// timeline prints the script's steps and the changes the watch saw after
// it had listed everything, in order.
func (c *comparison) timeline(w io.Writer) {
	type line struct {
		t    time.Time
		text string
	}
	var lines []line
	start := c.before.Taken
	for _, p := range c.phases {
		lines = append(lines, line{p.time, "-- " + p.text})
	}
	changes := 0
	for i := range c.events {
		e := &c.events[i]
		if e.Initial {
			continue
		}
		if changes++; changes > maxTimeline {
			continue
		}
		lines = append(lines, line{e.Time, describeEvent(e)})
	}
	sort.SliceStable(lines, func(i, j int) bool { return lines[i].t.Before(lines[j].t) })
	fmt.Fprintf(w, "Timeline (from the first snapshot; the watch's changes after it had listed everything):\n")
	for _, l := range lines {
		fmt.Fprintf(w, "  %+8.1fs  %s\n", l.t.Sub(start).Seconds(), l.text)
	}
	if changes == 0 {
		fmt.Fprintln(w, "  (the watch saw no change of any Ready, Stalled or Reconciling condition, pod template or generation)")
	}
	if changes > maxTimeline {
		fmt.Fprintf(w, "  ... and %d more changes (see the events file)\n", changes-maxTimeline)
	}
	fmt.Fprintln(w)
}

func describeEvent(e *Event) string {
	who := e.key()
	if e.Deleted {
		return who + " deleted"
	}
	var parts []string
	for _, what := range e.Changed {
		switch what {
		case "template":
			parts = append(parts, "pod template now "+e.TemplateHash)
		case "created":
			parts = append(parts, "created")
		case "generation":
			parts = append(parts, fmt.Sprintf("generation %d", e.Generation))
		default:
			cond, ok := e.Conditions[what]
			if !ok {
				parts = append(parts, what+" removed")
				continue
			}
			s := fmt.Sprintf("%s=%s", what, cond.Status)
			if cond.Reason != "" {
				s += " (" + cond.Reason + ")"
			}
			parts = append(parts, s)
		}
	}
	return who + ": " + strings.Join(parts, ", ")
}

// checkConditions: no watched object was ever not Ready or Stalled, from
// the watch's first listing to its end. Each object's spells of either are
// one violation.
func (c *comparison) checkConditions(r *report) {
	type spell struct {
		what, first string // the conditions (statuses and reasons), the first message
		from, to    string
		changes     int
	}
	var order []string
	spells := map[string][]*spell{}
	open := map[string]*spell{}
	objects, changes := 0, 0
	for i := range c.events {
		e := &c.events[i]
		if e.Kind == "Deployment" {
			continue
		}
		key := e.key()
		when := "before the upgrade (the watch's first listing)"
		if e.Initial {
			objects++
		} else {
			changes++
			when = fmt.Sprintf("+%.1fs", e.Time.Sub(c.before.Taken).Seconds())
		}
		what, message := badConditions(e)
		cur := open[key]
		if cur != nil && cur.what != what {
			cur.to, open[key], cur = when, nil, nil
		}
		if what == "" {
			continue
		}
		if cur == nil {
			if len(spells[key]) == 0 {
				order = append(order, key)
			}
			cur = &spell{what: what, first: message, from: when}
			spells[key], open[key] = append(spells[key], cur), cur
		}
		cur.changes++
	}
	for _, key := range order {
		var parts []string
		for _, s := range spells[key] {
			to := s.to
			if to == "" {
				to = "the end of the watch"
			}
			part := fmt.Sprintf("%s from %s to %s", s.what, s.from, to)
			if s.first != "" {
				part += fmt.Sprintf(" (%q", s.first)
				if s.changes > 1 {
					part += fmt.Sprintf(", %d changes", s.changes)
				}
				part += ")"
			}
			parts = append(parts, part)
		}
		r.violate("%s: %s", key, strings.Join(parts, "; "))
	}
	if objects == 0 {
		r.violate("the watch saw no ozg.dev object: nothing was checked")
	}
	r.note("%d objects watched, %d changes of their Ready, Stalled or Reconciling conditions", objects, changes)
}

// badConditions says what in an event breaks the rule (Ready not True,
// Stalled True, deleted) and the message of it, or "".
func badConditions(e *Event) (what, message string) {
	if e.Deleted {
		return "deleted", ""
	}
	var bad []string
	ready, ok := e.Conditions["Ready"]
	switch {
	case !ok:
		bad = append(bad, "no Ready condition")
	case ready.Status != "True":
		bad, message = append(bad, fmt.Sprintf("Ready=%s (%s)", ready.Status, ready.Reason)), ready.Message
	}
	if st, ok := e.Conditions["Stalled"]; ok && st.Status == "True" {
		bad = append(bad, fmt.Sprintf("Stalled=True (%s)", st.Reason))
		if message == "" {
			message = st.Message
		}
	}
	return strings.Join(bad, ", "), message
}

// checkDeployments: every portal Deployment keeps its pod template and
// ReplicaSets unless its content changed.
func (c *comparison) checkDeployments(r *report) {
	if len(c.before.Deployments) == 0 {
		r.violate("no portal Deployment before the upgrade: nothing was checked")
	}
	contentBefore := map[string]string{}
	for _, cm := range c.before.ConfigMaps {
		contentBefore[cm.Namespace+"/"+cm.Name] = cm.DataHash
	}
	contentChanged := map[string]bool{}
	for _, cm := range c.after.ConfigMaps {
		key := cm.Namespace + "/" + cm.Name
		old, ok := contentBefore[key]
		switch {
		case !ok:
			r.note("ConfigMap %s is new", key)
		case old != cm.DataHash:
			contentChanged[key] = true
			r.note("ConfigMap %s: content changed (data %s -> %s); the pods reload it without a restart", key, old, cm.DataHash)
		}
		delete(contentBefore, key)
	}
	for key := range contentBefore {
		r.violate("ConfigMap %s is gone after the upgrade", key)
	}

	// When the watch saw each pod template change: a template may also have
	// changed and changed back in between.
	changedAt := map[string][]string{}
	for i := range c.events {
		e := &c.events[i]
		if e.Kind == "Deployment" && !e.Initial && slices.Contains(e.Changed, "template") {
			key := e.Namespace + "/" + e.Name
			changedAt[key] = append(changedAt[key], fmt.Sprintf("+%.1fs", e.Time.Sub(c.before.Taken).Seconds()))
		}
	}
	seen := func(key string) string {
		if len(changedAt[key]) == 0 {
			return "not while the watch ran"
		}
		return "the watch saw it change at " + strings.Join(changedAt[key], ", ")
	}

	after := map[string]*Deployment{}
	for i := range c.after.Deployments {
		d := &c.after.Deployments[i]
		after[d.Namespace+"/"+d.Name] = d
	}
	unchanged := 0
	for i := range c.before.Deployments {
		b := &c.before.Deployments[i]
		key := b.Namespace + "/" + b.Name
		a, ok := after[key]
		delete(after, key)
		if !ok {
			r.violate("Deployment %s is gone after the upgrade", key)
			continue
		}
		if a.UID != b.UID {
			r.violate("Deployment %s was recreated (uid %s -> %s): its pods were replaced", key, b.UID, a.UID)
			continue
		}
		content := "its content (ConfigMap " + key + ") did not change"
		if contentChanged[key] {
			content = "its content (ConfigMap " + key + ") changed too"
		}
		switch {
		case a.TemplateHash != b.TemplateHash:
			var diffs []diff
			diffValues(nil, b.Template, a.Template, true, true, &diffs)
			onlyAnnotations := len(diffs) > 0
			for _, d := range diffs {
				onlyAnnotations = onlyAnnotations && len(d.path) > 1 && d.path[0] == "metadata" && d.path[1] == "annotations"
			}
			if onlyAnnotations && contentChanged[key] {
				fields := make([]string, len(diffs))
				for i, d := range diffs {
					fields[i] = "\n  spec.template." + d.String()
				}
				r.note("Deployment %s: pod template annotations changed with its content, a restart for new content:%s", key, strings.Join(fields, ""))
				continue
			}
			fields := make([]string, len(diffs))
			for i, d := range diffs {
				fields[i] = "\n  spec.template." + d.String()
			}
			r.violate("Deployment %s: pod template changed (generation %d -> %d; %s), so its pods restart; %s. The fields:%s",
				key, b.Generation, a.Generation, seen(key), content, strings.Join(fields, ""))
		case !slices.Equal(a.ReplicaSets, b.ReplicaSets) || len(changedAt[key]) > 0:
			r.violate("Deployment %s: the pod template is the same as before, but it changed in between (%s; ReplicaSets %v -> %v): its pods restarted",
				key, seen(key), b.ReplicaSets, a.ReplicaSets)
		case a.Generation != b.Generation:
			r.note("Deployment %s: spec changed (generation %d -> %d) without a new pod template: no restart", key, b.Generation, a.Generation)
		default:
			unchanged++
		}
	}
	for key := range after {
		r.violate("Deployment %s is new after the upgrade", key)
	}
	r.note("%d of %d portal Deployments unchanged (generation, pod template, ReplicaSets); %d portal contents changed",
		unchanged, len(c.before.Deployments), len(contentChanged))
}

// checkStatuses: every object's status after the upgrade is the status
// before it, field by field, but for fields this release adds (in its CRD
// schema and not in the previous one's) and for fields that depend on the
// time (a programme priority turning overdue as its target date passes).
func (c *comparison) checkStatuses(r *report) {
	after := map[string]*Object{}
	for i := range c.after.Objects {
		after[c.after.Objects[i].key()] = &c.after.Objects[i]
	}
	kindsBefore := map[string]bool{}
	identical, added, timed := 0, 0, 0
	for i := range c.before.Objects {
		b := &c.before.Objects[i]
		kindsBefore[b.Kind] = true
		a, ok := after[b.key()]
		delete(after, b.key())
		if !ok {
			r.violate("%s is gone after the upgrade", b.key())
			continue
		}
		if a.UID != b.UID {
			r.violate("%s was recreated (uid %s -> %s)", b.key(), b.UID, a.UID)
			continue
		}
		if a.Generation != b.Generation {
			r.violate("%s: metadata.generation %d -> %d: the upgrade changed its spec", b.key(), b.Generation, a.Generation)
		}
		var ann []diff
		diffValues([]string{"metadata", "annotations"}, anyMap(b.Annotations), anyMap(a.Annotations), len(b.Annotations) > 0, len(a.Annotations) > 0, &ann)
		for _, d := range ann {
			r.violate("%s: %s", b.key(), d)
		}
		var diffs []diff
		diffValues([]string{"status"}, b.Status, a.Status, b.Status != nil, a.Status != nil, &diffs)
		clean := len(ann) == 0 && a.Generation == b.Generation
		for _, d := range diffs {
			switch why := c.allowed(b, a, d); {
			case strings.HasPrefix(why, "added"):
				added++
				r.note("%s: %s (%s)", b.key(), d, why)
			case why != "":
				timed++
				r.note("%s: %s (%s)", b.key(), d, why)
			default:
				clean = false
				r.violate("%s: %s%s", b.key(), d, c.hint(b, a, d))
			}
		}
		if clean {
			identical++
		}
	}
	for key, a := range after {
		if kindsBefore[a.Kind] {
			r.violate("%s is new after the upgrade", key)
		} else {
			r.note("%s is new after the upgrade (a kind the previous release did not have)", key)
		}
	}
	r.note("%d of %d objects with the same generation, annotations and status; %d fields added by this release, %d changed with the time",
		identical, len(c.before.Objects), added, timed)
}

// allowed says why a status difference is within the rules, or "".
func (c *comparison) allowed(b, a *Object, d diff) string {
	if !d.hasBefore && d.hasAfter {
		_, inOld := resolve(c.oldSchemas[b.Kind], d.path[1:])
		_, inNew := resolve(c.newSchemas[b.Kind], d.path[1:])
		if inNew && !inOld {
			return "added by this release: not in the previous release's CRD"
		}
	}
	// status.priorities[i].overdue turns true the day after the target date.
	if b.Kind == "ServiceProgramme" && len(d.path) == 4 && d.path[1] == "priorities" && d.path[3] == "overdue" {
		idx, err := strconv.Atoi(strings.Trim(d.path[2], "[]"))
		if err != nil {
			return ""
		}
		list, _ := a.Status["priorities"].([]any)
		if idx >= len(list) {
			return ""
		}
		p, _ := list[idx].(map[string]any)
		target, _ := p["targetDate"].(string)
		day, err := time.Parse(time.DateOnly, target)
		if err != nil {
			return ""
		}
		// Due at the end of the target date, in whatever zone: within
		// 14 hours of UTC midnight.
		due := day.Add(24 * time.Hour)
		if !due.Before(c.before.Taken.Add(-14*time.Hour)) && !due.After(c.after.Taken.Add(14*time.Hour)) {
			return "time-dependent: the target date " + target + " passed during the check"
		}
	}
	return ""
}

// hint explains a condition's timestamp that changed while the condition
// did not.
func (c *comparison) hint(b, a *Object, d diff) string {
	if len(d.path) != 4 || d.path[1] != "conditions" || d.path[3] != "lastTransitionTime" {
		return ""
	}
	cb, ca := condition(b.Status, d.path[2]), condition(a.Status, d.path[2])
	if cb != nil && ca != nil && cb["status"] == ca["status"] {
		return fmt.Sprintf(" (%v before and after: the time moves only when the condition changes in between or is rewritten)", ca["status"])
	}
	return ""
}

// condition finds the condition "[Type]" in a status.
func condition(status map[string]any, seg string) map[string]any {
	list, _ := status["conditions"].([]any)
	t := strings.Trim(seg, "[]")
	for _, item := range list {
		if m, ok := item.(map[string]any); ok && m["type"] == t {
			return m
		}
	}
	return nil
}

// diff is one field that differs: path segments, list entries as "[i]"
// or, for conditions, "[Type]".
type diff struct {
	path                []string
	before, after       any
	hasBefore, hasAfter bool
}

func pathString(path []string) string {
	var b strings.Builder
	for i, s := range path {
		if i > 0 && !strings.HasPrefix(s, "[") {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

func (d diff) String() string {
	value := func(v any, has bool) string {
		if !has {
			return "(absent)"
		}
		data, _ := json.Marshal(v)
		if len(data) > 200 {
			return string(data[:200]) + "..."
		}
		return string(data)
	}
	return fmt.Sprintf("%s: %s -> %s", pathString(d.path), value(d.before, d.hasBefore), value(d.after, d.hasAfter))
}

// diffValues appends every difference between a and b below path.
func diffValues(path []string, a, b any, hasA, hasB bool, out *[]diff) {
	if !hasA && !hasB {
		return
	}
	if !hasA || !hasB {
		*out = append(*out, diff{path: slices.Clone(path), before: a, after: b, hasBefore: hasA, hasAfter: hasB})
		return
	}
	ma, okA := a.(map[string]any)
	mb, okB := b.(map[string]any)
	if okA && okB {
		keys := map[string]bool{}
		for k := range ma {
			keys[k] = true
		}
		for k := range mb {
			keys[k] = true
		}
		for _, k := range slices.Sorted(maps.Keys(keys)) {
			va, inA := ma[k]
			vb, inB := mb[k]
			diffValues(append(path, k), va, vb, inA, inB, out)
		}
		return
	}
	la, okA := a.([]any)
	lb, okB := b.([]any)
	if okA && okB {
		if len(path) > 0 && path[len(path)-1] == "conditions" {
			if ca, cb := byType(la), byType(lb); ca != nil && cb != nil {
				diffValues(path, ca, cb, true, true, out)
				return
			}
		}
		for i := 0; i < max(len(la), len(lb)); i++ {
			var va, vb any
			if i < len(la) {
				va = la[i]
			}
			if i < len(lb) {
				vb = lb[i]
			}
			diffValues(append(path, "["+strconv.Itoa(i)+"]"), va, vb, i < len(la), i < len(lb), out)
		}
		return
	}
	if !reflect.DeepEqual(a, b) {
		*out = append(*out, diff{path: slices.Clone(path), before: a, after: b, hasBefore: true, hasAfter: true})
	}
}

// byType keys a conditions list by "[Type]", or is nil if an entry has no
// type; diffValues walks it as a map whose keys are those segments.
func byType(list []any) map[string]any {
	m := map[string]any{}
	for _, item := range list {
		c, ok := item.(map[string]any)
		if !ok {
			return nil
		}
		t, ok := c["type"].(string)
		if !ok {
			return nil
		}
		m["["+t+"]"] = c
	}
	return m
}

func anyMap(m map[string]string) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// resolve finds the schema of the field at path below s ("[...]" segments
// are list items); ok is false when the schema has no such field.
func resolve(s *apiextensionsv1.JSONSchemaProps, path []string) (*apiextensionsv1.JSONSchemaProps, bool) {
	if s == nil {
		return nil, false
	}
	for _, seg := range path {
		if s.XPreserveUnknownFields != nil && *s.XPreserveUnknownFields {
			return s, true
		}
		if strings.HasPrefix(seg, "[") {
			if s.Items == nil || s.Items.Schema == nil {
				return nil, false
			}
			s = s.Items.Schema
			continue
		}
		if p, ok := s.Properties[seg]; ok {
			s = &p
			continue
		}
		if s.AdditionalProperties != nil && s.AdditionalProperties.Schema != nil {
			s = s.AdditionalProperties.Schema
			continue
		}
		return nil, false
	}
	return s, true
}

// readSchemas reads the status schema of each kind of the ozg.dev CRDs in
// dir, from its storage version.
func readSchemas(dir string) (map[string]*apiextensionsv1.JSONSchemaProps, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil {
		return nil, err
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no CRDs in %s", dir)
	}
	schemas := map[string]*apiextensionsv1.JSONSchemaProps{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var crd apiextensionsv1.CustomResourceDefinition
		if err := yaml.Unmarshal(data, &crd); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if crd.Spec.Group != group {
			continue
		}
		for _, v := range crd.Spec.Versions {
			if v.Storage && v.Schema != nil && v.Schema.OpenAPIV3Schema != nil {
				if st, ok := v.Schema.OpenAPIV3Schema.Properties["status"]; ok {
					schemas[crd.Spec.Names.Kind] = &st
				}
			}
		}
	}
	return schemas, nil
}

func readSnapshot(file string) (*Snapshot, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var s Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &s, nil
}

func readEvents(file string) ([]Event, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var events []Event
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 16<<20)
	for n := 1; sc.Scan(); n++ {
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", file, n, err)
		}
		events = append(events, e)
	}
	return events, sc.Err()
}

func readPhases(file string) ([]phase, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var phases []phase
	for _, l := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		ts, text, ok := strings.Cut(l, " ")
		if !ok {
			continue
		}
		t, err := time.Parse(time.RFC3339Nano, ts)
		if err != nil {
			return nil, fmt.Errorf("%s: %q: %w", file, l, err)
		}
		phases = append(phases, phase{t, text})
	}
	return phases, nil
}
