package compose

import (
	"errors"
	"fmt"
	"io"
	"os"

	"go.yaml.in/yaml/v3"
)

// Limits bound what one file may cost to load, so that a hostile or broken
// file (an alias bomb, a document nested ten thousand deep, a 50 MB blob
// named docker-compose.yml) is refused with a message naming it instead of
// exhausting memory or the stack. Zero fields take the defaults.
type Limits struct {
	// MaxFileSize is the largest file read, in bytes.
	MaxFileSize int64
	// MaxAliasNodes is how many nodes alias expansion may reach in one
	// document, counted as the tree is walked with every alias expanded.
	MaxAliasNodes int
	// MaxDepth is the deepest nesting of mappings and sequences accepted
	// (aliases expanded); compose-go recurses over the tree.
	MaxDepth int
	// MaxCommand is the longest command, entrypoint or healthcheck test
	// given as one string: compose-go splits those with go-shellwords,
	// whose time grows with the square of the length.
	MaxCommand int
}

// Defaults of Limits.
const (
	DefaultMaxFileSize   = 10 << 20 // 10 MiB
	DefaultMaxAliasNodes = 100_000  // compose-go's own MaxNodeVisits default
	DefaultMaxDepth      = 1000
	DefaultMaxCommand    = 32 << 10 // 32 KiB: about 0.2 s in go-shellwords
)

// withDefaults fills the zero fields.
func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultMaxFileSize
	}
	if l.MaxAliasNodes <= 0 {
		l.MaxAliasNodes = DefaultMaxAliasNodes
	}
	if l.MaxDepth <= 0 {
		l.MaxDepth = DefaultMaxDepth
	}
	if l.MaxCommand <= 0 {
		l.MaxCommand = DefaultMaxCommand
	}
	return l
}

// LimitError is a file refused by a limit. Flag names the command-line
// flag that raises it.
type LimitError struct {
	Path string
	Line int // 0 when it is the whole file
	Msg  string
	Flag string
}

func (e *LimitError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s (raise it with --%s)", e.Path, e.Line, e.Msg, e.Flag)
	}
	return fmt.Sprintf("%s: %s (raise it with --%s)", e.Path, e.Msg, e.Flag)
}

// ErrNotRegular is a named pipe, socket or device where a file is expected.
var ErrNotRegular = errors.New("not a regular file")

// ReadFileLimited reads a regular file of at most max bytes (0: the
// default). A larger file is refused before its content is read; a file
// that grows while it is read is refused too.
func ReadFileLimited(path string, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxFileSize
	}
	// Stat first: opening a named pipe or a device (dockerfile:
	// /dev/stdin, a FIFO in an unpacked archive) could block for ever.
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if st.IsDir() {
		return nil, &os.PathError{Op: "read", Path: path, Err: fmt.Errorf("is a directory, not a file")}
	} else if !st.Mode().IsRegular() {
		return nil, &os.PathError{Op: "read", Path: path, Err: ErrNotRegular}
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer func() { _ = f.Close() }() // read-only
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	tooBig := func(n int64) error {
		return &LimitError{Path: path, Flag: "max-file-size",
			Msg: fmt.Sprintf("file is larger than the limit of %d bytes (%d bytes)", max, n)}
	}
	if st.Size() > max {
		return nil, tooBig(st.Size())
	}
	src, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, err
	}
	if int64(len(src)) > max {
		return nil, tooBig(int64(len(src)))
	}
	return src, nil
}

// checkTree walks a parsed document with every alias expanded, as
// compose-go will decode it, and refuses one that nests deeper than
// MaxDepth or whose aliases expand to more than MaxAliasNodes nodes (a
// "billion laughs"), or that gives a command, entrypoint or test string
// longer than MaxCommand. It also refuses a key given twice in one mapping,
// with both lines: compose-go refuses it too, without a position.
func checkTree(path string, root *yaml.Node, lim Limits) error {
	aliased := 0
	var walk func(n *yaml.Node, depth int, inAlias bool) error
	walk = func(n *yaml.Node, depth int, inAlias bool) error {
		if n == nil {
			return nil
		}
		if depth > lim.MaxDepth {
			return &LimitError{Path: path, Line: n.Line, Flag: "max-depth",
				Msg: fmt.Sprintf("nesting deeper than the limit of %d levels", lim.MaxDepth)}
		}
		if inAlias {
			aliased++
			if aliased > lim.MaxAliasNodes {
				return &LimitError{Path: path, Line: n.Line, Flag: "max-yaml-aliases",
					Msg: fmt.Sprintf("YAML aliases expand to more than %d nodes (an alias bomb?)", lim.MaxAliasNodes)}
			}
		}
		switch n.Kind {
		case yaml.AliasNode:
			return walk(n.Alias, depth, true)
		case yaml.MappingNode:
			if !inAlias {
				seen := map[string]int{}
				for i := 0; i+1 < len(n.Content); i += 2 {
					k := n.Content[i]
					if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
						continue
					}
					if first, dup := seen[k.Value]; dup {
						return &ParseError{Path: path, Line: k.Line,
							Msg: fmt.Sprintf("invalid YAML: mapping key %q already defined at line %d", k.Value, first)}
					}
					seen[k.Value] = k.Line
					switch v := n.Content[i+1]; k.Value {
					case "command", "entrypoint", "test":
						if v.Kind == yaml.ScalarNode && len(v.Value) > lim.MaxCommand {
							return &LimitError{Path: path, Line: v.Line, Flag: "max-command-length",
								Msg: fmt.Sprintf("%s is %d bytes long, more than the limit of %d", k.Value, len(v.Value), lim.MaxCommand)}
						}
					}
				}
			}
		}
		for _, c := range n.Content {
			if err := walk(c, depth+1, inAlias); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(root, 0, false)
}
