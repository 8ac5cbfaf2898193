package main

import (
	"encoding/json"

	"github.com/experimental-threads/experimental-threads/analyzer"
	"github.com/experimental-threads/experimental-threads/napi"
)

// maskJSX(source) returns { source, elements } for a file that may contain
// JSX: source with every JSX element replaced by an array literal of the
// same lines and columns, and elements, the positions of the replaced
// elements as JSON, to pass on to analyze.
func maskJSX(c *napi.Call) (napi.Value, error) {
	e := c.Env
	source, err := e.GoString(c.Arg(0), "source")
	if err != nil {
		return napi.Value{}, err
	}
	masked, elements := analyzer.MaskJSX([]byte(source))
	if elements == nil {
		elements = []analyzer.Position{}
	}
	text, err := json.Marshal(elements)
	if err != nil {
		return napi.Value{}, err
	}
	result := e.Object()
	e.Set(result, "source", e.String(string(masked)))
	e.Set(result, "elements", e.String(string(text)))
	return result, nil
}
