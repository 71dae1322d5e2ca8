// Command gentree writes a deterministic, seeded monorepo of compose
// projects and Dockerfiles for benchmarking decouple.
//
//	gentree -seed 1 -compose 500 -dockerfiles 500 -out /tmp/tree
//	gentree -files 5000 -out /tmp/tree5k
//	gentree -single -out /tmp/one
//	gentree -long-tail -compose 500 -dockerfiles 0 -out /tmp/longtail
//
// It prints a one-line summary; -manifest FILE saves the manifest with the
// ground truth (what DC001 must report) as JSON.
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/decouple-dev/decouple/bench/gen"
)

func main() {
	var cfg gen.Config
	flag.Int64Var(&cfg.Seed, "seed", 1, "random seed; the same seed and sizes write the same tree")
	flag.IntVar(&cfg.Compose, "compose", 10, "number of compose projects (one compose file each)")
	flag.IntVar(&cfg.Dockerfiles, "dockerfiles", 10, "number of standalone Dockerfiles")
	flag.IntVar(&cfg.Files, "files", 0, "if > 0, size the tree to this many linted files (compose files + Dockerfiles), half in compose projects; overrides -compose and -dockerfiles")
	flag.IntVar(&cfg.MinServices, "min-services", 3, "fewest services per compose file")
	flag.IntVar(&cfg.MaxServices, "max-services", 20, "most services per compose file")
	flag.BoolVar(&cfg.Single, "single", false, "write one compose file and its one Dockerfile instead")
	flag.BoolVar(&cfg.LongTail, "long-tail", false, "add the keys compose files written by others carry (labels, env_file, secrets, long ports, ...)")
	out := flag.String("out", "", "folder to write the tree into (must not exist, or be empty)")
	manifest := flag.String("manifest", "", "write the manifest (file lists, kinds, ground truth) as JSON to this file")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gentree -out DIR [-seed N] [-compose N] [-dockerfiles M] [-files N] [-single] [-manifest FILE]")
		os.Exit(2)
	}
	if entries, err := os.ReadDir(*out); err == nil && len(entries) > 0 {
		fmt.Fprintf(os.Stderr, "gentree: %s is not empty\n", *out)
		os.Exit(2)
	}
	m, err := gen.Generate(*out, cfg)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gentree:", err)
		os.Exit(1)
	}
	if *manifest != "" {
		if err := gen.WriteManifest(*manifest, m); err != nil {
			fmt.Fprintln(os.Stderr, "gentree:", err)
			os.Exit(1)
		}
	}
	fmt.Printf("compose=%d dockerfiles=%d standalone=%d linted=%d services=%d bundled=%d written=%d\n",
		len(m.ComposeFiles), len(m.Dockerfiles), len(m.Standalone), m.Linted(), m.Services, len(m.Bundled), m.Written)
}
