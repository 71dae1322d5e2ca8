// Package imageref parses container image references as they are written in
// a Dockerfile FROM line or a compose file's image: key.
//
// Unlike the reference parser in the Docker distribution code it does not
// normalise anything (no "docker.io/", no "library/", no ":latest"): a
// rewriter needs the text exactly as the user wrote it, plus the byte offsets
// of the tag, so that a fix changes the tag and nothing else. Compose-style
// interpolation (${VAR}, ${VAR:-default}, $VAR) is allowed anywhere and is
// reported verbatim, because the values are not known when linting.
package imageref

import (
	"strings"
	"unicode"
)

// Ref is an image reference split into its parts. Every string field is a
// substring of Raw.
type Ref struct {
	Raw      string // the reference exactly as given
	Registry string // e.g. "ghcr.io", "localhost:5000", "${REGISTRY}"; "" for Docker Hub
	Path     string // repository path without the registry, e.g. "node", "library/node", "mhart/alpine-node"
	Name     string // last component of Path, e.g. "node"
	Tag      string // e.g. "20.11.1-alpine3.19"; "" when absent
	Digest   string // e.g. "sha256:…" (without the '@'); "" when absent
	TagStart int    // offset of Tag in Raw, -1 when there is no tag
	TagEnd   int    // offset just past Tag in Raw, -1 when there is no tag
}

// Parse splits s into a Ref. It reports false for text that cannot be a
// reference: empty, containing white space, an empty path component, an
// empty tag or digest, or an unterminated "${".
func Parse(s string) (Ref, bool) {
	r := Ref{Raw: s, TagStart: -1, TagEnd: -1}
	if s == "" || strings.ContainsFunc(s, unicode.IsSpace) {
		return r, false
	}
	top, ok := topLevel(s)
	if !ok {
		return r, false
	}

	nameEnd := len(s)
	if at := indexTop(s, top, '@', 0, len(s)); at >= 0 {
		r.Digest = s[at+1:]
		if r.Digest == "" {
			return r, false
		}
		nameEnd = at
	}

	// A ':' is a tag separator only after the last '/': before it, it is the
	// port of a registry ("localhost:5000/node").
	repoEnd := nameEnd
	lastSlash := lastIndexTop(s, top, '/', 0, nameEnd)
	if colon := lastIndexTop(s, top, ':', lastSlash+1, nameEnd); colon >= 0 {
		if colon+1 == nameEnd {
			return r, false
		}
		r.Tag = s[colon+1 : nameEnd]
		r.TagStart, r.TagEnd = colon+1, nameEnd
		repoEnd = colon
	}

	// Offsets of each path component, so that Registry and Path stay
	// substrings of Raw.
	var starts []int
	start := 0
	for i := 0; i <= repoEnd; i++ {
		if i == repoEnd || (s[i] == '/' && top[i]) {
			if i == start {
				return r, false
			}
			starts = append(starts, start)
			start = i + 1
		}
	}
	pathStart := 0
	if len(starts) > 1 && isRegistry(s[:starts[1]-1]) {
		r.Registry = s[:starts[1]-1]
		pathStart = starts[1]
	}
	r.Path = s[pathStart:repoEnd]
	r.Name = s[starts[len(starts)-1]:repoEnd]
	return r, true
}

// isRegistry applies Docker's rule for the first path component: it names a
// registry when it looks like a host name (has a '.' or a ':' port) or is
// "localhost". A component made of interpolation ("${REGISTRY}",
// "$CI_REGISTRY") cannot be judged by that rule; it is taken to be a registry
// because that is what such variables hold in practice.
func isRegistry(c string) bool {
	return strings.ContainsAny(c, ".:$") || c == "localhost"
}

// WithTag returns Raw with its tag replaced by tag, leaving every other byte
// as it was. A reference without a tag gets ":"+tag after its path (before
// any digest). An empty tag removes the tag and its ':'.
func (r Ref) WithTag(tag string) string {
	if r.TagStart >= 0 {
		if tag == "" {
			return r.Raw[:r.TagStart-1] + r.Raw[r.TagEnd:]
		}
		return r.Raw[:r.TagStart] + tag + r.Raw[r.TagEnd:]
	}
	if tag == "" {
		return r.Raw
	}
	end := len(r.Raw)
	if r.Digest != "" {
		end -= len(r.Digest) + 1
	}
	return r.Raw[:end] + ":" + tag + r.Raw[end:]
}

// SplitTag splits an image tag into the version it selects and the variant
// suffix, keeping the variant's leading '-' so that version+variant == tag:
//
//	"20.11.1-alpine3.19" -> ("20.11.1", "-alpine3.19")
//	"lts-buster-slim"    -> ("lts", "-buster-slim")
//	"carbon"             -> ("carbon", "")
//	"alpine"             -> ("", "alpine")
//
// The first '-'-separated part is the version unless it is a well-known
// distribution or flavour word (alpine, slim, bookworm, …), in which case the
// tag selects only a variant of the default version. A '-' inside "${…}"
// does not separate.
func SplitTag(tag string) (version, variant string) {
	top, ok := topLevel(tag)
	if !ok {
		return tag, ""
	}
	end := indexTop(tag, top, '-', 0, len(tag))
	if end < 0 {
		end = len(tag)
	}
	if end == 0 || isVariantWord(tag[:end]) {
		return "", tag
	}
	return tag[:end], tag[end:]
}

// variantWords are the first words of tags that pick a flavour rather than a
// version, across the official images (node, python, …) and the common
// third-party ones. Trailing digits and dots are stripped before lookup, so
// "alpine3.19" and "ubi9" match.
var variantWords = map[string]bool{
	"alpine": true, "slim": true, "onbuild": true, "minimal": true,
	"bookworm": true, "bullseye": true, "buster": true, "stretch": true,
	"jessie": true, "wheezy": true, "trixie": true, "forky": true, "sid": true,
	"trusty": true, "xenial": true, "bionic": true, "focal": true,
	"jammy": true, "noble": true,
	"debian": true, "ubuntu": true, "ubi": true, "wolfi": true,
	"distroless": true, "chainguard": true,
	"windowsservercore": true, "nanoserver": true,
}

func isVariantWord(w string) bool {
	if strings.Contains(w, "$") {
		return false
	}
	return variantWords[strings.ToLower(strings.TrimRight(w, "0123456789."))]
}

// topLevel marks which bytes of s lie outside "${…}" interpolation, so that
// separators inside a default value ("${V:-18-alpine}") are not taken as
// structure. "$$" is compose's escaped dollar. It reports false when a "${"
// is never closed.
func topLevel(s string) ([]bool, bool) {
	top := make([]bool, len(s))
	depth := 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '$':
			top[i], top[i+1] = depth == 0, depth == 0
			i++
		case s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			depth++
			i++
		case s[i] == '}' && depth > 0:
			depth--
		default:
			top[i] = depth == 0
		}
	}
	return top, depth == 0
}

// indexTop is strings.IndexByte restricted to s[from:to] and to bytes
// outside interpolation.
func indexTop(s string, top []bool, c byte, from, to int) int {
	for i := from; i < to; i++ {
		if s[i] == c && top[i] {
			return i
		}
	}
	return -1
}

// lastIndexTop is the last-match counterpart of indexTop.
func lastIndexTop(s string, top []bool, c byte, from, to int) int {
	for i := to - 1; i >= from; i-- {
		if s[i] == c && top[i] {
			return i
		}
	}
	return -1
}
