// Package bench measures decouple stage by stage on a generated monorepo
// (see bench/gen), and checks that the generated trees are valid and that
// the lint finds exactly what the generator bundled.
//
//	go test ./bench/ -run XXX -bench . -benchtime 1x
//	go test ./bench -bench Lint -cpuprofile /tmp/cpu.prof
//
// Each benchmark generates its tree once, into its own b.TempDir(), before
// the timed loop. bench/run.sh times the built binary end to end.
package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/decouple-dev/decouple/bench/gen"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/discover"
	"github.com/decouple-dev/decouple/internal/dockerfile"
	"github.com/decouple-dev/decouple/internal/lint"
	"github.com/decouple-dev/decouple/internal/report"
	"github.com/decouple-dev/decouple/internal/workspace"
	"github.com/decouple-dev/decouple/rules"
)

// benchConfig is the benchmark tree: 500 compose files (with the
// Dockerfiles their services build) and 500 standalone Dockerfiles.
var benchConfig = gen.Config{Seed: 1, Compose: 500, Dockerfiles: 500}

// tree generates the benchmark tree into b.TempDir(), outside the timer.
func tree(b *testing.B) (string, *gen.Manifest) {
	b.Helper()
	dir := b.TempDir()
	m, err := gen.Generate(dir, benchConfig)
	if err != nil {
		b.Fatal(err)
	}
	return dir, m
}

// perFile reports the time of one iteration divided over n files.
func perFile(b *testing.B, iters, n int) {
	if iters > 0 && n > 0 {
		b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(iters)/float64(n), "ns/file")
	}
	b.ReportMetric(float64(n), "files")
}

func lintOptions(dir string) lint.Options {
	return lint.Options{Load: workspace.Options{Paths: []string{dir}}}
}

// BenchmarkDiscover walks the tree for compose files and Dockerfiles.
func BenchmarkDiscover(b *testing.B) {
	dir, m := tree(b)
	iters := 0
	for b.Loop() {
		r := discover.FindLimited([]string{dir}, 0)
		if len(r.Projects) != len(m.ComposeFiles) || len(r.Dockerfiles) != len(m.Dockerfiles) {
			b.Fatalf("found %d projects and %d Dockerfiles, generated %d and %d",
				len(r.Projects), len(r.Dockerfiles), len(m.ComposeFiles), len(m.Dockerfiles))
		}
		iters++
	}
	perFile(b, iters, m.Linted())
}

// BenchmarkComposeLoad loads every compose project (compose-go plus the
// position tree) and lists its services, one project after another.
func BenchmarkComposeLoad(b *testing.B) {
	dir, m := tree(b)
	projects := discover.FindLimited([]string{dir}, 0).Projects
	iters := 0
	for b.Loop() {
		for _, files := range projects {
			p, err := compose.LoadLimited(files, compose.Limits{})
			if err != nil {
				b.Fatal(err)
			}
			if p.Degraded != "" {
				b.Fatalf("%s: %s", files[0], p.Degraded)
			}
			_ = p.Services()
		}
		iters++
	}
	perFile(b, iters, len(m.ComposeFiles))
}

// BenchmarkDockerfileParse parses and analyzes every Dockerfile of the
// tree, read into memory beforehand.
func BenchmarkDockerfileParse(b *testing.B) {
	dir, m := tree(b)
	paths := discover.FindLimited([]string{dir}, 0).Dockerfiles
	srcs := make([][]byte, len(paths))
	for i, p := range paths {
		var err error
		if srcs[i], err = os.ReadFile(p); err != nil {
			b.Fatal(err)
		}
	}
	iters := 0
	for b.Loop() {
		for i, p := range paths {
			f, err := dockerfile.Parse(p, srcs[i], nil)
			if err != nil {
				b.Fatal(err)
			}
			_ = f.Analyze(nil)
		}
		iters++
	}
	perFile(b, iters, len(m.Dockerfiles))
}

// BenchmarkWorkspaceLoad is discovery plus loading and judging every
// project and Dockerfile: the whole I/O side of a lint.
func BenchmarkWorkspaceLoad(b *testing.B) {
	dir, m := tree(b)
	iters := 0
	for b.Loop() {
		if _, err := workspace.Load(workspace.Options{Paths: []string{dir}}); err != nil {
			b.Fatal(err)
		}
		iters++
	}
	perFile(b, iters, m.Linted())
}

