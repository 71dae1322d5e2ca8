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
			name: "floating compose images",
			files: map[string]string{
				"compose.yaml": "services:\n" +
					"  a:\n    image: node\n" +
					"  b:\n    image: node:latest\n" +
					"  c:\n    image: node:lts-alpine\n" +
					"  d:\n    image: 'node:current'\n" +
					"  e:\n    image: node:alpine\n" +
					"  f:\n    image: ghcr.io/acme/mirror/node:bookworm-slim\n",
			},
			want: []string{
				`compose.yaml:3:12 warning service "a" image node names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin node:26`,
				`compose.yaml:5:12 warning service "b" image node:latest names no Node major`,
				`compose.yaml:7:12 warning service "c" image node:lts-alpine names no Node major: it follows the newest LTS line and moves to the next major without notice; today it is Node 26, so pin node:26-alpine`,
				`compose.yaml:9:12 warning service "d" image node:current names no Node major: it follows the newest release line and`,
				`compose.yaml:11:12 warning service "e" image node:alpine names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin node:26-alpine`,
				`compose.yaml:13:12 warning service "f" image ghcr.io/acme/mirror/node:bookworm-slim names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin ghcr.io/acme/mirror/node:26-bookworm-slim`,
			},
		},
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
				`compose.yaml:3:12 warning service "a" image node:onbuild names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin node:26`,
				`compose.yaml:5:12 warning service "b" image node:buster-slim names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin node:26-slim`,
				`compose.yaml:7:12 warning service "c" image node:alpine3.12 names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin node:26-alpine`,
				`compose.yaml:9:12 warning service "d" image node:stretch names no Node major: it follows the newest release line, LTS or not, and moves to the next major without notice; today it is Node 26, so pin node:26`,
				`compose.yaml:11:12 warning service "e" image mhart/alpine-node:latest names no Node major`,
			},
		},
		{
			name: "the stage a service runs, through FROM <stage>; builder stages do not ship",
			files: map[string]string{
				"compose.yaml": "services:\n  web:\n    build: .\n    image: acme/node:latest\n",
				"Dockerfile":   "FROM node AS build\nRUN npm ci\nFROM node:lts-slim AS base\nFROM base\nCOPY --from=build /app /app\n",
			},
			want: []string{"Dockerfile:3:1 warning FROM node:lts-slim names no Node major: it follows the newest LTS line"},
		},
		{
			name: "build target picks the stage",
			files: map[string]string{
				"compose.yaml": "services:\n  web:\n    build:\n      context: .\n      target: dev\n",
				"Dockerfile":   "FROM node:current AS dev\nCOPY . /app\nFROM node:22-alpine\nCOPY . /app\n",
			},
			want: []string{"Dockerfile:1:1 warning FROM node:current names no Node major"},
		},
		{
			name: "standalone Dockerfile, ARG default",
			files: map[string]string{
				"app/Dockerfile": "ARG NODE_TAG=lts\nFROM node:${NODE_TAG}\nCOPY . /app\n",
			},
			want: []string{"app/Dockerfile:1:1 warning FROM node:${NODE_TAG} (= node:lts by ARG NODE_TAG=lts) names no Node major"},
		},
		{
			name: "pinned, digests, other images, unknown values",
			files: map[string]string{
				"compose.yaml": "services:\n" +
					"  a:\n    image: node:22-alpine\n" +
					"  b:\n    image: node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" +
					"  c:\n    image: node:lts@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n" +
					"  d:\n    image: postgres:latest\n" +
					"  e:\n    image: node:iron\n" +
					"  f:\n    image: gcr.io/distroless/nodejs22-debian12\n" +
					"  g:\n    image: node:${UNSET_TAG}\n" +
					"  h:\n    image: cypress/included:latest\n",
				"Dockerfile": "ARG V\nFROM node:${V}\n",
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
