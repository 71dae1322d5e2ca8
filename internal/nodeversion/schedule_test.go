package nodeversion

import (
	"testing"
	"time"
)

const window = 90 * 24 * time.Hour

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

// wantSchedule is typed in independently of schedule.json so that an edit to
// the data that moves a date, drops a line or adds one fails here first.
var wantSchedule = []struct {
	major, codename, start, lts, end string
}{
	{"0.8", "", "2012-06-25", "", "2014-07-31"},
	{"0.10", "", "2013-03-11", "", "2016-10-31"},
	{"0.12", "", "2015-02-06", "", "2016-12-31"},
	{"4", "argon", "2015-09-08", "2015-10-12", "2018-04-30"},
	{"5", "", "2015-10-29", "", "2016-06-30"},
	{"6", "boron", "2016-04-26", "2016-10-18", "2019-04-30"},
	{"7", "", "2016-10-25", "", "2017-06-30"},
	{"8", "carbon", "2017-05-30", "2017-10-31", "2019-12-31"},
	{"9", "", "2017-10-01", "", "2018-06-30"},
	{"10", "dubnium", "2018-04-24", "2018-10-30", "2021-04-30"},
	{"11", "", "2018-10-23", "", "2019-06-01"},
	{"12", "erbium", "2019-04-23", "2019-10-21", "2022-04-30"},
	{"13", "", "2019-10-22", "", "2020-06-01"},
	{"14", "fermium", "2020-04-21", "2020-10-27", "2023-04-30"},
	{"15", "", "2020-10-20", "", "2021-06-01"},
	{"16", "gallium", "2021-04-20", "2021-10-26", "2023-09-11"},
	{"17", "", "2021-10-19", "", "2022-06-01"},
	{"18", "hydrogen", "2022-04-19", "2022-10-25", "2025-04-30"},
	{"19", "", "2022-10-18", "", "2023-06-01"},
	{"20", "iron", "2023-04-18", "2023-10-24", "2026-04-30"},
	{"21", "", "2023-10-17", "", "2024-06-01"},
	{"22", "jod", "2024-04-24", "2024-10-29", "2027-04-30"},
	{"23", "", "2024-10-16", "", "2025-06-01"},
	{"24", "krypton", "2025-05-06", "2025-10-28", "2028-04-30"},
	{"25", "", "2025-10-15", "", "2026-06-01"},
	// 26 entered LTS on 2026-10-28; the source had not published its
	// codename when it was taken.
	{"26", "", "2026-05-05", "2026-10-28", "2029-04-30"},
	{"27", "", "2027-04-22", "", "2030-04-30"},
}

func TestScheduleData(t *testing.T) {
	got := Releases()
	if len(got) != len(wantSchedule) {
		t.Fatalf("schedule has %d lines, want %d", len(got), len(wantSchedule))
	}
	for i, w := range wantSchedule {
		r := got[i]
		if r.Major != w.major || r.Codename != w.codename ||
			!r.Start.Equal(date(w.start)) || !r.End.Equal(date(w.end)) {
			t.Errorf("line %d = %s %q %s..%s, want %s %q %s..%s", i,
				r.Major, r.Codename, r.Start.Format(time.DateOnly), r.End.Format(time.DateOnly),
				w.major, w.codename, w.start, w.end)
		}
		if w.lts == "" {
			if r.IsLTS() {
				t.Errorf("%s: LTS %s, want none", r.Major, r.LTS.Format(time.DateOnly))
			}
		} else if !r.LTS.Equal(date(w.lts)) {
			t.Errorf("%s: LTS %s, want %s", r.Major, r.LTS.Format(time.DateOnly), w.lts)
		}
		if !r.Start.Before(r.End) || (r.IsLTS() && (r.LTS.Before(r.Start) || !r.LTS.Before(r.End))) {
			t.Errorf("%s: dates out of order", r.Major)
		}
	}
	// Releases hands out a copy.
	got[0].Major = "x"
	if Releases()[0].Major != "0.8" {
		t.Error("Releases exposes the package's slice")
	}
}

