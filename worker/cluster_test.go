package worker

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestComposeDynamicConfig: the dynamic configuration shipped for the
// compose cluster is the one the embedded server applies.
func TestComposeDynamicConfig(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "config", "temporal-dynamicconfig.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var file map[string][]struct {
		Value any `yaml:"value"`
	}
	if err := yaml.Unmarshal(b, &file); err != nil {
		t.Fatal(err)
	}
	if len(file) != len(ClusterDynamicConfig) {
		t.Errorf("the file has %d keys, ClusterDynamicConfig %d", len(file), len(ClusterDynamicConfig))
	}
	for k, want := range ClusterDynamicConfig {
		v := file[k]
		if len(v) != 1 || fmt.Sprint(v[0].Value) != fmt.Sprint(want) {
			t.Errorf("%s: file has %+v, ClusterDynamicConfig %v", k, v, want)
		}
	}
}
