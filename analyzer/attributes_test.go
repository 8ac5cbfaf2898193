package analyzer

import (
	"reflect"
	"testing"
)

func TestImportAttributes(t *testing.T) {
	src := "import data from './data.json' with { type: 'json' }\nimport { a } from './a.mjs'\nconst run = () => spawn(() => data.k + a)\n"
	plan, err := Analyze("/m.mjs", []byte(src), 3, 19)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Imports) != 2 {
		t.Fatalf("imports = %+v, want data and a", plan.Imports)
	}
	if want := map[string]string{"type": "json"}; !reflect.DeepEqual(plan.Imports[0].Attributes, want) {
		t.Errorf("data attributes = %v, want %v", plan.Imports[0].Attributes, want)
	}
	if plan.Imports[1].Attributes != nil {
		t.Errorf("a attributes = %v, want none", plan.Imports[1].Attributes)
	}
}
