package compose

import (
	"errors"
	"fmt"
	"slices"

	"go.yaml.in/yaml/v3"

	"github.com/decouple-dev/decouple/internal/analysis"
	"github.com/decouple-dev/decouple/internal/safefile"
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
	// Overlay is text read in place of a file, by absolute path: an
	// editor's unsaved buffer given on standard input. It travels with the
	// limits because it changes what a read returns, and the limits still
	// apply to it.
	Overlay *Overlay
	// NoFastPath loads with compose-go alone, never the fast path (see
	// fast.go): the differential tests compare the two. It is an option of
	// the load, not a package variable, so one test cannot leak it.
	NoFastPath bool
	// RefuseDuplicateKeys reads the bytes as Compose v2 does (the check
	// of a fix's output): a file that gives a key twice in one mapping is
	// refused, and so is a template's placeholder where YAML wants a
	// value. Otherwise the last key is kept, as Compose v1 did, and the
	// file lists the others, and placeholders are read as plain names.
	RefuseDuplicateKeys bool
	// KeepDuplicateKeys keeps the last of a duplicate key even in a
	// strict check (Check): a fix to a file Compose v1 read is held to
	// loading as v1 read it.
	KeepDuplicateKeys bool
	// ProjectDir is the project directory (absolute) when it is not the
	// first file's folder: `docker compose --project-directory DIR -f
	// docker/compose.yaml`. Relative paths and .env are read from it.
	ProjectDir string
}

// Overlay is one file's text that stands in for the file on disk, which
// need not exist.
type Overlay struct {
	Path string // absolute
	Src  []byte
}

// ReadFile reads a compose file or Dockerfile within MaxFileSize, the
// overlay's text for its path.
func (l Limits) ReadFile(path string) ([]byte, error) {
	l = l.withDefaults()
	if o := l.Overlay; o != nil && o.Path == path {
		if int64(len(o.Src)) > l.MaxFileSize {
			return nil, &LimitError{Path: path, Flag: "max-file-size",
				Msg: fmt.Sprintf("file is larger than the limit of %d bytes (%d bytes)", l.MaxFileSize, len(o.Src))}
		}
		return o.Src, nil
	}
	return ReadFileLimited(path, l.MaxFileSize)
}

// Defaults of Limits.
const (
	DefaultMaxFileSize   = safefile.DefaultMax // 10 MiB
	DefaultMaxAliasNodes = 100_000             // compose-go's own MaxNodeVisits default
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
	return analysis.Position{File: e.Path, Line: e.Line}.String() + ": " + e.Msg + " (raise it with --" + e.Flag + ")"
}

// ErrNotRegular is a named pipe, socket or device where a file is expected.
var ErrNotRegular = safefile.ErrNotRegular

// ReadFileLimited is safefile.Read, with a file over the limit reported as
// a LimitError naming the flag that raises it.
func ReadFileLimited(path string, max int64) ([]byte, error) {
	src, err := safefile.Read(path, max)
	var big *safefile.TooLargeError
	if errors.As(err, &big) {
		return nil, &LimitError{Path: path, Flag: "max-file-size", Msg: big.Detail()}
	}
	return src, err
}

// checkTree walks a parsed document with every alias expanded, as
// compose-go will decode it, and refuses one that nests deeper than
// MaxDepth or whose aliases expand to more than MaxAliasNodes nodes (a
// "billion laughs"), or that gives a command, entrypoint or test string
// longer than MaxCommand. A key given twice in one mapping is dropped but
// for its last, as docker-compose v1 (PyYAML) read it, and returned; with
// RefuseDuplicateKeys it is refused, with both lines, as compose-go (and so
// Compose v2) refuses it, without a position.
func checkTree(path string, root *yaml.Node, lim Limits) ([]Duplicate, error) {
	aliased := 0
	var dups []Duplicate
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
				seen := map[string]int{} // key -> index of the pair kept so far
				var drop []int
				for i := 0; i+1 < len(n.Content); i += 2 {
					k := n.Content[i]
					if k.Kind != yaml.ScalarNode || k.Tag == "!!merge" {
						continue
					}
					if j, dup := seen[k.Value]; dup {
						if lim.RefuseDuplicateKeys {
							return &ParseError{Path: path, Line: k.Line,
								Msg: fmt.Sprintf("invalid YAML: mapping key %q already defined at line %d", k.Value, n.Content[j].Line)}
						}
						dups = append(dups, Duplicate{Key: n.Content[j], Value: n.Content[j+1], Next: n.Content[j+2],
							Kept: k, Block: n.Style&yaml.FlowStyle == 0})
						drop = append(drop, j)
					}
					seen[k.Value] = i
					switch v := n.Content[i+1]; k.Value {
					case "command", "entrypoint", "test":
						if v.Kind == yaml.ScalarNode && len(v.Value) > lim.MaxCommand {
							return &LimitError{Path: path, Line: v.Line, Flag: "max-command-length",
								Msg: fmt.Sprintf("%s is %d bytes long, more than the limit of %d", k.Value, len(v.Value), lim.MaxCommand)}
						}
					}
				}
				if len(drop) > 0 {
					kept := make([]*yaml.Node, 0, len(n.Content)-2*len(drop))
					for i := 0; i < len(n.Content); i += 2 {
						if !slices.Contains(drop, i) {
							kept = append(kept, n.Content[i:min(i+2, len(n.Content))]...)
						}
					}
					n.Content = kept
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
	return dups, walk(root, 0, false)
}

// Duplicate is a key given twice in one mapping: the earlier pair, which
// YAML 1.1 readers (PyYAML, so docker-compose v1) drop and yaml.v3 and
// compose-go refuse.
type Duplicate struct {
	Key, Value *yaml.Node // the pair dropped
	Next       *yaml.Node // the key after it in the mapping
	Kept       *yaml.Node // the key that stands
	Block      bool       // the mapping is in block style
}
