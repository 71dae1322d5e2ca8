package workspace

import "testing"

func TestParseGitContext(t *testing.T) {
	tests := []struct {
		ctx          string
		repo, subdir string
		ok           bool
	}{
		{"https://github.com/MPDL/hatnote.git#production:web", "github.com/mpdl/hatnote", "web", true},
		{"https://github.com/acme/shop.git", "github.com/acme/shop", "", true},
		{"https://github.com/acme/shop.git#main", "github.com/acme/shop", "", true},
		{"https://gitlab.example.com/team/sub/shop.git#v1:apps/web/", "gitlab.example.com/team/sub/shop", "apps/web", true},
		{"git@github.com:acme/shop.git#main:api", "github.com/acme/shop", "api", true},
		{"ssh://git@github.com:22/acme/shop.git", "github.com/acme/shop", "", true},
		{"git://github.com/acme/shop#:web", "github.com/acme/shop", "web", true},
		{"github.com/acme/shop#main:web", "github.com/acme/shop", "web", true},
		{"https://user@github.com/acme/shop.git", "github.com/acme/shop", "", true},
		{"https://github.com/acme/shop.git?ref=main&subdir=apps/web", "github.com/acme/shop", "apps/web", true},
		// A subdir cannot climb out of the repository.
		{"https://github.com/acme/shop.git#main:../../etc", "github.com/acme/shop", "etc", true},
		// Not git: a tarball URL, a local path.
		{"https://example.com/context.tar.gz", "", "", false},
		{"./web", "", "", false},
		{"ftp://example.com/shop.git", "", "", false},
	}
	for _, tt := range tests {
		g, ok := parseGitContext(tt.ctx)
		if ok != tt.ok || g.repo != tt.repo || g.subdir != tt.subdir {
			t.Errorf("parseGitContext(%q) = %+v, %v; want {%s %s}, %v", tt.ctx, g, ok, tt.repo, tt.subdir, tt.ok)
		}
	}
}

func TestRedactURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://x-access-token:s3cr3t@github.com/acme/shop.git#main:web": "https://github.com/acme/shop.git#main:web",
		"https://s3cr3t@github.com/acme/shop.git":                         "https://github.com/acme/shop.git",
		"https://github.com/acme/shop.git#v@1:web":                        "https://github.com/acme/shop.git#v@1:web",
		"git@github.com:acme/shop.git":                                    "git@github.com:acme/shop.git",
		"./web":                                                           "./web",
	} {
		if got := redactURL(in); got != want {
			t.Errorf("redactURL(%q) = %q, want %q", in, got, want)
		}
	}
}
