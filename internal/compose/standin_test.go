package compose

import (
	"sort"
	"strings"
	"testing"
)

func TestFieldKind(t *testing.T) {
	tests := []struct {
		path string
		want standIn
	}{
		{"services web ports", portField},
		{"services web expose", portField},
		{"services web ports published", portField},
		{"services web ports target", portField},
		{"services web ports protocol", untyped},
		{"services web volumes target", untyped},
		{"services web volumes", mountField},
		{"services web volumes source", mountField},
		{"volumes data driver_opts device", untyped},
		{"services web secrets target", untyped},
		{"services web healthcheck interval", durationField},
		{"services web stop_grace_period", durationField},
		{"services web deploy restart_policy delay", durationField},
		{"services web read_only", boolField},
		{"services web depends_on db restart", boolField},
		{"services web restart", untyped},
		{"networks front external", boolField},
		{"services web deploy replicas", numberField},
		{"services web mem_limit", numberField},
		{"services web shm_size", numberField},
		{"services web ulimits nofile soft", numberField},
		{"services web ulimits nproc", numberField},
		{"services web image", untyped},
		{"services web environment PORT", untyped},
		{"", untyped},
	}
	for _, tt := range tests {
		if got := fieldKind(strings.Fields(tt.path)); got != tt.want {
			t.Errorf("fieldKind(%q) = %d, want %d", tt.path, got, tt.want)
		}
	}
}

func TestTolerantSubstitute(t *testing.T) {
	env := map[string]string{"SET": "8080", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	kinds := map[string]standIn{
		"${PORT}:${PORT}": portField, "${IP}:8080:80": portField, "${MEM}": numberField,
		"${HC}": durationField, "${RO}": boolField, "${SET}:${PORT:-3000}": portField,
		"${SRC}:/app": mountField, "./${SRC}:${DEST}": mountField, "./data/${SUB}/x:/data": mountField,
	}
	tests := []struct{ in, want, unresolved string }{
		{"${PORT}:${PORT}", "1:1", "PORT"},
		{"${IP}:8080:80", "127.0.0.1:8080:80", "IP"},
		{"${MEM}", "1", "MEM"},
		{"${HC}", "1s", "HC"},
		{"${RO}", "false", "RO"},
		// A mount: a host path for a source, an absolute path for a
		// target, a path part inside one.
		{"${SRC}:/app", "/unset-SRC:/app", "SRC"},
		{"./${SRC}:${DEST}", "./unset-SRC:/unset-DEST", "DEST,SRC"},
		{"./data/${SUB}/x:/data", "./data/unset-SUB/x:/data", "SUB"},
		// Defaults and set values are Compose's.
		{"${SET}:${PORT:-3000}", "8080:3000", ""},
		// An untyped field keeps Compose's empty string for a plain
		// variable, and the old stand-in for a required one.
		{"${TAG}", "", ""},
		{"img:${TAG:?need a tag}", "img:1", "TAG"},
		{"$$LITERAL", "$LITERAL", ""},
		{"${EMPTY}", "", ""},
	}
	for _, tt := range tests {
		unresolved := map[string]bool{}
		got, err := tolerantSubstitute(unresolved, &standIns{kinds: kinds})(tt.in, lookup)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if got != tt.want {
			t.Errorf("%q -> %q, want %q", tt.in, got, tt.want)
		}
		var names []string
		for k := range unresolved {
			names = append(names, k)
		}
		sort.Strings(names)
		if strings.Join(names, ",") != tt.unresolved {
			t.Errorf("%q: unresolved %v, want %q", tt.in, names, tt.unresolved)
		}
	}
}

// TestExampleValuesThatDoNotFit: .env.example holds examples such as
// DB_PORT=db_port_number; where one does not fit a typed field, the
// stand-in does, and it counts as unresolved.
func TestExampleValuesThatDoNotFit(t *testing.T) {
	env := map[string]string{"DB_PORT": "db_port_number", "WEB_PORT": "8080", "HC": "soon"}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	si := &standIns{
		kinds:    map[string]standIn{"${DB_PORT}:${DB_PORT}": portField, "${WEB_PORT}:80": portField, "${HC}": durationField},
		examples: map[string]bool{"DB_PORT": true, "WEB_PORT": true, "HC": true},
	}
	for in, want := range map[string]string{"${DB_PORT}:${DB_PORT}": "1:1", "${WEB_PORT}:80": "8080:80", "${HC}": "1s"} {
		unresolved := map[string]bool{}
		got, err := tolerantSubstitute(unresolved, si)(in, lookup)
		if err != nil || got != want {
			t.Errorf("%q -> %q, %v; want %q", in, got, err, want)
		}
	}
}