// BenchmarkRules runs every rule over a workspace loaded beforehand.
func BenchmarkRules(b *testing.B) {
	dir, m := tree(b)
	ws, err := workspace.Load(workspace.Options{Paths: []string{dir}})
	if err != nil {
		b.Fatal(err)
	}
	all := rules.All()
	iters := 0
	for b.Loop() {
		_ = rules.Run(ws, all, rules.Settings{})
		iters++
	}
	perFile(b, iters, m.Linted())
}

// BenchmarkLint is the full lint: load, rules, severity overrides.
func BenchmarkLint(b *testing.B) {
	dir, m := tree(b)
	iters := 0
	for b.Loop() {
		res, err := lint.Run(lintOptions(dir))
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Diagnostics) == 0 {
			b.Fatal("no findings")
		}
		iters++
	}
	perFile(b, iters, m.Linted())
}

// BenchmarkPlanFixes plans the safe fixes of a lint run (nothing is
// written): the work --fix adds before committing. It runs on trees of
// growing size (N compose projects and N standalone Dockerfiles) rather
// than the 500+500 tree, because its cost grows with the square of the
// number of fixes: on the full tree one plan takes minutes.
func BenchmarkPlanFixes(b *testing.B) {
	for _, n := range []int{25, 50, 100} {
		b.Run(fmt.Sprintf("projects=%d", n), func(b *testing.B) {
			dir := b.TempDir()
			if _, err := gen.Generate(dir, gen.Config{Seed: 1, Compose: n, Dockerfiles: n}); err != nil {
				b.Fatal(err)
			}
			res, err := lint.Run(lintOptions(dir))
			if err != nil {
				b.Fatal(err)
			}
			applied := 0
			for b.Loop() {
				plan, err := lint.PlanFixes(dir, res.Diagnostics, false)
				if err != nil {
					b.Fatal(err)
				}
				applied = len(plan.Applied)
			}
			b.ReportMetric(float64(applied), "fixes")
		})
	}
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

// reportInput builds what the CLI hands to report.Write.
func reportInput(dir string, res *lint.Result) report.Input {
	in := report.Input{Diagnostics: res.Diagnostics, Version: "bench", Root: dir}
	for _, r := range rules.All() {
		in.Rules = append(in.Rules, r.Rule)
	}
	for _, e := range res.WS.Errors {
		if e.Fatal {
			in.Errors = append(in.Errors, report.FileError{Message: e.Msg})
		}
	}
	return in
}

// BenchmarkReportJSON renders the findings of the tree as JSON.
func BenchmarkReportJSON(b *testing.B) {
	dir, _ := tree(b)
	res, err := lint.Run(lintOptions(dir))
	if err != nil {
		b.Fatal(err)
	}
	in := reportInput(dir, res)
	var cw countingWriter
	if err := report.Write(&cw, "json", in, report.Options{}); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(cw.n)
	for b.Loop() {
		if err := report.Write(io.Discard, "json", in, report.Options{}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(in.Diagnostics)), "findings")
}

// keyOf is a DC001 finding's ground-truth key (see gen.Manifest.Bundled).
func keyOf(t *testing.T, root, file string, service, df string) string {
	t.Helper()
	rel := func(p string) string {
		if filepath.IsAbs(p) {
			r, err := filepath.Rel(root, p)
			if err != nil {
				t.Fatal(err)
			}
			p = r
		}
		return filepath.ToSlash(p)
	}
	if service != "" {
		return gen.ServiceKey(filepath.ToSlash(filepath.Dir(rel(file))), service)
	}
	return rel(df)
}

// BenchmarkLintTree is the lint plus the JSON report of a tree generated
// beforehand (bench/run.sh leaves them under bench/out/trees), named by
// DECOUPLE_BENCH_TREE; skipped when unset. With no generation in the
// timed process, its CPU profile is the lint's alone:
//
//	DECOUPLE_BENCH_TREE=$PWD/bench/out/trees/compose-500 go test ./bench -run XXX -bench LintTree -benchtime 5x -cpuprofile /tmp/cpu.prof
func BenchmarkLintTree(b *testing.B) {
	dir := os.Getenv("DECOUPLE_BENCH_TREE")
	if dir == "" {
		b.Skip("DECOUPLE_BENCH_TREE is not set")
	}
	findings := 0
	for b.Loop() {
		res, err := lint.Run(lintOptions(dir))
		if err != nil {
			b.Fatal(err)
		}
		if err := report.Write(io.Discard, "json", reportInput(dir, res), report.Options{}); err != nil {
			b.Fatal(err)
		}
		findings = len(res.Diagnostics)
	}
	b.ReportMetric(float64(findings), "findings")
}
