package dockerfile

import (
	"strings"
	"testing"
)

// A script copied from the context and run by a RUN is read as that RUN's
// lines; what cannot be read, or is no shell script, is read as written.
func TestContextScripts(t *testing.T) {
	clone := "#!/bin/sh\nset -e\ngit clone --depth 1 https://github.com/acme/site.git /home/app\ncd /home/app\nnpm install\n"
	tests := []struct {
		name      string
		src       string
		files     map[string]string // the build context
		runtime   Runtime
		codeWhat  string // substring of the first code evidence; "" = no code
		rtWhat    string // substring of RuntimeBy.What
		blockered bool   // a blocker names the script
	}{
		{
			name:     "ADD into a folder, run by its path",
			src:      "FROM node:20\nADD clone.sh /build/\nRUN /build/clone.sh\nCMD [\"node\", \"/home/app/index.js\"]\n",
			files:    map[string]string{"clone.sh": clone},
			runtime:  Node,
			codeWhat: "git clone --depth 1 https://github.com/acme/site.git /home/app (in clone.sh)", blockered: true,
		},
		{
			name:     "COPY to a file path, run by sh from WORKDIR",
			src:      "FROM node:20\nWORKDIR /opt\nCOPY scripts/get.sh ./get-app.sh\nRUN sh get-app.sh\n",
			files:    map[string]string{"scripts/get.sh": clone},
			runtime:  Node,
			codeWhat: "(in scripts/get.sh)",
		},
		{
			name:    "a script that installs Node",
			src:     "FROM debian:12\nCOPY . /src\nRUN chmod +x /src/ci/node.sh && /src/ci/node.sh\n",
			files:   map[string]string{"ci/node.sh": "apt-get update && apt-get install -y nodejs\n"},
			runtime: Node, rtWhat: "(in ci/node.sh)",
			codeWhat: "COPY . /src",
		},
		{
			name:    "a script the context does not hold",
			src:     "FROM node:20\nADD clone.sh /build/\nRUN /build/clone.sh\n",
			files:   map[string]string{},
			runtime: Node,
		},
		{
			name:    "not a shell script",
			src:     "FROM node:20\nCOPY fetch.py /fetch.py\nRUN python3 /fetch.py && /fetch.py\n",
			files:   map[string]string{"fetch.py": "#!/usr/bin/env python3\ngit clone https://x/y.git /app\n"},
			runtime: Node, codeWhat: "COPY fetch.py /fetch.py", // the file, not what it says
		},
		{
			name:    "a script run by another is read as written",
			src:     "FROM node:20\nCOPY a.sh b.sh /s/\nRUN /s/a.sh\n",
			files:   map[string]string{"a.sh": "/s/b.sh\n", "b.sh": clone},
			runtime: Node,
		},
		{
			name:    "a script ep processes is not run",
			src:     "FROM node:20\nADD clone.sh /build/clone.sh\nRUN ep /build/clone.sh\n",
			files:   map[string]string{"clone.sh": clone},
			runtime: Node,
		},
		{
			name:     "a wildcard copy names no file",
			src:      "FROM node:20\nCOPY *.sh /build/\nRUN /build/clone.sh\n",
			files:    map[string]string{"clone.sh": clone},
			runtime:  Node,
			codeWhat: "",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src, nil)
			var asked []string
			f.ReadContext = func(name string) ([]byte, bool) {
				asked = append(asked, name)
				text, ok := tt.files[name]
				return []byte(text), ok
			}
			fa := f.Analyze(nil)[f.Final().Index]
			if fa.Runtime != tt.runtime {
				t.Errorf("Runtime = %q (by %+v), want %q", fa.Runtime, fa.RuntimeBy, tt.runtime)
			}
			if tt.rtWhat != "" && !strings.Contains(fa.RuntimeBy.What, tt.rtWhat) {
				t.Errorf("RuntimeBy = %+v, want it to mention %q", fa.RuntimeBy, tt.rtWhat)
			}
			switch {
			case tt.codeWhat == "" && len(fa.Code) > 0:
				t.Errorf("code = %+v, want none (context read: %q)", fa.Code, asked)
			case tt.codeWhat != "" && (len(fa.Code) == 0 || !strings.Contains(fa.Code[0].What, tt.codeWhat)):
				t.Errorf("code = %+v, want the first to mention %q (context read: %q)", fa.Code, tt.codeWhat, asked)
			}
			for _, c := range fa.Code {
				if strings.Contains(c.What, "(in ") && !strings.Contains(tt.codeWhat, "(in ") {
					t.Errorf("code %+v comes from a script that is not to be read", c)
				}
			}
			found := false
			for _, b := range fa.Blockers {
				found = found || strings.Contains(b.What, "(in clone.sh)")
			}
			if found != tt.blockered {
				t.Errorf("blockers %+v: one naming the script = %v, want %v", fa.Blockers, found, tt.blockered)
			}
		})
	}
}

// Without a context reader (a Dockerfile parsed alone) a RUN is read as
// written.
func TestContextScriptsNeedAReader(t *testing.T) {
	fa := stageFacts(t, "FROM node:20\nADD clone.sh /build/\nRUN /build/clone.sh\n", "")
	if len(fa.Code) != 0 {
		t.Errorf("code = %+v, want none", fa.Code)
	}
}
