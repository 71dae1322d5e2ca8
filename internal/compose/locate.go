package compose

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// compose-go's load errors name what they refuse by its path in the model
// (services.web.ports must be a array; service volume
// services.web.volumes.[0] is missing a mount target; service "web" refers
// to undefined network x) and never by line: compose-go keeps no
// positions. locate finds that path in the files' YAML nodes, so that the
// error can name the file and line a user must edit.
var (
	modelPath     = regexp.MustCompile(`\b((?:services|networks|volumes|secrets|configs|models|include)(?:\.(?:\[\d+\]|[^\s.:,'"\[\]]+))+)`)
	quotedService = regexp.MustCompile(`\bservices? "([^"]+)"`)
	bracketPath   = regexp.MustCompile(`[^.\s]\[[^\]\s'"]+\]`)
	// compose-go names the environment entry it refuses by its variable,
	// which finds the entry's own line.
	trailingSpace = regexp.MustCompile(`environment variable (.+?) is declared with a trailing space`)
	// A top-level section of the wrong type: services must be a mapping.
	topLevel = regexp.MustCompile(`^(?:.*: )?(services|networks|volumes|secrets|configs|include) must be `)
	// The port parser quotes the part it refuses, not where it is; the
	// ports entry that holds that text is the place.
	badPort = regexp.MustCompile(`Invalid (?:containerPort|hostPort|hostIP|proto|ip|port|range)[^:]*:\s*(\S.*?)\s*$`)
)

// locate returns the file and line of the deepest node of files that the
// message's model path reaches, or nil and 0. Among files that reach the
// same depth the last one wins (an override file changes what a base file
// said), unless the message names a file by its path.
func locate(msg string, files []*File) (*File, int, int) {
	// The decoder's errors write the path mapstructure's way:
	// 'services[web].environment[0]'.
	msg = bracketPath.ReplaceAllStringFunc(msg, func(b string) string {
		_, w := utf8.DecodeRuneInString(b) // the character before [
		key := b[w+1 : len(b)-1]
		if strings.Trim(key, "0123456789") == "" {
			key = "[" + key + "]"
		}
		return b[:w] + "." + key
	})
	var parts []string
	if m := modelPath.FindStringSubmatch(msg); m != nil {
		parts = strings.Split(m[1], ".")
	} else if m := quotedService.FindStringSubmatch(msg); m != nil {
		parts = []string{"services", m[1]}
	} else if m := topLevel.FindStringSubmatch(msg); m != nil {
		parts = []string{m[1]}
	} else if m := badPort.FindStringSubmatch(oneLineOf(msg)); m != nil {
		return portEntry(files, m[1])
	} else {
		return nil, 0, 0
	}
	var best *File
	var node, value *yaml.Node
	depth := 0
	for _, f := range files {
		if f.Root == nil {
			continue
		}
		p := parts
		if f.Legacy && p[0] == "services" {
			p = p[1:]
		}
		n, v, d := walkPath(resolveAlias(f.Root), p)
		if n == nil {
			continue
		}
		named := strings.Contains(msg, f.Path)
		if d > depth || d == depth && d > 0 || named && d > 0 {
			best, node, value, depth = f, n, v, d
			if named {
				break
			}
		}
	}
	if best == nil {
		return nil, 0, 0
	}
	if m := trailingSpace.FindStringSubmatch(msg); m != nil {
		if e := envEntry(value, m[1]); e != nil {
			node = e
		}
	}
	return best, node.Line, node.Column
}

// oneLineOf is the first line of a message.
func oneLineOf(msg string) string {
	line, _, _ := strings.Cut(msg, "\n")
	return line
}

// portEntry finds the first ports entry of any service, last file first,
// whose text holds part.
func portEntry(files []*File, part string) (*File, int, int) {
	for i := len(files) - 1; i >= 0; i-- {
		f := files[i]
		svcs := resolveAlias(f.ServicesNode())
		if svcs == nil || svcs.Kind != yaml.MappingNode {
			continue
		}
		for j := 1; j < len(svcs.Content); j += 2 {
			_, ports := MapGet(svcs.Content[j], "ports")
			if ports = resolveAlias(ports); ports == nil || ports.Kind != yaml.SequenceNode {
				continue
			}
			for _, e := range ports.Content {
				if e.Kind == yaml.ScalarNode && strings.Contains(e.Value, part) {
					return f, e.Line, e.Column
				}
			}
		}
	}
	return nil, 0, 0
}

// envEntry finds the entry of an environment block (a list of NAME=value
// or a mapping) that declares name, or nil.
func envEntry(n *yaml.Node, name string) *yaml.Node {
	if n = resolveAlias(n); n == nil {
		return nil
	}
	switch n.Kind {
	case yaml.SequenceNode:
		for _, e := range n.Content {
			if e.Kind == yaml.ScalarNode && (e.Value == name || strings.HasPrefix(e.Value, name+"=")) {
				return e
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == name {
				return n.Content[i]
			}
		}
	}
	return nil
}

// walkPath follows parts from n as far as they go. Keys may themselves
// hold dots (a service named web.v2), so at a mapping the longest run of
// parts that names a key is taken. It returns the last node reached (the
// key node for a mapping entry), the value there, and how many parts it
// consumed.
func walkPath(n *yaml.Node, parts []string) (*yaml.Node, *yaml.Node, int) {
	var last *yaml.Node
	used := 0
	for used < len(parts) && n != nil {
		n = resolveAlias(n)
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for j := len(parts); j > used && !found; j-- {
				if k, v := MapGet(n, strings.Join(parts[used:j], ".")); k != nil {
					last, n, used, found = k, v, j, true
				}
			}
			if !found {
				return last, n, used
			}
		case yaml.SequenceNode:
			i, err := strconv.Atoi(strings.Trim(parts[used], "[]"))
			if err != nil || i < 0 || i >= len(n.Content) {
				return last, n, used
			}
			n = n.Content[i]
			last, used = n, used+1
		default:
			return last, n, used
		}
	}
	return last, n, used
}

// Position is a place in a compose file; Path is "" when unknown.
type Position struct {
	Path         string
	Line, Column int
}

// position is locate's answer as a Position.
func position(msg string, files []*File) Position {
	if f, line, col := locate(msg, files); f != nil {
		return Position{f.Path, line, col}
	}
	return Position{}
}
