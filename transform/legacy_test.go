package transform

import (
	"strings"
	"testing"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/compose"
	"github.com/decouple-dev/decouple/internal/edit"
	"go.yaml.in/yaml/v3"
)

func TestConvertV1(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{
			name: "comments, blank lines, block scalar",
			in:   "# head\n\nweb:\n  image: nginx\n  command: |\n    echo a\n\n    echo b\n\n# db next\ndb:\n  image: postgres\n",
			want: "# head\n\nservices:\n  web:\n    image: nginx\n    command: |\n      echo a\n\n      echo b\n\n  # db next\n  db:\n    image: postgres\n",
		},
		{
			name: "spec file untouched",
			in:   "services:\n  web:\n    image: nginx\n",
			want: "services:\n  web:\n    image: nginx\n",
		},
		{
			name: "CRLF",
			in:   "web:\r\n  image: nginx\r\n",
			want: "services:\r\n  web:\r\n    image: nginx\r\n",
		},
		{
			name: "x- extension before the services stays top level",
			in:   "x-common: &c\n  restart: always\nweb:\n  <<: *c\n  image: nginx\n",
			want: "x-common: &c\n  restart: always\nservices:\n  web:\n    <<: *c\n    image: nginx\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ConvertV1("compose.yml", []byte(tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			again, err := ConvertV1("compose.yml", got)
			if err != nil || string(again) != string(got) {
				t.Errorf("not idempotent: %q, %v", again, err)
			}
		})
	}
}

// legacyNodes finds a key at the top of a file, or, with svc, in that
// service.
func legacyNodes(t *testing.T, src, svc, key string) (*compose.File, *yaml.Node, *yaml.Node, *yaml.Node, *yaml.Node) {
	t.Helper()
	f, err := compose.ParseFile("/p/compose.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	if svc == "" {
		k, v := compose.MapGet(f.Root, key)
		return f, nil, nil, k, v
	}
	sk, sv := f.ServiceNode(svc)
	k, v := compose.MapGet(sv, key)
	return f, sk, sv, k, v
}

func applyAll(t *testing.T, f *compose.File, edits ...analysis.TextEdit) string {
	t.Helper()
	out, err := edit.Apply(f.Src, edits)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestVersionEdit(t *testing.T) {
	tests := []struct{ in, want, refused string }{
		{in: "version: \"2\"\nservices: {}\n", want: "services: {}\n"},
		{in: "version: '3.8'  # ops\nservices: {}\n", want: "# ops\nservices: {}\n"},
		{in: "services: {}\nversion: 3", want: "services: {}\n"},
		// Between blank lines: one blank line is left, not two.
		{in: "name: api\n\nversion: '3'\n\nservices: {}\n", want: "name: api\n\nservices: {}\n"},
		{in: "name: api\nversion: '3'\n\nservices: {}\n", want: "name: api\n\nservices: {}\n"},
		{in: "version: \"3\"   # a \"quoted\" # comment\r\nservices: {}\r\n", want: "# a \"quoted\" # comment\r\nservices: {}\r\n"},
		{in: "version: >\n  3\nservices: {}\n", refused: "not a one-line scalar"},
		{in: "{version: \"3\", services: {}}\n", refused: "not at the start"},
	}
	for _, tt := range tests {
		f, _, _, k, v := legacyNodes(t, tt.in, "", "version")
		e, why := VersionEdit(f, k, v)
		if tt.refused != "" {
			if !strings.Contains(why, tt.refused) {
				t.Errorf("%q: refused %q, want %q", tt.in, why, tt.refused)
			}
			continue
		}
		if why != "" {
			t.Fatalf("%q: refused: %s", tt.in, why)
		}
		if got := applyAll(t, f, e); got != tt.want {
			t.Errorf("%q: got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRenameKeyEdit(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"services:\n  a:\n    net: host # x\n", "services:\n  a:\n    network_mode: host # x\n"},
		{"services:\n  a:\n    \"net\": \"container:b\"\n", "services:\n  a:\n    network_mode: \"container:b\"\n"},
		{"services:\n  a:\n    net:   none\n", "services:\n  a:\n    network_mode:   none\n"},
	} {
		f, _, _, k, _ := legacyNodes(t, tt.in, "a", "net")
		e, why := RenameKeyEdit(f, k, "network_mode")
		if why != "" {
			t.Fatal(why)
		}
		if got := applyAll(t, f, e); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}

func TestDockerfileEdits(t *testing.T) {
	tests := []struct {
		name, in, want, refused string
		safe                    bool
	}{
		{
			name: "scalar build after", safe: true,
			in:   "services:\n  web:\n    build: .\n    dockerfile: Dockerfile.dev\n    image: x\n",
			want: "services:\n  web:\n    build:\n      context: .\n      dockerfile: Dockerfile.dev\n    image: x\n",
		},
		{
			name: "scalar build before, quoted, no final newline", safe: true,
			in:   "services:\n  web:\n    dockerfile: \"a b.Dockerfile\"\n    build: ./app",
			want: "services:\n  web:\n    build:\n      context: ./app\n      dockerfile: \"a b.Dockerfile\"\n",
		},
		{
			name: "four-space indent", safe: true,
			in:   "services:\n    web:\n        build: .\n        dockerfile: D\n",
			want: "services:\n    web:\n        build:\n            context: .\n            dockerfile: D\n",
		},
		{
			name: "block mapping: unsafe",
			in:   "services:\n  web:\n    build:\n      context: .\n    dockerfile: D # c\n",
			want: "services:\n  web:\n    build:\n      dockerfile: D\n      context: .\n    # c\n",
		},
		{name: "flow mapping", in: "services:\n  web:\n    build: {context: .}\n    dockerfile: D\n", refused: "neither a path nor a block mapping"},
		{name: "no build", in: "services:\n  web:\n    image: x\n    dockerfile: D\n", refused: "no build:"},
		{name: "null build", in: "services:\n  web:\n    build:\n    dockerfile: D\n", refused: "neither"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, sk, sv, k, v := legacyNodes(t, tt.in, "web", "dockerfile")
			edits, safe, why := DockerfileEdits(f, sk, sv, k, v)
			if tt.refused != "" {
				if !strings.Contains(why, tt.refused) || edits != nil {
					t.Fatalf("refused %q with %d edits, want %q", why, len(edits), tt.refused)
				}
				return
			}
			if why != "" {
				t.Fatal(why)
			}
			if safe != tt.safe {
				t.Errorf("safe = %v, want %v", safe, tt.safe)
			}
			if got := applyAll(t, f, edits...); got != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
		})
	}
}

func TestLegacyWholeCombines(t *testing.T) {
	src := "version: \"1\" # old\nweb:\n  image: nginx\n  net: host\n"
	f, err := compose.ParseFile("/p/docker-compose.yml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	vk, vv := compose.MapGet(f.Root, "version")
	ve, _ := VersionEdit(f, vk, vv)
	_, sv := f.ServiceNode("web")
	nk, _ := compose.MapGet(sv, "net")
	ne, _ := RenameKeyEdit(f, nk, "network_mode")
	whole, err := LegacyWhole(f, []analysis.TextEdit{ve, ne})
	if err != nil {
		t.Fatal(err)
	}
	want := "# old\nservices:\n  web:\n    image: nginx\n    network_mode: host\n"
	if whole.Start != 0 || whole.End != len(src) || string(whole.NewText) != want {
		t.Errorf("got %d-%d %q, want %q", whole.Start, whole.End, whole.NewText, want)
	}
}