func TestLoadErrors(t *testing.T) {
	for _, in := range []string{
		`not json`,
		`{"v18": {"start": "2022-04-19"}}`,
		`{"v18": {"end": "2025-04-30"}}`,
		`{"v18": {"start": "2022-04-19", "end": "April 2025"}}`,
		`{"v18": {"start": "2022-04-19", "end": "2025-04-30", "lts": "soon"}}`,
		`{"vX": {"start": "2022-04-19", "end": "2025-04-30"}}`,
		`{"v0": {"start": "2022-04-19", "end": "2025-04-30"}}`,
	} {
		if _, err := load([]byte(in)); err == nil {
			t.Errorf("load(%s) succeeded", in)
		}
	}
}

// TestStatusEveryLine checks each line in the schedule the way DC003 uses it:
// through its tag, before and after its end-of-life date.
func TestStatusEveryLine(t *testing.T) {
	for _, w := range wantSchedule {
		v, ok := FromTag(w.major)
		if !ok || !v.Pinned || v.Major != w.major {
			t.Fatalf("FromTag(%q) = %+v, %v", w.major, v, ok)
		}
		end := date(w.end)
		for _, c := range []struct {
			day  time.Time
			want State
		}{
			{date(w.start).AddDate(0, 0, -1), Prerelease},
			{date(w.start), Supported},
			{end.Add(-window - 24*time.Hour), Supported},
			{end.Add(-window), Expiring},
			{end.AddDate(0, 0, -1), Expiring},
			{end.Add(-time.Nanosecond), Expiring},
			{end, EndOfLife},
			{end.Add(23 * time.Hour), EndOfLife},
			{end.AddDate(0, 0, 1), EndOfLife},
			{end.AddDate(5, 0, 0), EndOfLife},
		} {
			got, r := Status(v, c.day, window)
			if got != c.want || r.Major != w.major || !r.End.Equal(end) {
				t.Errorf("Status(%s, %s) = %v (line %q, end %s), want %v",
					w.major, c.day.Format(time.DateTime), got, r.Major, r.End.Format(time.DateOnly), c.want)
			}
		}
	}
}

func TestStatusToday(t *testing.T) {
	today := date("2026-11-27")
	tests := []struct {
		tag  string
		want State
	}{
		{"0.10.38", EndOfLife},
		{"0.12", EndOfLife},
		{"4.2.2", EndOfLife},
		{"carbon", EndOfLife},
		{"10-alpine", EndOfLife},
		{"gallium-alpine", EndOfLife},
		{"hydrogen", EndOfLife},
		{"18.19.0-bookworm-slim", EndOfLife},
		{"lts-iron", EndOfLife},
		{"20", EndOfLife},
		{"21", EndOfLife},
		{"22", Supported},
		{"jod-alpine", Supported},
		{"23", EndOfLife},
		{"24-slim", Supported},
		{"krypton", Supported},
		{"25", EndOfLife},
		{"26", Supported},
		{"27", Prerelease},
		{"28", Unknown},
		{"99.1.0", Unknown},
		// Lines the schedule skips are long dead.
		{"0.6", EndOfLife},
		{"0.11.16", EndOfLife},
		{"3", EndOfLife},
		{"lts", Unpinned},
		{"latest", Unpinned},
		{"", Unpinned},
		{"current-alpine", Unpinned},
		{"alpine", Unpinned},
	}
	for _, tt := range tests {
		v, ok := FromTag(tt.tag)
		if !ok {
			t.Errorf("FromTag(%q) failed", tt.tag)
			continue
		}
		if got, _ := Status(v, today, window); got != tt.want {
			t.Errorf("Status(%q) on %s = %v, want %v", tt.tag, today.Format(time.DateOnly), got, tt.want)
		}
	}

	// 22 is inside the 90-day window from 2027-01-30 on.
	v22, _ := FromTag("22")
	for day, want := range map[string]State{
		"2027-01-29": Supported,
		"2027-01-30": Expiring,
		"2027-04-29": Expiring,
		"2027-04-30": EndOfLife,
	} {
		if got, _ := Status(v22, date(day), window); got != want {
			t.Errorf("Status(22, %s) = %v, want %v", day, got, want)
		}
	}
	// A zero window only ever says Supported or EndOfLife.
	if got, _ := Status(v22, date("2027-04-29"), 0); got != Supported {
		t.Errorf("Status(22, 2027-04-29, 0) = %v, want supported", got)
	}
	// The old-line fallback carries the major only.
	if got, r := Status(Version{Pinned: true, Major: "0.6"}, today, window); got != EndOfLife || r.Major != "0.6" || !r.End.IsZero() {
		t.Errorf("Status(0.6) = %v, %+v", got, r)
	}
	if got, r := Status(Version{Pinned: true, Major: "junk"}, today, window); got != Unknown || r.Major != "" {
		t.Errorf("Status(junk) = %v, %+v", got, r)
	}
}

