// Package nodeversion knows which Node.js release lines exist, when each one
// reaches end-of-life, how node image tags name them, and which npm each line
// bundles. Rules use it to flag images on an end-of-life or soon-to-expire
// runtime and to pick the production install command a runtime image can
// actually run.
//
// The release schedule is embedded data, so results depend only on the
// arguments (today's date is always passed in) and tests are reproducible.
package nodeversion

import (
	"cmp"
	_ "embed" // for the schedule
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scheduleJSON is a verbatim copy of schedule.json from
// https://github.com/nodejs/Release at commit 143dd650cab0 (2026-06-01,
// "chore: update schedule and move 25.x to EOL"), taken 2026-11-27; it was
// still the newest version of the file at that date. To update, replace the
// file with the upstream one and run the tests.
//
//go:embed schedule.json
var scheduleJSON []byte

// Release is one Node.js release line from the schedule.
type Release struct {
	Major       string    // "0.10", "4", "22"
	Codename    string    // LTS codename in lower case, as tags spell it ("iron"); "" when none
	Start       time.Time // first release
	LTS         time.Time // start of active LTS; zero for lines never promoted to LTS
	Maintenance time.Time // start of maintenance; zero when the schedule has none
	End         time.Time // end-of-life: the line is unsupported from this day on
}

// IsLTS reports whether the line is (or was) a long-term-support line.
func (r Release) IsLTS() bool { return !r.LTS.IsZero() }

// State is where a release line stands on a given day.
type State int

// States returned by Status.
const (
	Unknown    State = iota // a major newer than the embedded schedule, or not a version at all
	Unpinned                // a floating tag (latest, lts, current, variant only): never EOL by itself
	Prerelease              // in the schedule but not released yet
	Supported               // released and more than the window away from end-of-life
	Expiring                // reaches end-of-life within the window
	EndOfLife               // past its end-of-life date
)

func (s State) String() string {
	switch s {
	case Unpinned:
		return "unpinned"
	case Prerelease:
		return "prerelease"
	case Supported:
		return "supported"
	case Expiring:
		return "expiring"
	case EndOfLife:
		return "end-of-life"
	default:
		return "unknown"
	}
}

// releases is the schedule sorted from oldest to newest line.
var releases = mustLoad(scheduleJSON)

func mustLoad(data []byte) []Release {
	rs, err := load(data)
	if err != nil {
		// The data is embedded and covered by tests: failing here is a
		// build defect, not a runtime condition.
		panic("nodeversion: embedded schedule.json: " + err.Error())
	}
	return rs
}

func load(data []byte) ([]Release, error) {
	var raw map[string]struct {
		Start       string `json:"start"`
		LTS         string `json:"lts"`
		Maintenance string `json:"maintenance"`
		End         string `json:"end"`
		Codename    string `json:"codename"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	rs := make([]Release, 0, len(raw))
	for key, e := range raw {
		major := strings.TrimPrefix(key, "v")
		if _, _, ok := parseMajor(major); !ok {
			return nil, fmt.Errorf("bad release key %q", key)
		}
		r := Release{Major: major, Codename: strings.ToLower(e.Codename)}
		var err error
		for _, f := range []struct {
			dst      *time.Time
			s        string
			required bool
		}{
			{&r.Start, e.Start, true},
			{&r.LTS, e.LTS, false},
			{&r.Maintenance, e.Maintenance, false},
			{&r.End, e.End, true},
		} {
			if f.s == "" {
				if f.required {
					return nil, fmt.Errorf("%s: missing start or end date", key)
				}
				continue
			}
			if *f.dst, err = time.Parse(time.DateOnly, f.s); err != nil {
				return nil, fmt.Errorf("%s: %w", key, err)
			}
		}
		rs = append(rs, r)
	}
	slices.SortFunc(rs, func(a, b Release) int { return compareMajors(a.Major, b.Major) })
	return rs, nil
}

// Releases returns the embedded schedule, oldest line first. The slice is a
// copy.
func Releases() []Release {
	return append([]Release(nil), releases...)
}

// Lookup returns the schedule entry for a major such as "18" or "0.10".
func Lookup(major string) (Release, bool) {
	for i := range releases {
		if releases[i].Major == major {
			return releases[i], true
		}
	}
	return Release{}, false
}

// byCodename finds the line with an LTS codename, case-insensitively.
func byCodename(name string) (Release, bool) {
	if name == "" {
		return Release{}, false
	}
	for i := range releases {
		if strings.EqualFold(releases[i].Codename, name) {
			return releases[i], true
		}
	}
	return Release{}, false
}

// Status says where the line a tag pins stands on today: EndOfLife from its
// end-of-life date on, Expiring when that date is at most window away,
// otherwise Supported (or Prerelease before its first release). Only the
// calendar date of today, in its own location, matters.
//
// A major newer than the embedded schedule is Unknown, not EndOfLife: the
// data is older than the image. A major older than the newest line but
// missing from the schedule (0.6, 0.11, the io.js-era 1 to 3) is EndOfLife,
// with a Release that has only Major set. Unpinned versions are Unpinned; use
// Resolve to see what they currently float to.
func Status(v Version, today time.Time, window time.Duration) (State, Release) {
	if !v.Pinned {
		return Unpinned, Release{}
	}
	r, ok := Lookup(v.Major)
	if !ok {
		if _, _, valid := parseMajor(v.Major); valid && compareMajors(v.Major, releases[len(releases)-1].Major) < 0 {
			return EndOfLife, Release{Major: v.Major}
		}
		return Unknown, Release{}
	}
	day := civilDate(today)
	switch {
	case day.Before(r.Start):
		return Prerelease, r
	case !day.Before(r.End):
		return EndOfLife, r
	case r.End.Sub(day) <= window:
		return Expiring, r
	}
	return Supported, r
}

// OldestSupportedLTS returns the oldest LTS line that has entered LTS and not
// reached end-of-life on today: the most conservative upgrade target for an
// image on a dead line. It returns the zero Release before the first LTS.
func OldestSupportedLTS(today time.Time) Release {
	day := civilDate(today)
	for i := range releases {
		r := &releases[i]
		if r.IsLTS() && !day.Before(r.LTS) && day.Before(r.End) {
			return *r
		}
	}
	return Release{}
}

// Resolve returns the line a version stands for on today. A pinned version
// resolves to its own line (false when the schedule does not know it); "lts"
// to the newest line that has entered LTS; "latest", "current" and a bare
// variant to the newest released line, as the official node image tags do.
func Resolve(v Version, today time.Time) (Release, bool) {
	if v.Pinned {
		return Lookup(v.Major)
	}
	day := civilDate(today)
	for i := len(releases) - 1; i >= 0; i-- {
		r := &releases[i]
		switch v.Kind {
		case KindLTS:
			if r.IsLTS() && !day.Before(r.LTS) {
				return *r, true
			}
		case KindLatest, KindCurrent, KindVariantOnly:
			if !day.Before(r.Start) {
				return *r, true
			}
		default:
			return Release{}, false
		}
	}
	return Release{}, false
}

// civilDate drops the clock so schedule dates (midnight UTC) compare by day,
// whatever location today was taken in.
func civilDate(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// parseMajor reads a release-line name: "18" or, for the 0.x era where the
// minor number was the line, "0.10". Leading zeros are rejected so that each
// line has one spelling.
func parseMajor(s string) (hi, lo int, ok bool) {
	a, b, dotted := strings.Cut(s, ".")
	hi, ok = number(a)
	if !ok {
		return 0, 0, false
	}
	if hi == 0 {
		if !dotted {
			return 0, 0, false
		}
		lo, ok = number(b)
		return hi, lo, ok
	}
	return hi, 0, !dotted
}

// number parses a non-negative decimal without sign or leading zeros.
func number(s string) (int, bool) {
	if s == "" || len(s) > 6 || (len(s) > 1 && s[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(s)
	return n, err == nil
}

// compareMajors orders line names numerically ("0.10" < "0.12" < "4" < "18").
// Names that do not parse sort first.
func compareMajors(a, b string) int {
	ah, al, aok := parseMajor(a)
	bh, bl, bok := parseMajor(b)
	switch {
	case !aok || !bok:
		return boolCmp(aok, bok)
	case ah != bh:
		return cmp.Compare(ah, bh)
	}
	return cmp.Compare(al, bl)
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case b:
		return -1
	}
	return 1
}
