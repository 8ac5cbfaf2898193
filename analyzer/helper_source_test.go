package analyzer

import "testing"

func TestHelperSourcePositions(t *testing.T) {
	src := "function twice(x) {\n  return x * 2\n}\nlet swap = () => 1\nswap = () => 2\nconst run = () => spawn(() => twice(3) + swap())\n"
	plan, err := Analyze("/m.mjs", []byte(src), 6, 19)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Helpers) != 2 {
		t.Fatalf("helpers = %+v, want twice and swap", plan.Helpers)
	}
	twice, swap := plan.Helpers[0], plan.Helpers[1]
	if twice.Name != "twice" || twice.SourceLine != 1 || twice.SourceColumn != 1 {
		t.Errorf("twice = %+v, want its text at 1:1", twice)
	}
	if want := "function twice(x) {\n  return x * 2\n}"; twice.Source != want {
		t.Errorf("twice.Source = %q, want %q", twice.Source, want)
	}
	if swap.Name != "swap" || swap.SourceLine != 4 || swap.SourceColumn != 12 {
		t.Errorf("swap = %+v, want its text at 4:12", swap)
	}
	if swap.Source != "" {
		t.Errorf("swap.Source = %q, want empty because swap is assigned again", swap.Source)
	}
}
