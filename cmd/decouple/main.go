// Command decouple lints docker-compose files and Dockerfiles for images
// that bundle the Node.js runtime with app code, and rewrites them into a
// code-only image plus a runtime service on a stock Node image.
package main

import (
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
)

func main() { os.Exit(decoupleMain()) }

// decoupleMain is main with an exit status, so testscript can run the
// command in-process.
func decoupleMain() int {
	stop := startProfiles(os.Getenv("DECOUPLE_CPUPROFILE"), os.Getenv("DECOUPLE_MEMPROFILE"))
	defer stop()
	return run(os.Args, os.Stdin, os.Stdout, os.Stderr)
}

// startProfiles writes pprof profiles of one whole run, for performance
// reports (bench/README.md): DECOUPLE_CPUPROFILE and DECOUPLE_MEMPROFILE
// name the files. Profiling is a developer aid, so a failure to write one
// is reported and otherwise ignored.
func startProfiles(cpu, mem string) (stop func()) {
	var cpuFile *os.File
	if cpu != "" {
		f, err := os.Create(cpu)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "decouple: cpu profile: %v\n", err)
		} else {
			cpuFile = f
		}
	}
	return func() {
		if cpuFile != nil {
			pprof.StopCPUProfile()
			_ = cpuFile.Close() // a profile, not user data
		}
		if mem == "" {
			return
		}
		f, err := os.Create(mem)
		if err == nil {
			runtime.GC()
			err = pprof.Lookup("allocs").WriteTo(f, 0)
			_ = f.Close() // a profile, not user data
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "decouple: memory profile: %v\n", err)
		}
	}
}
