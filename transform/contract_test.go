package transform

import "testing"

func TestCodeImageName(t *testing.T) {
	for in, want := range map[string]string{
		"registry.example.com/api:${TAG:-dev}": "registry.example.com/api-code:${TAG:-dev}",
		"registry.example.com:5000/api":        "registry.example.com:5000/api-code",
		"registry.example.com:5000/api:1.2":    "registry.example.com:5000/api-code:1.2",
		"ghcr.io/acme/web:1.4":                 "ghcr.io/acme/web-code:1.4",
		"acme/web@sha256:abc":                  "acme/web-code",
		`"${REGISTRY}/web:${TAG}"`:             `"${REGISTRY}/web-code:${TAG}"`,
		"${IMAGE_NAME:-acme/web}":              "${IMAGE_NAME:-acme/web}-code",
		"web":                                  "web-code",
	} {
		if got := codeImageName(in); got != want {
			t.Errorf("codeImageName(%q) = %q, want %q", in, got, want)
		}
	}
}
