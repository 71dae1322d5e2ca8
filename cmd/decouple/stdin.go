package main

// Standard input: linted from a temporary copy under the name it is given.

import (
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/safefile"
	"github.com/decouple-dev/decouple/internal/workspace"
)

// stdinFile is standard input without --stdin-filename, copied to a
// temporary folder outside the project so the loaders can read it like any
// file; findings are renamed back to "-" afterwards.
type stdinFile struct {
	dir, path string // the temporary copy
	name      string // what findings call it
}

// readStdin reads standard input when the only PATH is "-": with
// --stdin-filename it stands in for that file (opts.Load.Buffer), without
// it it is copied to a temporary file.
func readStdin(c *cli.Context, opts *lint.Options) (*stdinFile, error) {
	paths := opts.Load.Paths
	hasDash := slices.Contains(paths, "-")
	if !hasDash {
		if c.String("stdin-filename") != "" {
			return nil, fmt.Errorf("--stdin-filename: give - as the PATH to read standard input")
		}
		return nil, nil
	}
	if len(paths) > 1 || len(opts.Load.ComposeFiles) > 0 {
		return nil, fmt.Errorf("- (standard input) must be the only PATH")
	}
	if c.Bool("fix") || c.Bool("diff") {
		return nil, fmt.Errorf("--fix and --diff cannot rewrite standard input; name the file instead")
	}
	src, err := io.ReadAll(c.App.Reader)
	if err != nil {
		return nil, fmt.Errorf("reading standard input: %w", err)
	}
	if name := c.String("stdin-filename"); name != "" {
		// The text stands in for that file, read where it is: its
		// Dockerfiles, contexts, .env and override beside it are read
		// from its folder. Nothing is written (--fix is refused above).
		abs, err := filepath.Abs(name)
		if err != nil {
			return nil, err
		}
		if st, err := os.Stat(abs); err == nil && st.IsDir() {
			return nil, fmt.Errorf("--stdin-filename: %s is a folder; name the file standard input stands for", name)
		}
		opts.Load.Buffer = &compose.Overlay{Path: abs, Src: src}
		opts.Load.Paths = nil
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "decouple-stdin-")
	if err != nil {
		return nil, err
	}
	// Its kind is guessed from the content.
	in := &stdinFile{dir: dir, path: filepath.Join(dir, "stdin"), name: "-"}
	if err := os.WriteFile(in.path, src, 0o600); err != nil {
		in.cleanup()
		return nil, err
	}
	// The .dockerignore of the working folder decides DC002 for a
	// Dockerfile; copy it next to the temporary copy.
	if ign, err := safefile.Read(".dockerignore", 0); err == nil {
		if err := os.WriteFile(filepath.Join(dir, ".dockerignore"), ign, 0o600); err != nil {
			in.cleanup()
			return nil, err
		}
	}
	opts.Load.Paths = []string{in.path}
	return in, nil
}

func (in *stdinFile) cleanup() { _ = os.RemoveAll(in.dir) }

// rename makes findings and errors name the stdin filename instead of the
// temporary copy.
func (in *stdinFile) rename(res *lint.Result) {
	// The temporary folder is shown relative to the working folder when
	// TMPDIR lies under it, else absolute; replace either form.
	forms := []string{filepath.ToSlash(in.dir), res.WS.Rel(in.dir)}
	fix := func(s string) string {
		for _, dir := range forms {
			s = strings.ReplaceAll(s, dir+"/"+path.Base(filepath.ToSlash(in.path)), in.name)
			s = strings.ReplaceAll(s, dir+"/", path.Dir(in.name)+"/")
			s = strings.ReplaceAll(s, dir, path.Dir(in.name))
		}
		return s
	}
	for i := range res.Files {
		res.Files[i] = fix(res.Files[i])
	}
	for i := range res.Diagnostics {
		d := &res.Diagnostics[i]
		d.Pos.File = fix(d.Pos.File)
		d.Message = fix(d.Message)
		d.Dockerfile = fix(d.Dockerfile)
		d.FixRefused = fix(d.FixRefused)
		d.Fix = nil // a fix cannot be applied to standard input
		for j := range d.Related {
			d.Related[j].Pos.File = fix(d.Related[j].Pos.File)
			d.Related[j].Message = fix(d.Related[j].Message)
		}
	}
	notes := false
	for _, e := range res.WS.Errors {
		e.File = fix(e.File)
		e.Msg = fix(e.Msg)
		notes = notes || !e.Fatal
	}
	if notes {
		res.WS.Errors = append(res.WS.Errors, &workspace.FileError{File: in.name,
			Msg: "standard input is linted from a temporary copy: Dockerfiles and build contexts it refers to by relative path are not read (name the file with --stdin-filename to read them)"})
	}
}
