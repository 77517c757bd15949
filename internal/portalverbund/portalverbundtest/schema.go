// Package portalverbundtest checks feeds against the JSON Schema the
// project ships, for the tests of every package that writes one.
package portalverbundtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/ozg-operator/ozg-operator/internal/portalverbund"
)

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(portalverbund.Schema))
	if err != nil {
		return nil, fmt.Errorf("decoding the schema: %w", err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	const url = "https://ozg.dev/schema/portalverbund.v1.schema.json"
	if err := c.AddResource(url, doc); err != nil {
		return nil, err
	}
	return c.Compile(url)
})

// Validate reports whether data is a feed the schema accepts.
func Validate(data []byte) error {
	schema, err := compiled()
	if err != nil {
		return err
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("decoding the feed: %w", err)
	}
	return schema.Validate(v)
}

// MustValidate fails t unless data validates, and returns it decoded.
func MustValidate(t testing.TB, data []byte) *portalverbund.Feed {
	t.Helper()
	if err := Validate(data); err != nil {
		t.Fatalf("the feed does not validate against %s: %v", "schema/portalverbund.v1.schema.json", err)
	}
	var f portalverbund.Feed
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("decoding the feed: %v", err)
	}
	return &f
}
