package lint

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/edit"
	"github.com/decouple-dev/decouple/internal/verify"
	"github.com/decouple-dev/decouple/rules"
)

// TestFixSafetyOnCorpus runs what `lint --fix --unsafe-fixes` runs on every
// corpus case (a copy in a temporary folder) and checks the promise of
// issue 13: a failing check writes nothing (an injected failure leaves the
// tree byte for byte as it was), every file written passes the check again
// when read back from disk (compose-go, plus `docker compose config -q`
// when a Compose v2 binary is on PATH; BuildKit's parser), generated files
// end with a newline, the re-lint finds no broken file (no run that exits 2
// after writing), and a second run changes nothing. It reports the share of
// DC001 findings (compose services and standalone Dockerfiles) that get a
// fix, and every refusal's reason.
func TestFixSafetyOnCorpus(t *testing.T) {
	cases, err := os.ReadDir(corpusDir)
	if err != nil {
		t.Skipf("corpus not present (%v): the handwritten fixtures cover the fix", err)
	}
	docker := verify.DockerCompose()
	if docker == "" {
		t.Log("no Compose v2 binary on PATH: written compose files are checked with compose-go only")
	}
	var flagged, fixed int
	var refusals []string
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.CopyFS(dir, os.DirFS(filepath.Join(corpusDir, c.Name()))); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			opts := Options{Rules: rules.Settings{Strategy: "build"}}
			before, err := Run(opts)
			if err != nil {
				t.Fatal(err)
			}
			tree := snapshot(t, dir)

			// An injected failure of the check writes nothing.
			injected := errors.New("injected")
			plan, err := PlanFixes(dir, before.Diagnostics, true)
			if err != nil {
				t.Fatal(err)
			}
			if err := Write(dir, plan.Changes, func(string, []edit.Change) error { return injected }); !errors.Is(err, injected) {
				t.Fatalf("Write with a failing check: %v", err)
			}
			sameTree(t, dir, tree)

			plan, err = PlanVerified(dir, before.Diagnostics, true, VerifierFor(before.WS))
			if err != nil {
				t.Fatalf("the plan fails the check before writing: %v", err)
			}
			if err := Write(dir, plan.Changes, VerifierFor(before.WS)); err != nil {
				sameTree(t, dir, tree)
				t.Fatalf("write refused: %v", err)
			}
			recheck(t, dir, plan.Changes, docker)
			// Fixed: the fix is written by this run, or held back for the
			// next (PlanVerified); a fix skipped for a clash does not count.
			written := map[*analysis.SuggestedFix]bool{}
			for _, d := range append(append([]analysis.Diagnostic(nil), plan.Applied...), plan.Held...) {
				written[d.Fix] = true
			}
			after, err := Run(opts)
			if err != nil {
				t.Fatal(err)
			}
			left := map[string]bool{}
			for _, d := range after.Diagnostics {
				if d.Rule.Code == "DC001" {
					left[dc001Key(d)] = true
				}
			}
			for _, d := range before.Diagnostics {
				if d.Rule.Code != "DC001" {
					continue
				}
				flagged++
				switch {
				case d.Fix != nil && written[d.Fix]:
					fixed++
				case d.Fix == nil && d.FixRefused != "" && !left[dc001Key(d)]:
					// Split by another fix: a service that extends the
					// one split inherits the split.
					fixed++
				case d.Fix != nil:
					refusals = append(refusals, c.Name()+": "+d.Pos.String()+": not applied: its edits clash with another fix")
				case d.FixRefused == "":
					t.Errorf("%s: DC001 has neither a fix nor a reason", d.Pos)
				default:
					refusals = append(refusals, c.Name()+": "+d.Pos.String()+": "+d.FixRefused)
				}
			}

			wasFatal := map[string]bool{}
			for _, e := range before.WS.Errors {
				wasFatal[e.File] = wasFatal[e.File] || e.Fatal
			}
			for _, e := range after.WS.Errors {
				if e.Fatal && !wasFatal[e.File] {
					t.Errorf("after --fix the run would exit 2: %s", e)
				}
			}
			again, err := PlanVerified(dir, after.Diagnostics, true, VerifierFor(after.WS))
			if err != nil {
				t.Fatalf("second run: %v", err)
			}
			paths := map[string]bool{}
			for _, ch := range plan.Changes {
				paths[ch.Path] = true
			}
			for _, ch := range again.Changes {
				// A fix held back or skipped for a clash is applied by the
				// next run; one that was applied must not change again.
				if paths[ch.Path] && len(plan.Held) == 0 && len(plan.Skipped) == 0 {
					t.Errorf("second run changes %s again: not idempotent", ch.Path)
				}
			}
		})
	}
	sort.Strings(refusals)
	t.Logf("DC001 (compose services and standalone Dockerfiles): %d flagged, %d fixed by --fix --unsafe-fixes (%.1f%%), %d not:\n%s",
		flagged, fixed, 100*float64(fixed)/float64(max(flagged, 1)), flagged-fixed, strings.Join(refusals, "\n"))
	// Issue 13 asks for 85% (the corpus reaches 67 of 78); the findings
	// left are listed above (refusals of the runtime contract, and sources
	// the corpus copies lack), so a fix that stops working fails here.
	if flagged > 0 && fixed*1000 < flagged*850 {
		t.Errorf("only %d of %d DC001 findings get a fix; the floor is 85%%", fixed, flagged)
	}
}

