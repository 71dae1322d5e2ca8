package compose

import "testing"

// locate finds compose-go's model path in the files: through dotted keys,
// sequence indexes in both spellings, quoted service names, the v1 layout,
// and in the last file that reaches it.
func TestLocate(t *testing.T) {
	base := "services:\n  web.v2:\n    image: x\n    ports:\n      - 80\n      - 81\n"
	over := "services:\n  web.v2:\n    ports: {a: b}\n"
	legacy := "web:\n  image: x\n  volumes:\n    - target:\n"
	env := "services:\n  web.v2:\n    environment:\n      - A=1\n      - PORT = 3000\n  db:\n    environment:\n      \"B \": 1\n"
	parse := func(name, src string) *File {
		f, err := ParseFile("/p/"+name, []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	b, o, l := parse("compose.yaml", base), parse("compose.override.yaml", over), parse("docker-compose.yml", legacy)
	e := parse("compose.yaml", env)
	port := parse("compose.yaml", "services:\n  web:\n    image: x\n    ports:\n      - \"8080:8080\"\n      - \"3000: 3010\"\n")
	empty := parse("compose.yaml", "services:\n  # db:\n  #   image: y\nnetworks:\n  app: {}\n")
	for _, tc := range []struct {
		msg   string
		files []*File
		file  *File
		line  int
	}{
		{"services.web.v2.ports.1 must be a string", []*File{b}, b, 6},
		{"service volume services.web.v2.ports.[0] is odd", []*File{b}, b, 5},
		{"services.web.v2.ports must be a array", []*File{b, o}, o, 3},
		{`service "web.v2" depends on undefined service "zz"`, []*File{b}, b, 2},
		{"services.web.volumes.[0] is missing a mount target", []*File{l}, l, 4},
		{"validating /p/compose.yaml: services.web.v2.ports must be a array", []*File{b, o}, b, 4},
		{"'services[web.v2].ports[1]' expected a map, got 'int'", []*File{b}, b, 6},
		{"décodé 'services[web.v2].ports' is odd", []*File{b}, b, 4},
		{"yaml: something else", []*File{b}, nil, 0},
		// The port parser names the text it refuses; a section of the
		// wrong type is named alone.
		{"Invalid containerPort:  3010", []*File{port}, port, 6},
		{"Invalid hostPort: 99999", []*File{port}, nil, 0},
		{"services must be a mapping", []*File{empty}, empty, 1},
		// An environment entry with a trailing space has its own line.
		{"'services[web.v2].environment' environment variable PORT  is declared with a trailing space", []*File{e}, e, 5},
		{"'services[db].environment' environment variable B  is declared with a trailing space", []*File{e}, e, 8},
		{"'services[db].environment' environment variable C  is declared with a trailing space", []*File{e}, e, 7},
	} {
		f, line, _ := locate(tc.msg, tc.files)
		if f != tc.file || line != tc.line {
			name := "<nil>"
			if f != nil {
				name = f.Path
			}
			t.Errorf("%q: got %s:%d, want line %d", tc.msg, name, line, tc.line)
		}
	}
}

// firstPlace orders the causes of a decoder error by the places they name
// (compose-go lists them in map order, which changes between runs), and
// reports the first place: the same line and message every time.
func TestFirstPlace(t *testing.T) {
	f, err := ParseFile("/p/compose.yaml", []byte("services:\n  a:\n    image: alpine\n    environment:\n      - PORT = 3000\n  b:\n    image: alpine\n    environment:\n      - PORT = 3001\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := "'services[a].environment' environment variable PORT  is declared with a trailing space"
	b := "'services[b].environment' environment variable PORT  is declared with a trailing space"
	want := a + "; " + b
	for _, msg := range []string{
		"decoding failed due to the following error(s):\n\n" + a + "\n" + b,
		"decoding failed due to the following error(s):\n\n" + b + "\n" + a,
	} {
		one, file, line, _ := firstPlace(msg, []*File{f})
		if one != want || file != f || line != 5 {
			t.Errorf("firstPlace(%q) = %q, line %d; want %q, line 5", msg, one, line, want)
		}
	}
}
