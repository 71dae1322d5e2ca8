package main

import (
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"decouple": func() { os.Exit(decoupleMain()) },
	})
}

// TestScripts runs the end-to-end CLI cases in testdata/script: each one is
// a txtar archive of handwritten fixtures plus the commands and their
// expected output.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "../../testdata/script",
		Setup: func(env *testscript.Env) error {
			env.Setenv("NO_COLOR", "1")
			return nil
		},
	})
}
