package rules

// The npm command scan of DC006: npm install/ci calls in RUN text and
// compose commands, with the byte ranges of their words, and their rewrite.

import (
	"bytes"
	"strings"

	"github.com/decouple-dev/decouple/internal/dockerfile"
)

// shellWord is a word of a shell command with its byte range in a file.
type shellWord struct {
	start, end int
	text       string
}

// npmCall is an npm install run with a production-only flag.
type npmCall struct {
	words    []shellWord // from "npm" to the command's last word
	sub      int         // index of the subcommand word
	flag     int         // index of the production flag word
	packages bool        // named packages follow: not a plain install
}

// npmSubcommands are npm's spellings of install and ci.
var npmSubcommands = map[string]string{
	"install": "install", "i": "install", "in": "install", "ins": "install", "inst": "install",
	"insta": "install", "instal": "install", "isnt": "install", "isnta": "install",
	"isntal": "install", "isntall": "install", "add": "install",
	"ci": "ci", "clean-install": "ci", "ic": "ci", "install-clean": "ci", "isntall-clean": "ci",
}

// scanNPM finds npm installs with a production flag in src[from:to]. The
// scan is a light shell tokenizer: operators and unescaped newlines end a
// command, a backslash-newline joins lines, and lines that start with '#'
// are comments. A quoted string after -c (sh -c "npm install …") is read as
// commands; any other quoted string is an argument and is skipped. Offsets
// are into src.
func scanNPM(src []byte, from, to int) []npmCall {
	var out []npmCall
	var cmd []shellWord
	flush := func() {
		if c, ok := npmInCommand(cmd); ok {
			out = append(out, c)
		}
		cmd = cmd[:0]
	}
	var quotes []byte // the -c strings we are inside, innermost last
	lineStart := true
	for i := from; i < to; {
		b := src[i]
		switch {
		case b == '\\' && i+1 < to && src[i+1] == '\n':
			i += 2
			continue
		case b == '\\' && i+2 < to && src[i+1] == '\r' && src[i+2] == '\n':
			i += 3
			continue
		case b == '\n':
			flush()
			lineStart = true
			i++
			continue
		case b == ' ' || b == '\t' || b == '\r':
			i++
			continue
		case b == '#' && (lineStart || i == from || isBlank(src[i-1])):
			for i < to && src[i] != '\n' {
				i++
			}
			continue
		case len(quotes) > 0 && b == quotes[len(quotes)-1]:
			flush()
			quotes = quotes[:len(quotes)-1]
			i++
			continue
		case b == '"' || b == '\'' || b == '`':
			if b != '`' && len(cmd) > 0 && isCommandFlag(cmd[len(cmd)-1].text) {
				flush()
				quotes = append(quotes, b)
				i++
				continue
			}
			// An argument: skip to its closing quote.
			i++
			for i < to && src[i] != b {
				if src[i] == '\\' && b != '\'' {
					i++
				}
				i++
			}
			i++
			lineStart = false
			continue
		case strings.IndexByte(";&|()<>", b) >= 0:
			flush()
			lineStart = false
			i++
			continue
		}
		lineStart = false
		start := i
		for i < to && !isBlank(src[i]) && src[i] != '\n' && strings.IndexByte(";&|()<>\"'`", src[i]) < 0 &&
			!(src[i] == '\\' && i+1 < to && (src[i+1] == '\n' || src[i+1] == '\r')) {
			i++
		}
		cmd = append(cmd, shellWord{start: start, end: i, text: string(src[start:i])})
	}
	flush()
	return out
}

// isCommandFlag recognises a shell's -c, alone or with other letters (-lc, -ec).
func isCommandFlag(w string) bool {
	if len(w) < 2 || w[0] != '-' || w[len(w)-1] != 'c' {
		return false
	}
	for _, r := range w[1:] {
		if r < 'a' || r > 'z' {
			return false
		}
	}
	return true
}

func isBlank(b byte) bool { return b == ' ' || b == '\t' || b == '\r' }

// npmInCommand finds "npm [flags] install ... --production" in one simple
// command's words.
func npmInCommand(words []shellWord) (npmCall, bool) {
	for k, w := range words {
		if w.text != "npm" && !strings.HasSuffix(w.text, "/npm") {
			continue
		}
		c := npmCall{sub: -1, flag: -1}
		rest := words[k:]
		for j := 1; j < len(rest); j++ {
			t := rest[j].text
			if c.sub < 0 {
				if strings.HasPrefix(t, "-") {
					continue
				}
				if _, ok := npmSubcommands[t]; !ok {
					break
				}
				c.sub = j
				continue
			}
			switch {
			case dockerfile.DeprecatedProductionFlag(t):
				if c.flag < 0 {
					c.flag = j
				}
			case t == "--omit=dev":
				return npmCall{}, false // already says it the new way
			case !strings.HasPrefix(t, "-"):
				c.packages = true
			}
		}
		if c.sub < 0 || c.flag < 0 {
			continue
		}
		c.words = append([]shellWord(nil), rest...)
		return c, true
	}
	return npmCall{}, false
}

// rewrite is the npm command with the new words, everything between them
// kept as it was; it returns the replacement of src[words[0].start :
// words[last].end] and what the command now reads.
func (c npmCall) rewrite(src []byte, ci bool) (newText, now string) {
	var b strings.Builder
	pos := c.words[0].start
	var parts []string
	for j, w := range c.words {
		b.Write(src[pos:w.start])
		text := w.text
		switch {
		case j == c.sub && ci && npmSubcommands[w.text] != "ci":
			text = "ci"
		case j == c.flag:
			text = "--omit=dev"
		case j != c.sub && dockerfile.DeprecatedProductionFlag(w.text):
			text = "" // a second spelling of the same flag
		}
		b.WriteString(text)
		if text != "" {
			parts = append(parts, text)
		}
		pos = w.end
	}
	return b.String(), strings.Join(parts, " ")
}

// written is the npm command as it reads in the file.
func (c npmCall) written() string {
	parts := make([]string, len(c.words))
	for i, w := range c.words {
		parts[i] = w.text
	}
	return strings.Join(parts, " ")
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// lineOfOffset and columnOfOffset place a byte offset (1-based).
func lineOfOffset(src []byte, off int) int { return bytes.Count(src[:off], []byte("\n")) + 1 }

func columnOfOffset(src []byte, off int) int {
	return off - (bytes.LastIndexByte(src[:off], '\n') + 1) + 1
}
