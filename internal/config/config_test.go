package config

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	src := `rules:
  DC002: off
  node-runtime-bundled: Warning
ignore-paths: [legacy/**, "*.bak.yml"]
fail-on: error
fix:
  strategy: install
  code-image: busybox
node-images: acme/node
eol-warning-days: 30
`
	c, err := Parse("c.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Rules) != 2 || c.Rules[0] != (RuleSetting{"DC002", "off", 2}) || c.Rules[1].Value != "warning" || c.Rules[1].Line != 3 {
		t.Errorf("rules = %+v", c.Rules)
	}
	if c.FailOn != "error" || c.FixStrategy != "install" || c.FixCodeImage != "busybox" {
		t.Errorf("got %+v", c)
	}
	if len(c.NodeImages) != 1 || c.NodeImages[0] != "acme/node" || c.EOLWarningDays == nil || *c.EOLWarningDays != 30 {
		t.Errorf("got %+v", c)
	}
	cwd := "/w"
	c.Path = "/w/.decouple.yaml"
	for file, want := range map[string]bool{
		"legacy/Dockerfile":      true,
		"legacy/a/b/compose.yml": true,
		"/w/legacy/Dockerfile":   true,
		"x.bak.yml":              true,
		"sub/x.bak.yml":          false,
		"Dockerfile":             false,
		"/elsewhere/legacy/x":    false,
	} {
		if got := c.Ignored(file, cwd); got != want {
			t.Errorf("Ignored(%q) = %v, want %v", file, got, want)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ src, want string }{
		{"rules: {}\nbogus: 1\n", "c.yaml:2: unknown key \"bogus\""},
		{"rules:\n  DC001: loud\n", "c.yaml:2: rules.DC001: want off"},
		{"fail-on: sometimes\n", "c.yaml:1: fail-on:"},
		{"fix:\n  strategy: copy\n", "c.yaml:2: fix.strategy"},
		{"fix:\n  other: 1\n", "c.yaml:2: unknown key \"other\" in fix"},
		{"eol-warning-days: soon\n", "c.yaml:1: eol-warning-days"},
		{"node-images: {a: b}\n", "c.yaml:1: node-images"},
		{"rules: [DC001]\n", "c.yaml:1: rules: want a mapping"},
		{"fail-on: error\nfail-on: info\n", "c.yaml:2: the configuration: duplicate key"},
		{"- a\n", "c.yaml:1: the configuration: want a mapping"},
		{"rules: [a\n  b: c\n", "c.yaml:1: invalid YAML"},
		{"ignore-paths: ['[ab']\n", "c.yaml:1: ignore-paths: pattern"},
	} {
		_, err := Parse("c.yaml", []byte(tc.src))
		var ce *Error
		if !errors.As(err, &ce) || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Parse(%q) = %v, want %s...", tc.src, err, tc.want)
		}
	}
	if c, err := Parse("c.yaml", nil); err != nil || c == nil {
		t.Errorf("empty file: %v", err)
	}
}

func TestFind(t *testing.T) {
	root := t.TempDir()
	sub := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	if got, _ := Find(sub); got != "" {
		t.Errorf("no config: Find = %q", got)
	}
	want := filepath.Join(root, "a", FileName)
	if err := os.WriteFile(want, []byte("fail-on: never\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, _ := Find(sub); got != want {
		t.Errorf("Find = %q, want %q", got, want)
	}
}
