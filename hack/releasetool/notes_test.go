package main

import (
	"strings"
	"testing"
)

const changelog = `# Changelog

All notable changes ...

## [Unreleased]

### Added
- Something new.

## [0.2.0] - 2025-03-01

### Added
- make release.

` + "```" + `
## [0.9.9] inside a code block is no heading
` + "```" + `

### Fixed
- A bug.

## [0.2.0-rc.1] - 2025-02-20

## [0.1.0] - 2025-01-01

### Added
- The first release.

[Unreleased]: https://github.com/ozg-operator/ozg-operator/compare/v0.2.0...HEAD
[0.2.0]: https://github.com/ozg-operator/ozg-operator/compare/v0.1.0...v0.2.0
`

func TestNotes(t *testing.T) {
	for _, tc := range []struct {
		changelog, version string
		want               string // "" when an error is wanted
		wantErr            string
	}{
		{changelog, "0.2.0", "## [0.2.0] - 2025-03-01\n\n### Added\n- make release.\n\n```\n## [0.9.9] inside a code block is no heading\n```\n\n### Fixed\n- A bug.\n", ""},
		// The last section ends at the link definitions.
		{changelog, "0.1.0", "## [0.1.0] - 2025-01-01\n\n### Added\n- The first release.\n", ""},
		// A pre-release without a section of its own: Unreleased.
		{changelog, "0.3.0-rc.1", "## [0.3.0-rc.1] (pre-release)\n\n### Added\n- Something new.\n", ""},
		{changelog, "0.0.0-ci+build.5", "## [0.0.0-ci+build.5] (pre-release)\n\n### Added\n- Something new.\n", ""},
		// A pre-release's own empty section, and an empty Unreleased.
		{changelog, "0.2.0-rc.1", "## [0.2.0-rc.1] - 2025-02-20\n\n" + nothingListed + "\n", ""},
		{"## [Unreleased]\n\n## [0.1.0]\n- x\n", "0.2.0-rc.1", "## [0.2.0-rc.1] (pre-release)\n\n" + nothingListed + "\n", ""},
		// A release needs its section, with changes.
		{changelog, "0.3.0", "", `no section "## [0.3.0] - YYYY-MM-DD"`},
		{changelog, "0.3.0+build.1", "", `no section`},
		{"## [0.3.0] - 2025-04-01\n\n## [0.2.0]\n- x\n", "0.3.0", "", "lists no changes"},
		{"# Changelog\n", "0.3.0-rc.1", "", "neither"},
		// CRLF line ends.
		{"## [1.0.0]\r\n- a\r\n", "1.0.0", "## [1.0.0]\n\n- a\n", ""},
	} {
		got, err := Notes(tc.changelog, tc.version)
		if tc.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("%s: got %q, %v; want an error with %q", tc.version, got, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.version, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got\n%s\nwant\n%s", tc.version, got, tc.want)
		}
	}
}

func TestSectionsKeepsTheFirstOfTwo(t *testing.T) {
	s := Sections("## [1.0.0]\n- first\n## [1.0.0]\n- second\n")
	if got := s["1.0.0"].Body; got != "- first" {
		t.Errorf("got %q", got)
	}
}
