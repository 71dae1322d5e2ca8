package discover

import "testing"

func TestLooksLikeCompose(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{"services with build", "services:\n  api:\n    build: .\n", true},
		{"services with image after comments", "# stack\nversion: '3'\nservices:\n  # db\n  db:\n    environment: {}\n    image: postgres\n", true},
		{"quoted key", "\"services\":\n  web:\n    image: nginx\n", true},
		{"services without image or build", "services:\n  mailer:\n    host: smtp\n", false},
		{"services as a list (GitLab CI)", "image: node\nservices:\n  - postgres:16\n  - name: redis\n", false},
		{"Kubernetes", "apiVersion: v1\nkind: Service\nservices:\n  web:\n    image: x\n", false},
		{"GitHub workflow", "on: push\njobs:\n  t:\n    services:\n      db:\n        image: postgres\n", false},
		{"OpenAPI", "openapi: 3.0.0\nservices:\n  a:\n    image: b\n", false},
		{"nested services key only", "app:\n  services:\n    web:\n      image: x\n", false},
		{"services inline value", "services: {}\nimage: x\n", false},
		{"image at the service name level is not a service's key", "services:\n  image: x\n", false},
		{"empty", "", false},
	}
	for _, tt := range tests {
		if got := LooksLikeCompose([]byte(tt.src)); got != tt.want {
			t.Errorf("%s: LooksLikeCompose = %v, want %v", tt.name, got, tt.want)
		}
	}
}
