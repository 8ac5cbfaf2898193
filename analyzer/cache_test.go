package analyzer

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func writeFile(t *testing.T, path, content string, modTime time.Time) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(path, modTime, modTime); err != nil {
		t.Fatal(err)
	}
}

func TestCacheReturnsSamePlan(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.js")
	writeFile(t, path, "const a = 1;\nspawn(() => a); spawn(() => b)", time.Unix(1_700_000_000, 0))
	cache := NewCache()

	first, err := cache.Analyze(path, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	again, err := cache.Analyze(path, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if first != again {
		t.Error("second Analyze of the same site returned a different *Plan")
	}
	other, err := cache.Analyze(path, 2, 17)
	if err != nil {
		t.Fatal(err)
	}
	if other == first || len(other.Globals) != 1 || other.Globals[0] != "b" {
		t.Errorf("plan for the second site = %+v", other)
	}
}

func TestCacheReloadsChangedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "job.js")
	modTime := time.Unix(1_700_000_000, 0)
	writeFile(t, path, "const a = 1;\nspawn(() => a)", modTime)
	cache := NewCache()
	first, err := cache.Analyze(path, 2, 1)
	if err != nil {
		t.Fatal(err)
	}

	// Same size, later modification time.
	writeFile(t, path, "const b = 1;\nspawn(() => b)", modTime.Add(time.Second))
	second, err := cache.Analyze(path, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if second == first || second.Captures[0].Name != "b" {
		t.Errorf("after a change of modification time, captures = %+v, want b", second.Captures)
	}

	// Same modification time, different size.
	writeFile(t, path, "const cc = 1;\nspawn(() => cc)", modTime.Add(time.Second))
	third, err := cache.Analyze(path, 2, 1)
	if err != nil {
		t.Fatal(err)
	}
	if third.Captures[0].Name != "cc" {
		t.Errorf("after a change of size, captures = %+v, want cc", third.Captures)
	}
}

func TestCacheErrors(t *testing.T) {
	dir := t.TempDir()
	cache := NewCache()
	if _, err := cache.Analyze(filepath.Join(dir, "missing.js"), 1, 1); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file: error = %v, want fs.ErrNotExist", err)
	}

	path := filepath.Join(dir, "broken.js")
	writeFile(t, path, "spawn(() => {)", time.Unix(1_700_000_000, 0))
	for i := 0; i < 2; i++ {
		plan, err := cache.Analyze(path, 1, 1)
		var positionError *PositionError
		if plan != nil || !errors.As(err, &positionError) || positionError.Line != 1 || positionError.Column != 14 {
			t.Errorf("call %d on a syntax error: plan %v, error %v; want a PositionError at 1:14", i, plan, err)
		}
	}
}

func TestCacheConcurrentUse(t *testing.T) {
	path := filepath.Join(t.TempDir(), "many.js")
	writeFile(t, path, "const a = 1, b = 2;\nspawn(() => a);\nspawn(() => b);\nspawn(() => a + b);\n", time.Unix(1_700_000_000, 0))
	cache := NewCache()

	const goroutines = 16
	plans := make([][3]*Plan, goroutines)
	var wg sync.WaitGroup
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 20; round++ {
				for site := 0; site < 3; site++ {
					plan, err := cache.Analyze(path, site+2, 1)
					if err != nil {
						t.Error(err)
						return
					}
					plans[g][site] = plan
				}
			}
		}()
	}
	wg.Wait()
	for g := 1; g < goroutines; g++ {
		if plans[g] != plans[0] {
			t.Fatalf("goroutine %d got plans %p, goroutine 0 got %p", g, plans[g], plans[0])
		}
	}
}