// recheck reads back every written file and checks it on its own, the way
// a user's tools would see it, independently of the check that let it be
// written.
func recheck(t *testing.T, dir string, changes []edit.Change, docker string) {
	t.Helper()
	for _, ch := range changes {
		abs := filepath.Join(dir, filepath.FromSlash(ch.Path))
		src, err := os.ReadFile(abs)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(src, ch.New) {
			t.Errorf("%s on disk is not what was planned", ch.Path)
		}
		if !ch.Exists && !bytes.HasSuffix(src, []byte("\n")) {
			t.Errorf("created %s does not end with a newline", ch.Path)
		}
		if ch.Exists && bytes.HasSuffix(ch.Old, []byte("\n")) && !bytes.HasSuffix(src, []byte("\n")) {
			t.Errorf("%s lost its final newline", ch.Path)
		}
		switch verify.KindByName(abs) {
		case verify.Dockerfile:
			if _, err := dockerfile.Parse(abs, src, nil); err != nil {
				t.Errorf("written Dockerfile does not parse: %v", err)
			}
		case verify.Compose:
			if !ch.Exists {
				if err := compose.Check([]string{abs}, nil, compose.Limits{}); err != nil {
					t.Errorf("created %s does not load with compose-go: %v", ch.Path, err)
				}
			}
		}
	}
	// With docker compose present, the check itself ran it; run it once more
	// on each created compose file as written on disk.
	if docker == "" {
		return
	}
	for _, ch := range changes {
		abs := filepath.Join(dir, filepath.FromSlash(ch.Path))
		if !ch.Exists && verify.KindByName(abs) == verify.Compose {
			if err := verify.Check(dir, []edit.Change{{Path: ch.Path, New: ch.New}}, verify.Options{Docker: docker}); err != nil {
				t.Errorf("created %s: %v", ch.Path, err)
			}
		}
	}
}

// snapshot reads every file under dir.
func snapshot(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		out[p] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// sameTree fails unless dir holds exactly the files of the snapshot, byte
// for byte.
func sameTree(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	got := snapshot(t, dir)
	for p, b := range want {
		if g, ok := got[p]; !ok || !bytes.Equal(g, b) {
			t.Errorf("%s changed although nothing was to be written", p)
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s appeared although nothing was to be written", p)
		}
	}
}

// dc001Key names what a DC001 finding is about across a fix: its file and
// service (a compose service's findings move with the edits above them).
func dc001Key(d analysis.Diagnostic) string {
	if m := quotedService.FindString(d.Message); m != "" {
		return d.Pos.File + " " + m
	}
	return d.Pos.File + ":" + strconv.Itoa(d.Pos.Line)
}

var quotedService = regexp.MustCompile(`service "[^"]+"`)
