package transform

import (
	"testing"

	"github.com/decouple-dev/decouple/internal/nodeversion"
)

func TestNewVersionTag(t *testing.T) {
	for tag, want := range map[string]string{
		"18":                 "24",
		"18-alpine":          "24-alpine",
		"18.19.0-bookworm":   "24-bookworm",
		"alpine":             "24-alpine",
		"slim-15":            "slim-24", // mhart/alpine-node writes the variant first
		"hydrogen-alpine3.9": "24-alpine3.9",
	} {
		v, ok := nodeversion.FromTag(tag)
		if !ok {
			t.Fatalf("FromTag(%q) not understood", tag)
		}
		if got := newVersionTag(v, "24"); got != want {
			t.Errorf("newVersionTag(%q, 24) = %q, want %q", tag, got, want)
		}
	}
}

func TestNewVersionTagEmbedded(t *testing.T) {
	for tag, want := range map[string]string{"3.2.0-node24.19.0": "3.2.0-node26", "2.1-nodejs20-alpine": "2.1-nodejs26-alpine"} {
		v, _ := nodeversion.FromTag(tag)
		if got := newVersionTag(v, "26"); got != want {
			t.Errorf("newVersionTag(%q, 26) = %q, want %q", tag, got, want)
		}
	}
}
