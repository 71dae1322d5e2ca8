package nodeversion

import "testing"

func TestFromTag(t *testing.T) {
	tests := []struct {
		tag             string
		text, variant   string
		kind            Kind
		pinned          bool
		major, codename string
	}{
		{"18", "18", "", KindVersion, true, "18", "hydrogen"},
		{"18.19", "18.19", "", KindVersion, true, "18", "hydrogen"},
		{"18.19.0-alpine3.19", "18.19.0", "-alpine3.19", KindVersion, true, "18", "hydrogen"},
		{"20.11.1-alpine3.19", "20.11.1", "-alpine3.19", KindVersion, true, "20", "iron"},
		{"22-bookworm-slim", "22", "-bookworm-slim", KindVersion, true, "22", "jod"},
		{"4.2.2", "4.2.2", "", KindVersion, true, "4", "argon"},
		{"0.10.38", "0.10.38", "", KindVersion, true, "0.10", ""},
		{"0.10", "0.10", "", KindVersion, true, "0.10", ""},
		{"0.12.18-slim", "0.12.18", "-slim", KindVersion, true, "0.12", ""},
		{"5", "5", "", KindVersion, true, "5", ""},
		{"v20", "v20", "", KindVersion, true, "20", "iron"},
		{"v20.11.1-slim", "v20.11.1", "-slim", KindVersion, true, "20", "iron"},
		{"25-alpine", "25", "-alpine", KindVersion, true, "25", ""},
		{"99", "99", "", KindVersion, true, "99", ""},
		{"0.11.16", "0.11.16", "", KindVersion, true, "0.11", ""},
		{"carbon", "carbon", "", KindCodename, true, "8", "carbon"},
		{"argon", "argon", "", KindCodename, true, "4", "argon"},
		{"boron-slim", "boron", "-slim", KindCodename, true, "6", "boron"},
		{"dubnium", "dubnium", "", KindCodename, true, "10", "dubnium"},
		{"erbium-alpine", "erbium", "-alpine", KindCodename, true, "12", "erbium"},
		{"fermium", "fermium", "", KindCodename, true, "14", "fermium"},
		{"gallium", "gallium", "", KindCodename, true, "16", "gallium"},
		{"hydrogen-alpine", "hydrogen", "-alpine", KindCodename, true, "18", "hydrogen"},
		{"iron", "iron", "", KindCodename, true, "20", "iron"},
		{"Iron-Slim", "Iron", "-Slim", KindCodename, true, "20", "iron"},
		{"jod-bookworm-slim", "jod", "-bookworm-slim", KindCodename, true, "22", "jod"},
		{"krypton", "krypton", "", KindCodename, true, "24", "krypton"},
		{"lts-iron", "lts-iron", "", KindCodename, true, "20", "iron"},
		{"lts-hydrogen-alpine", "lts-hydrogen", "-alpine", KindCodename, true, "18", "hydrogen"},
		{"lts", "lts", "", KindLTS, false, "", ""},
		{"lts-alpine", "lts", "-alpine", KindLTS, false, "", ""},
		{"lts-buster-slim", "lts", "-buster-slim", KindLTS, false, "", ""},
		{"LTS", "LTS", "", KindLTS, false, "", ""},
		{"current", "current", "", KindCurrent, false, "", ""},
		{"current-alpine", "current", "-alpine", KindCurrent, false, "", ""},
		{"latest", "latest", "", KindLatest, false, "", ""},
		// Third-party images that name the line after the word.
		{"latest-24", "latest-24", "", KindVersion, true, "24", "krypton"},
		{"lts-22-alpine", "lts-22", "-alpine", KindVersion, true, "22", "jod"},
		{"current-3.19", "current", "-3.19", KindCurrent, false, "", ""},
		{"", "", "", KindLatest, false, "", ""},
		{"alpine", "", "alpine", KindVariantOnly, false, "", ""},
		{"alpine3.20", "", "alpine3.20", KindVariantOnly, false, "", ""},
		{"slim", "", "slim", KindVariantOnly, false, "", ""},
		{"bookworm", "", "bookworm", KindVariantOnly, false, "", ""},
		{"bookworm-slim", "", "bookworm-slim", KindVariantOnly, false, "", ""},
		// Third-party images that write the variant first.
		{"slim-15", "15", "slim-", KindVersion, true, "15", ""},
		{"alpine-3.18", "", "alpine-3.18", KindVariantOnly, false, "", ""},
	}
	for _, tt := range tests {
		v, ok := FromTag(tt.tag)
		want := Version{Text: tt.text, Variant: tt.variant, Kind: tt.kind, Pinned: tt.pinned, Major: tt.major, Codename: tt.codename,
			VariantFirst: tt.text != "" && tt.tag != tt.text+tt.variant}
		if !ok || v != want {
			t.Errorf("FromTag(%q) = %+v, %v; want %+v", tt.tag, v, ok, want)
		}
		if v.Text+v.Variant != tt.tag && !(v.VariantFirst && v.Variant+v.Text == tt.tag) {
			t.Errorf("FromTag(%q): Text+Variant = %q", tt.tag, v.Text+v.Variant)
		}
	}
}

func TestFromTagNotVersions(t *testing.T) {
	for _, tag := range []string{
		"foo",
		"edge",
		"nightly",
		"chakracore",
		"0",
		"v",
		"18.",
		".18",
		"18..1",
		"18.x",
		"1.2.3.4",
		"018",
		"18.019",
		"-18",
		"20a",
		"vv20",
		"1e3",
		"+18",
		"18_1",
		"${NODE_VERSION}",
		"${NODE_VERSION}-alpine",
		"${NODE_VERSION:-18}",
		"$NODE_VERSION-slim",
		"lts${X}",
		"99999999999999999999",
	} {
		v, ok := FromTag(tag)
		if ok || v.Pinned || v.Kind != "" {
			t.Errorf("FromTag(%q) = %+v, %v; want rejection", tag, v, ok)
		}
		if v.Text+v.Variant != tag {
			t.Errorf("FromTag(%q): Text+Variant = %q", tag, v.Text+v.Variant)
		}
	}
}

// TestEmbeddedNodeVersion: a third-party image's tag that names its own
// version first and Node's after it.
func TestEmbeddedNodeVersion(t *testing.T) {
	for tag, major := range map[string]string{"3.2.0-node24.19.0": "24", "2.1-nodejs20-alpine": "20", "1.0.0-node18": "18"} {
		v, ok := FromTag(tag)
		if !ok || !v.Pinned || v.Major != major || v.Text != tag {
			t.Errorf("FromTag(%q) = %+v, %v; want Node %s", tag, v, ok, major)
		}
	}
	if v, _ := FromTag("20-alpine"); v.Embedded != "" {
		t.Errorf("an official tag read as embedded: %+v", v)
	}
}
