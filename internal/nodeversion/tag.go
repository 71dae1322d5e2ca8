package nodeversion

import (
	"strconv"
	"strings"

	"github.com/decouple-dev/decouple/internal/imageref"
)

// Kind says how a tag selects a Node.js version.
type Kind string

// Kinds of node image tag. KindVersion and KindCodename pin a release line;
// the others float as new lines are released.
const (
	KindVersion     Kind = "version"      // "18", "18.19", "0.10.38", "v20"
	KindCodename    Kind = "codename"     // "iron", "hydrogen-alpine", "lts-iron"
	KindLatest      Kind = "latest"       // "latest", or no tag at all
	KindLTS         Kind = "lts"          // "lts", "lts-alpine"
	KindCurrent     Kind = "current"      // "current", "current-alpine"
	KindVariantOnly Kind = "variant-only" // "alpine", "bookworm-slim": the latest version in that variant
)

// Version is what a node image tag says about the Node.js version.
// Text+Variant is always the tag that was parsed, or Variant+Text when
// VariantFirst.
type Version struct {
	Text     string // version part as written: "20.11.1", "v20", "carbon", "lts-iron", "lts"; "" for a bare variant
	Variant  string // the rest: "-alpine3.19", or "alpine" for a bare variant
	Kind     Kind   // "" when the tag is not understood
	Pinned   bool   // the tag names one release line (KindVersion, KindCodename)
	Major    string // the line, "0.10" or "18", when Pinned
	Codename string // the line's LTS codename in lower case, whether or not the tag used it
	// VariantFirst says the variant comes before the version, as some
	// third-party images write it: "slim-15" is Variant "slim-", Text "15".
	VariantFirst bool
	// Embedded is the part of a third-party image's tag that names Node
	// after the image's own version ("3.2.0-node24.19.0": "node24.19.0");
	// Text is then the whole tag, and Major that part's line.
	Embedded string
}

// FromTag reads the tag of a node image (the part after ':'). It reports
// false for tags that name no version it understands: unknown words ("edge",
// "foo"), malformed numbers, and interpolation ("${NODE_VERSION}-alpine"),
// whose value is not known; the returned Version still has Text and Variant.
// A well-formed major missing from the schedule ("99") is accepted, pinned;
// Status then reports it as Unknown.
func FromTag(tag string) (Version, bool) {
	text, variant := imageref.SplitTag(tag)
	v := Version{Text: text, Variant: variant}
	if e := embeddedNode(variant); e != "" {
		// defradigital/node:3.2.0-node24.19.0 is Node 24, not Node 3.
		major, _ := numericMajor(strings.TrimLeft(strings.ToLower(e), "nodejs"))
		r, _ := Lookup(major)
		v = Version{Text: tag, Embedded: e}
		v.pin(KindVersion, major, r.Codename)
		return v, true
	}
	if word := strings.ToLower(text); word == "latest" || word == "lts" || word == "current" {
		// Third-party images name the line after the word (a base
		// image's "latest-24", "lts-22-alpine"): that pins it.
		num, _, _ := strings.Cut(strings.TrimPrefix(variant, "-"), "-")
		if major, ok := numericMajor(num); ok && strings.HasPrefix(variant, "-") && !strings.Contains(major, ".") {
			if n, err := strconv.Atoi(major); err == nil && n >= 4 {
				v.Text, v.Variant = text+"-"+num, strings.TrimPrefix(variant, "-"+num)
				r, _ := Lookup(major)
				v.pin(KindVersion, major, r.Codename)
				return v, true
			}
		}
	}
	if text == "" && variant != "" && !strings.HasPrefix(variant, "-") {
		// Third-party images put a variant before the version
		// (mhart/alpine-node:slim-15): the number after the last dash
		// pins the line, as in "latest-24".
		if i := strings.LastIndex(variant, "-"); i > 0 {
			if major, ok := numericMajor(variant[i+1:]); ok && !strings.Contains(major, ".") {
				if n, err := strconv.Atoi(major); err == nil && n >= 4 {
					v.Text, v.Variant, v.VariantFirst = variant[i+1:], variant[:i+1], true
					r, _ := Lookup(major)
					v.pin(KindVersion, major, r.Codename)
					return v, true
				}
			}
		}
	}
	switch word := strings.ToLower(text); {
	case tag == "", word == "latest":
		v.Kind = KindLatest
	case text == "" && !strings.HasPrefix(variant, "-"): // a tag cannot start with '-'
		v.Kind = KindVariantOnly
	case word == "current":
		v.Kind = KindCurrent
	case word == "lts":
		v.Kind = KindLTS
		// "lts-iron" pins a line just like "iron" does.
		name, _, _ := strings.Cut(strings.TrimPrefix(variant, "-"), "-")
		if r, ok := byCodename(name); ok {
			v.Text, v.Variant = text+"-"+name, variant[1+len(name):]
			v.pin(KindCodename, r.Major, r.Codename)
		}
	default:
		if r, ok := byCodename(text); ok {
			v.pin(KindCodename, r.Major, r.Codename)
			break
		}
		major, ok := numericMajor(text)
		if !ok {
			return v, false
		}
		r, _ := Lookup(major)
		v.pin(KindVersion, major, r.Codename)
	}
	return v, true
}

// embeddedNode is a tag's part that names Node's version ("node24.19.0",
// "nodejs20"), or "".
func embeddedNode(variant string) string {
	for _, part := range strings.Split(variant, "-") {
		for _, p := range []string{"nodejs", "node"} {
			if rest, ok := strings.CutPrefix(strings.ToLower(part), p); ok && rest != "" {
				if _, ok := numericMajor(rest); ok {
					return part
				}
			}
		}
	}
	return ""
}

func (v *Version) pin(k Kind, major, codename string) {
	v.Kind, v.Pinned, v.Major, v.Codename = k, true, major, codename
}

// numericMajor returns the release line of "18", "18.19", "18.19.0", "v20",
// "0.10" or "0.10.38". A bare "0" names no line.
func numericMajor(s string) (string, bool) {
	if len(s) > 1 && (s[0] == 'v' || s[0] == 'V') {
		s = s[1:]
	}
	parts := strings.Split(s, ".")
	if len(parts) > 3 {
		return "", false
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		n, ok := number(p)
		if !ok {
			return "", false
		}
		nums[i] = n
	}
	if nums[0] != 0 {
		return strconv.Itoa(nums[0]), true
	}
	if len(nums) < 2 {
		return "", false
	}
	return "0." + strconv.Itoa(nums[1]), true
}
