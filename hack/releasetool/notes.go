package main

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	// sectionHeading is a version's heading in Keep a Changelog form:
	// "## [1.2.0] - 2025-01-31", "## [Unreleased]".
	sectionHeading = regexp.MustCompile(`^##\s+\[([^\]]+)\]`)
	// linkDefinition is a Markdown link reference definition, which Keep a
	// Changelog puts after the last section ("[1.2.0]: https://...").
	linkDefinition = regexp.MustCompile(`^\[[^\]]+\]:\s`)
)

// Unreleased is the section of changes not yet released.
const Unreleased = "Unreleased"

// Notes returns the release notes of version from a changelog in Keep a
// Changelog form: the section "## [version]" with its heading. A
// pre-release (a version with "-") without its own section gets the
// Unreleased section under a heading for the version. A release without a
// section, or with an empty one, is an error: its changes must be written
// down before it is cut.
func Notes(changelog, version string) (string, error) {
	sections := Sections(changelog)
	prerelease := strings.Contains(strings.SplitN(version, "+", 2)[0], "-")
	if s, ok := sections[version]; ok {
		if s.Body == "" {
			if prerelease {
				return s.Heading + "\n\n" + nothingListed + "\n", nil
			}
			return "", fmt.Errorf("the section %q lists no changes; add them before releasing %s", s.Heading, version)
		}
		return s.Heading + "\n\n" + s.Body + "\n", nil
	}
	if !prerelease {
		return "", fmt.Errorf("no section \"## [%s] - YYYY-MM-DD\": add it (rename [%s] to it) before releasing %s", version, Unreleased, version)
	}
	heading := fmt.Sprintf("## [%s] (pre-release)", version)
	s, ok := sections[Unreleased]
	if !ok {
		return "", fmt.Errorf("neither a section \"## [%s]\" nor \"## [%s]\" for the pre-release %s: add one", version, Unreleased, version)
	}
	if s.Body == "" {
		return heading + "\n\n" + nothingListed + "\n", nil
	}
	return heading + "\n\n" + s.Body + "\n", nil
}

// nothingListed is a pre-release's notes when the changelog lists nothing
// for it (right after a release): CI's pre-release must not fail then.
const nothingListed = "No changes listed since the last release."

// Section is one version's part of a changelog.
type Section struct {
	Heading string // the heading line as written
	Body    string // the lines below it, without blank lines at either end
}

// Sections splits a changelog into its version sections, by the name in
// the heading's brackets. Headings inside fenced code blocks do not count;
// a section ends at the next heading of level 1 or 2 or at the link
// reference definitions after the last section.
func Sections(changelog string) map[string]Section {
	sections := map[string]Section{}
	var name, heading string
	var body []string
	inSection, fenced := false, false
	flush := func() {
		if inSection {
			if _, dup := sections[name]; !dup {
				sections[name] = Section{Heading: heading, Body: trimBlank(body)}
			}
		}
		inSection, body = false, nil
	}
	for _, line := range strings.Split(strings.ReplaceAll(changelog, "\r\n", "\n"), "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "```") || strings.HasPrefix(trimmed, "~~~") {
			fenced = !fenced
		}
		if !fenced {
			if m := sectionHeading.FindStringSubmatch(line); m != nil {
				flush()
				name, heading, inSection = strings.TrimSpace(m[1]), strings.TrimRight(line, " \t"), true
				continue
			}
			if strings.HasPrefix(line, "# ") || strings.HasPrefix(line, "## ") || linkDefinition.MatchString(line) {
				flush()
				continue
			}
		}
		if inSection {
			body = append(body, strings.TrimRight(line, " \t"))
		}
	}
	flush()
	return sections
}

// trimBlank joins lines without the blank ones at either end.
func trimBlank(lines []string) string {
	for len(lines) > 0 && strings.TrimSpace(lines[0]) == "" {
		lines = lines[1:]
	}
	for len(lines) > 0 && strings.TrimSpace(lines[len(lines)-1]) == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
