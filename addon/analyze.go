package main

import (
	"encoding/json"
	"errors"
	"math"

	"github.com/experimental-threads/experimental-threads/analyzer"
	"github.com/experimental-threads/experimental-threads/napi"
)

// plans caches analysis per file version and call site for the whole
// process, so every thread shares one result.
var plans = analyzer.NewCache()

// analyze(path, line, column[, source, written[, elements]]) returns the
// capture plan of the closure passed to spawn at that call site, as JSON.
// Without source, the file is read and cached per version. source is the
// file with its TypeScript types blanked or its JSX masked, and written the
// file as written, whose lines messages quote. elements is the JSON that
// maskJSX returned.
func analyze(c *napi.Call) (napi.Value, error) {
	e := c.Env
	path, err := e.GoString(c.Arg(0), "path")
	if err != nil {
		return napi.Value{}, err
	}
	line, err := e.GoInt(c.Arg(1), "line", 1, math.MaxInt32)
	if err != nil {
		return napi.Value{}, err
	}
	column, err := e.GoInt(c.Arg(2), "column", 1, math.MaxInt32)
	if err != nil {
		return napi.Value{}, err
	}

	var plan *analyzer.Plan
	if len(c.Args) > 3 {
		plan, err = analyzeSource(c, path, int(line), int(column))
	} else {
		plan, err = plans.Analyze(path, int(line), int(column))
	}
	if err != nil {
		var pe *analyzer.PositionError
		if errors.As(err, &pe) {
			if pe.Syntax {
				return napi.Value{}, &napi.Error{Kind: "Error", Code: "ERR_THREADS_SYNTAX", Message: err.Error()}
			}
			return napi.Value{}, &napi.Error{Kind: "Error", Code: "ERR_THREADS_ANALYSIS", Message: err.Error()}
		}
		return napi.Value{}, &napi.Error{Kind: "Error", Code: "ERR_THREADS_ANALYSIS", Message: err.Error()}
	}
	text, err := json.Marshal(plan)
	if err != nil {
		return napi.Value{}, err
	}
	return e.String(string(text)), nil
}

// analyzeSource analyzes the source, written and elements arguments of
// analyze, which the shim passes for TypeScript and JSX files.
func analyzeSource(c *napi.Call, path string, line, column int) (*analyzer.Plan, error) {
	e := c.Env
	source, err := e.GoString(c.Arg(3), "source")
	if err != nil {
		return nil, err
	}
	written, err := e.GoString(c.Arg(4), "written")
	if err != nil {
		return nil, err
	}
	options := analyzer.Options{Written: []byte(written)}
	if len(c.Args) > 5 && e.TypeOf(c.Arg(5)) != "undefined" {
		elements, err := e.GoString(c.Arg(5), "elements")
		if err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(elements), &options.JSX); err != nil {
			return nil, napi.TypeError("ERR_INVALID_ARG_VALUE", "elements must be the JSON that maskJSX returned: %v", err)
		}
	}
	return analyzer.AnalyzeWithOptions(path, []byte(source), line, column, options)
}