func TestStatusUsesCalendarDate(t *testing.T) {
	v, _ := FromTag("20")
	// 23:30 on 2026-04-29 in UTC-10 is already 2026-04-30 in UTC, but the
	// caller's date is the 29th.
	hst := time.FixedZone("HST", -10*3600)
	if got, _ := Status(v, time.Date(2026, 4, 29, 23, 30, 0, 0, hst), window); got != Expiring {
		t.Errorf("late on 2026-04-29 in HST: %v, want expiring", got)
	}
	cet := time.FixedZone("CET", 3600)
	if got, _ := Status(v, time.Date(2026, 4, 30, 0, 30, 0, 0, cet), window); got != EndOfLife {
		t.Errorf("early on 2026-04-30 in CET: %v, want end-of-life", got)
	}
}

func TestStateString(t *testing.T) {
	for s, want := range map[State]string{
		Unknown: "unknown", Unpinned: "unpinned", Prerelease: "prerelease",
		Supported: "supported", Expiring: "expiring", EndOfLife: "end-of-life",
		State(42): "unknown",
	} {
		if got := s.String(); got != want {
			t.Errorf("State(%d).String() = %q, want %q", int(s), got, want)
		}
	}
}

func TestOldestSupportedLTS(t *testing.T) {
	tests := []struct{ day, want string }{
		{"2015-10-11", ""},
		{"2015-10-12", "4"},
		{"2018-04-29", "4"},
		{"2018-04-30", "6"},
		{"2019-12-31", "10"},
		{"2023-09-10", "16"},
		{"2023-09-11", "18"},
		{"2025-04-30", "20"},
		{"2026-04-29", "20"},
		{"2026-04-30", "22"},
		{"2026-11-27", "22"},
		{"2027-04-30", "24"},
		{"2028-04-30", "26"},
		{"2029-04-30", ""},
	}
	for _, tt := range tests {
		if got := OldestSupportedLTS(date(tt.day)); got.Major != tt.want {
			t.Errorf("OldestSupportedLTS(%s) = %q, want %q", tt.day, got.Major, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	tests := []struct {
		tag, day, want string
		ok             bool
	}{
		{"lts", "2026-11-27", "26", true},
		{"lts-alpine", "2026-10-27", "24", true},
		{"latest", "2026-11-27", "26", true},
		{"", "2026-05-04", "25", true},
		{"current", "2026-05-05", "26", true},
		{"alpine", "2025-01-01", "23", true},
		{"iron", "2026-11-27", "20", true},
		{"18.19.0", "2026-11-27", "18", true},
		{"99", "2026-11-27", "", false},
		{"lts", "2015-01-01", "", false},
		{"latest", "2010-01-01", "", false},
	}
	for _, tt := range tests {
		v, ok := FromTag(tt.tag)
		if !ok {
			t.Fatalf("FromTag(%q) failed", tt.tag)
		}
		r, ok := Resolve(v, date(tt.day))
		if r.Major != tt.want || ok != tt.ok {
			t.Errorf("Resolve(%q, %s) = %q, %v; want %q, %v", tt.tag, tt.day, r.Major, ok, tt.want, tt.ok)
		}
	}
	if _, ok := Resolve(Version{Text: "foo"}, date("2026-11-27")); ok {
		t.Error("Resolve of a tag FromTag rejected succeeded")
	}
}

func TestLookup(t *testing.T) {
	if r, ok := Lookup("20"); !ok || r.Codename != "iron" {
		t.Errorf("Lookup(20) = %+v, %v", r, ok)
	}
	for _, m := range []string{"", "v20", "20.0", "0", "3", "99"} {
		if _, ok := Lookup(m); ok {
			t.Errorf("Lookup(%q) succeeded", m)
		}
	}
}

func TestCompareMajors(t *testing.T) {
	order := []string{"junk", "0.8", "0.10", "0.12", "4", "9", "10", "18", "100"}
	for i := range order {
		for j := range order {
			want := 0
			if i < j {
				want = -1
			} else if i > j {
				want = 1
			}
			if got := compareMajors(order[i], order[j]); got != want {
				t.Errorf("compareMajors(%q, %q) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
}
