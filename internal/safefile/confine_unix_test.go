//go:build unix

package safefile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestReadConfined: under the working folder, a file is read only where it
// resolves inside it. Links that leave it (relative, absolute, through a
// linked folder, chained) are refused with ErrOutside and a loop with
// ErrLoop; links that stay inside (relative or absolute) are followed; a
// path outside the working folder to begin with is read where it is.
func TestReadConfined(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	out := filepath.Join(base, "out")
	for _, d := range []string{root, out, filepath.Join(root, "sub")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p, s string) {
		if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		if err := os.Symlink(target, p); err != nil {
			t.Skip(err)
		}
	}
	write(filepath.Join(out, "secret"), "outside")
	write(filepath.Join(root, "sub", "file"), "inside")
	link("../out/secret", filepath.Join(root, "rel"))
	link(filepath.Join(out, "secret"), filepath.Join(root, "abs"))
	link("../out", filepath.Join(root, "dirlink"))
	link("rel", filepath.Join(root, "chain"))
	link("sub/file", filepath.Join(root, "in"))
	link(filepath.Join(root, "sub", "file"), filepath.Join(root, "absin"))
	link("loopb", filepath.Join(root, "loopa"))
	link("loopa", filepath.Join(root, "loopb"))
	t.Chdir(root)

	for _, p := range []string{"rel", "abs", "dirlink/secret", "chain", filepath.Join(root, "rel")} {
		src, err := Read(p, 0)
		if !errors.Is(err, ErrOutside) || src != nil {
			t.Errorf("Read(%q) = %q, %v; want ErrOutside", p, src, err)
		}
		var pe *os.PathError
		if !errors.As(err, &pe) || pe.Path != p {
			t.Errorf("Read(%q): error %v does not name the path", p, err)
		}
		if err := Check(p); !errors.Is(err, ErrOutside) {
			t.Errorf("Check(%q) = %v; want ErrOutside", p, err)
		}
	}
	if _, err := Read("loopa", 0); !errors.Is(err, ErrLoop) {
		t.Errorf("Read(loop) = %v; want ErrLoop", err)
	}
	for _, p := range []string{"in", "absin", "sub/file", filepath.Join(root, "in")} {
		if src, err := Read(p, 0); err != nil || string(src) != "inside" {
			t.Errorf("Read(%q) = %q, %v; want inside", p, src, err)
		}
		if err := Check(p); err != nil {
			t.Errorf("Check(%q) = %v", p, err)
		}
	}
	if _, err := Read("missing", 0); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("Read(missing) = %v; want ErrNotExist", err)
	}
	if err := Check("missing"); err != nil {
		t.Errorf("Check(missing) = %v; want nil", err)
	}
	// Outside the working folder as written: read where it is.
	if src, err := Read(filepath.Join(out, "secret"), 0); err != nil || string(src) != "outside" {
		t.Errorf("Read(outside path) = %q, %v", src, err)
	}
	if src, err := ReadAnywhere("rel", 0); err != nil || string(src) != "outside" {
		t.Errorf("ReadAnywhere(rel) = %q, %v", src, err)
	}
}
