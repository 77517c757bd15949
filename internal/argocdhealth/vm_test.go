package argocdhealth

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	lua "github.com/yuin/gopher-lua"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// health is what a health check returns, as Argo CD reads it.
type health struct {
	Status  string
	Message string
}

func (h health) String() string { return fmt.Sprintf("%s %q", h.Status, h.Message) }

// statuses are the health codes Argo CD accepts from a script; any other
// makes it report Unknown ("Lua returned an invalid health status").
var statuses = []string{"Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown"}

// evaluate runs a health check the way Argo CD v3.2's application
// controller runs one from argocd-cm (util/lua in argo-cd, with gopher-lua
// v1.1.1, which go.mod pins here too):
//
//   - a fresh LState for every call, without Lua's standard libraries: a
//     script from argocd-cm runs with only base, package and table (and a
//     reduced os, which these scripts do not use) unless
//     resource.customizations.useOpenLibs.<group>_<kind> is true; so string,
//     math and io are absent here as there;
//   - a deadline of one second;
//   - the live object as the global obj, a Lua table converted from the
//     unstructured object (maps to tables, lists to sequences, numbers to
//     numbers, json.Number to strings);
//   - the chunk's return value, which must be a table; its status must be
//     one of statuses and, like the message, a string (Argo CD decodes the
//     table as JSON into {status, message} strings).
func evaluate(script string, obj map[string]any) (health, error) {
	l := lua.NewState(lua.Options{SkipOpenLibs: true})
	defer l.Close()
	for _, lib := range []struct {
		name string
		open lua.LGFunction
	}{
		{lua.LoadLibName, lua.OpenPackage},
		{lua.BaseLibName, lua.OpenBase},
		{lua.TabLibName, lua.OpenTable},
	} {
		if err := l.CallByParam(lua.P{Fn: l.NewFunction(lib.open), NRet: 0, Protect: true}, lua.LString(lib.name)); err != nil {
			return health{}, err
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	l.SetContext(ctx)
	l.SetGlobal("obj", toLua(l, obj))
	if err := l.DoString(script); err != nil {
		return health{}, err
	}
	ret, ok := l.Get(-1).(*lua.LTable)
	if !ok {
		return health{}, fmt.Errorf("the script returned %s, not a table", l.Get(-1).Type())
	}
	var h health
	var err error
	ret.ForEach(func(k, v lua.LValue) {
		s, isString := v.(lua.LString)
		switch {
		case err != nil:
		case k.String() != "status" && k.String() != "message":
			err = fmt.Errorf("the result has the field %s besides status and message", k)
		case !isString:
			err = fmt.Errorf("the result's %s is a %s, not a string", k, v.Type())
		case k.String() == "status":
			h.Status = string(s)
		default:
			h.Message = string(s)
		}
	})
	if err != nil {
		return health{}, err
	}
	if !slices.Contains(statuses, h.Status) {
		return health{}, fmt.Errorf("the result's status %q is not one of %v", h.Status, statuses)
	}
	return h, nil
}

// toLua converts an unstructured value into Lua.
func toLua(l *lua.LState, v any) lua.LValue {
	switch v := v.(type) {
	case nil:
		return lua.LNil
	case bool:
		return lua.LBool(v)
	case string:
		return lua.LString(v)
	case json.Number:
		return lua.LString(v)
	case int64:
		return lua.LNumber(v)
	case int:
		return lua.LNumber(v)
	case int32:
		return lua.LNumber(v)
	case float64:
		return lua.LNumber(v)
	case []any:
		t := l.CreateTable(len(v), 0)
		for _, item := range v {
			t.Append(toLua(l, item))
		}
		return t
	case map[string]any:
		t := l.CreateTable(0, len(v))
		for key, item := range v {
			t.RawSetH(lua.LString(key), toLua(l, item))
		}
		return t
	}
	return lua.LNil
}

// unstructuredOf is obj as Argo CD's cache holds it: its JSON decoded into
// an unstructured object (integers as int64).
func unstructuredOf(t *testing.T, obj any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(obj)
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{}
	if err := u.UnmarshalJSON(raw); err != nil {
		t.Fatal(err)
	}
	return u.Object
}

// TestEvaluateIsStrict checks the harness itself: it must reject what
// Argo CD rejects, or the tests below would pass scripts that fail there.
func TestEvaluateIsStrict(t *testing.T) {
	for _, tc := range []struct {
		name, script, want string
	}{
		{"string library", `return { status = string.lower("HEALTHY") }`, "non-table object(nil) with key 'lower'"},
		{"string methods", `local s = "Healthy"; return { status = s:lower() }`, ""},
		{"math library", `return { status = "Healthy", message = "" .. math.floor(1.5) }`, "non-table object(nil) with key 'floor'"},
		{"no table", `return "Healthy"`, "not a table"},
		{"invalid status", `return { status = "Ready" }`, "not one of"},
		{"number message", `return { status = "Healthy", message = 3 }`, "not a string"},
		{"extra field", `return { status = "Healthy", reason = "x" }`, "besides"},
		{"endless loop", `while true do end`, "context deadline exceeded"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := evaluate(tc.script, map[string]any{})
			if err == nil {
				t.Fatalf("got %v, want an error", h)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got error %v, want one mentioning %q", err, tc.want)
			}
		})
	}
	h, err := evaluate(`return { status = "Healthy", message = obj.a.b[2] .. tostring(obj.n + 1) }`,
		map[string]any{"a": map[string]any{"b": []any{"x", "y"}}, "n": int64(41)})
	if err != nil || h != (health{"Healthy", "y42"}) {
		t.Fatalf("got %v, %v; want Healthy \"y42\"", h, err)
	}
}
