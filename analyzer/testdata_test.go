package analyzer

import (
	"os"
	"path/filepath"
	"testing"
)

func TestAnalyzeTestdata(t *testing.T) {
	cases := []struct {
		file string
		call int
		want want
	}{
		{
			file: "thumbnails.mjs",
			call: 0,
			want: want{
				captures: []string{"file param 23:16", "formats const 9:7", "width const 24:11", "OUTPUT_DIR const 16:7"},
				imports: []string{
					"readFile readFile node:fs/promises import 2:10", "sharp default sharp import 5:8",
					"fitModes fit sharp import 5:24", "writeFile writeFile node:fs/promises import 2:20",
					"path default node:path import 3:8",
				},
				helpers: []string{"outputName function 12:10"},
			},
		},
		{
			file: "thumbnails.mjs",
			call: 1,
			want: want{
				captures: []string{"file param 39:27", "index param 39:33", "level param 38:42"},
				imports:  []string{"readFile readFile node:fs/promises import 2:10", "zlib * node:zlib import 4:13"},
			},
		},
		{
			file: "nightly-report.cjs",
			want: want{
				captures: []string{"rows param 16:21", "started const 17:9", "salt const 10:7"},
				imports:  []string{"cpus cpus node:os require 6:7", "hash createHash node:crypto require 5:21"},
				helpers:  []string{"checksum function 12:10"},
				globals:  []string{"Date", "JSON"},
			},
		},
		{
			file: "unicode-labels.js",
			want: want{
				captures:   []string{"título const 2:7", "währung const 3:7", "𝑘 const 4:7", "label const 5:7"},
				funcSource: "() => `${título} ${währung} ${𝑘 * 3} ${label}`",
			},
		},
		{
			file: "counter-mistakes.mjs",
			want: want{
				captures: []string{"total let 4:5", "cache const 5:7"},
				globals:  []string{"String"},
				diagnostics: []string{
					"12:7 the closure uses `this`",
					"13:7 the closure assigns to captured variable `total` (declared at 4:5)",
					"14:26 the closure uses `arguments` of an enclosing function",
					"15:14 the closure uses `super`",
					"15:40 the closure uses `new.target`",
				},
			},
		},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			src, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			line, column := siteOf(t, string(src), tc.call)
			plan, err := Analyze(tc.file, src, line, column)
			if err != nil {
				t.Fatalf("Analyze: %v", err)
			}
			checkWant(t, string(src), plan, tc.want)
		})
	}
}
