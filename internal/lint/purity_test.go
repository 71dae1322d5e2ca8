package lint

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Rules and fix planners read the project only through the workspace
// (internal/workspace/fsys.go), so that a rule is a function of what was
// loaded: no package of theirs imports the file system.
func TestRulesReadOnlyThroughTheWorkspace(t *testing.T) {
	forbidden := map[string]bool{"os": true, "io/ioutil": true, "github.com/decouple-dev/decouple/internal/safefile": true}
	for _, dir := range []string{"../../rules", "../../transform"} {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil || len(files) == 0 {
			t.Fatalf("no Go files in %s: %v", dir, err)
		}
		for _, f := range files {
			if strings.HasSuffix(f, "_test.go") {
				continue
			}
			ast, err := parser.ParseFile(token.NewFileSet(), f, nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range ast.Imports {
				if p, _ := strconv.Unquote(imp.Path.Value); forbidden[p] {
					t.Errorf("%s imports %s: read files through the workspace (Stat, ReadFile, Glob)", f, p)
				}
			}
		}
	}
}
