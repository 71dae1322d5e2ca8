package rules

import (
	"strings"
	"testing"
)

func TestNodeUnpinned(t *testing.T) {
	const today = "2026-11-27" // lts is Node 26, the newest release is 26
	tests := []struct {
		name  string
		files map[string]string
		want  []string
	}{
		{
			name: "suggestions name variants that exist for the major",
			files: map[string]string{
				"compose.yaml": "services:\n" +
					"  a:\n    image: node:onbuild\n" +
					"  b:\n    image: node:buster-slim\n" +
					"  c:\n    image: node:alpine3.12\n" +
					"  d:\n    image: node:stretch\n" +
					"  e:\n    image: mhart/alpine-node:latest\n",
			},
			want: []string{
				// Retired variants are no longer published: the tag stopped
				// moving on an old Node.
				`compose.yaml:3:12 warning service "a" image node:onbuild names no Node major, and its variant is no longer published: the tag stopped moving and holds an old, end-of-life Node; pin a current major, node:26`,
				`compose.yaml:5:12 warning service "b" image node:buster-slim names no Node major, and its variant is no longer published: the tag stopped moving and holds an old, end-of-life Node; pin a current major, node:26-slim`,
				`compose.yaml:7:12 warning service "c" image node:alpine3.12 names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin node:26-alpine`,
				`compose.yaml:9:12 warning service "d" image node:stretch names no Node major, and its variant is no longer published: the tag stopped moving and holds an old, end-of-life Node; pin a current major, node:26`,
				`compose.yaml:11:12 warning service "e" image mhart/alpine-node:latest names no Node major`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diags := nvRun(t, nodeUnpinned, today, tt.files)
			var got []string
			for _, d := range diags {
				got = append(got, nvBrief(d))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(tt.want), strings.Join(got, "\n"))
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("finding %d:\ngot  %s\nwant %s…", i, got[i], tt.want[i])
				}
			}
		})
	}
}
