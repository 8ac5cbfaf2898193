package analyzer

import (
	"os"
	"sync"
	"time"
)

// Cache analyzes files from disk and keeps the result for each file version
// and call site. It is safe for concurrent use. A file is read again only
// when its size or modification time changes, so an edit that keeps both
// goes unnoticed.
type Cache struct {
	mu    sync.Mutex
	files map[string]*cachedFile
}

// cachedFile is one version of a file and the plans built from it.
type cachedFile struct {
	size    int64
	modTime time.Time

	loaded chan struct{} // closed once module or err is set
	module *module
	err    error

	mu    sync.Mutex
	plans map[callSite]cachedPlan
}

type callSite struct{ line, column int }

type cachedPlan struct {
	plan *Plan
	err  error
}

// NewCache returns an empty Cache.
func NewCache() *Cache {
	return &Cache{files: make(map[string]*cachedFile)}
}

// Analyze returns the Plan for the spawn call at line and column (1-based,
// column in UTF-16 code units) of the file at path, like the package-level
// Analyze. It parses each version of a file once, builds the plan for each
// call site once, and returns the same *Plan for the same site, which
// callers must not modify.
func (c *Cache) Analyze(path string, line, column int) (*Plan, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	f := c.file(path, info)
	<-f.loaded
	if f.err != nil {
		return nil, f.err
	}

	site := callSite{line, column}
	f.mu.Lock()
	cached, ok := f.plans[site]
	f.mu.Unlock()
	if ok {
		return cached.plan, cached.err
	}

	plan, err := f.module.plan(line, column)
	f.mu.Lock()
	defer f.mu.Unlock()
	if cached, ok := f.plans[site]; ok {
		return cached.plan, cached.err // another caller built it first
	}
	f.plans[site] = cachedPlan{plan: plan, err: err}
	return plan, err
}

// file returns the cache entry for the version of the file that info
// describes, loading it when it is new. Callers wait on loaded.
func (c *Cache) file(path string, info os.FileInfo) *cachedFile {
	c.mu.Lock()
	f := c.files[path]
	if f != nil && f.size == info.Size() && f.modTime.Equal(info.ModTime()) {
		c.mu.Unlock()
		return f
	}
	f = &cachedFile{
		size:    info.Size(),
		modTime: info.ModTime(),
		loaded:  make(chan struct{}),
		plans:   make(map[callSite]cachedPlan),
	}
	c.files[path] = f
	c.mu.Unlock()

	defer close(f.loaded)
	src, err := os.ReadFile(path)
	if err != nil {
		// A read error may be temporary, so it is not kept for the version.
		f.err = err
		c.mu.Lock()
		if c.files[path] == f {
			delete(c.files, path)
		}
		c.mu.Unlock()
		return f
	}
	f.module, f.err = loadModule(path, src, nil)
	return f
}
