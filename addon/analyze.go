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

// analyze(path, line, column[, source]) returns the capture plan of the
// closure passed to spawn at that call site, as JSON. Without source, the
// file is read and cached per version.
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
		// analyze(path, line, column, source) analyzes the given text, for
		// TypeScript files whose types the shim has already removed.
		source, err := e.GoString(c.Arg(3), "source")
		if err != nil {
			return napi.Value{}, err
		}
		plan, err = analyzer.Analyze(path, []byte(source), int(line), int(column))
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
