package analyzer

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/template"

	"github.com/tdewolff/parse/v2"
	"github.com/tdewolff/parse/v2/js"
)

// moduleBlock is one block of the synthetic module: a mix of declarations,
// classes, closures, destructuring, template literals and regular
// expressions, so that every part of the walk does some work.
var moduleBlock = template.Must(template.New("block").Parse(`
const limit{{.}} = {{.}} * 3;
let state{{.}} = { count: 0, label: ` + "`block ${ {{.}} }`" + `, pattern: /^item-{{.}}-(\d+)$/gi };

function helper{{.}}(items, { scale = 1, offset = limit{{.}} } = {}) {
  const out = [];
  for (let i = 0; i < items.length; i++) {
    const [value, weight = 1] = items[i];
    if (state{{.}}.pattern.test(String(value))) continue;
    out.push(value * weight * scale + offset);
  }
  return out.filter((x) => x > 0).map((x) => Math.round(x / 2));
}

class Widget{{.}} extends Base {
  #secret = {{.}};
  static count = 0;
  constructor(name, ...rest) {
    super(name);
    this.parts = rest.map((part, index) => ({ part, index, [name + index]: part?.value ?? null }));
  }
  get secret() { return this.#secret; }
  async render(target) {
    try {
      return await target.draw(this.parts, helper{{.}}(this.parts));
    } catch ({ message }) {
      return message.replace(/\s+/g, ' ');
    } finally {
      Widget{{.}}.count++;
    }
  }
}

export const run{{.}} = async (input) => {
  switch (typeof input) {
    case 'string': return input.split(',').map(Number);
    default: return helper{{.}}(input, { scale: 2 });
  }
};
`))

// syntheticModule returns a module of about size bytes that ends with a spawn
// call whose closure uses helpers from the first and last blocks.
func syntheticModule(size int) (string, int, int) {
	var b strings.Builder
	b.WriteString("import { spawn } from 'experimental-threads';\nimport Base from './base.js';\n")
	blocks := 0
	for b.Len() < size {
		if err := moduleBlock.Execute(&b, blocks); err != nil {
			panic(err)
		}
		blocks++
	}
	line := strings.Count(b.String(), "\n") + 1
	b.WriteString("await eval(spawn(async () => helper0([[1, 2]]).concat(await run1('1,2'), new Widget" + itoaForTest(blocks-1) + "('w'))));\n")
	return b.String(), line, 12
}

func itoaForTest(n int) string {
	var digits []byte
	for {
		digits = append([]byte{byte('0' + n%10)}, digits...)
		n /= 10
		if n == 0 {
			return string(digits)
		}
	}
}

// largeBundle returns the first JavaScript file of at least 512 KiB under
// the repository's node_modules, or "" when there is none.
func largeBundle() string {
	found := ""
	filepath.WalkDir(filepath.Join("..", "node_modules"), func(path string, entry fs.DirEntry, err error) error {
		if err != nil || found != "" {
			return filepath.SkipDir
		}
		if info, err := entry.Info(); err == nil && !entry.IsDir() && strings.HasSuffix(path, ".js") && info.Size() >= 512<<10 {
			found = path
		}
		return nil
	})
	return found
}

// BenchmarkAnalyzeLarge measures a full analysis (parse, walk, plan) of a
// large module, and for comparison the parser alone and a cached site.
func BenchmarkAnalyzeLarge(b *testing.B) {
	src, line, column := syntheticModule(1 << 20)
	b.Run("synthetic-1MiB", func(b *testing.B) {
		data := []byte(src)
		b.SetBytes(int64(len(data)))
		b.ReportAllocs()
		for b.Loop() {
			plan, err := Analyze("synthetic.js", data, line, column)
			if err != nil {
				b.Fatal(err)
			}
			if len(plan.Helpers) == 0 {
				b.Fatal("plan has no helpers")
			}
		}
	})

	b.Run("parser-only-1MiB", func(b *testing.B) {
		b.SetBytes(int64(len(src)))
		for b.Loop() {
			text := make([]byte, len(src), len(src)+1)
			copy(text, src)
			if _, err := js.Parse(parse.NewInputBytes(text), js.Options{}); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("node-modules-bundle", func(b *testing.B) {
		path := largeBundle()
		if path == "" {
			b.Skip("no JavaScript file of 512 KiB or more in ../node_modules")
		}
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		m, err := loadModule(path, data, nil)
		if err != nil {
			b.Skip(err)
		}
		site := -1
		for i, c := range m.calls {
			if c.argument == argumentFunction && m.offsets[c.callee] >= 0 {
				site = i
				break
			}
		}
		if site < 0 {
			b.Skip("the bundle has no call with a function argument")
		}
		line, column := m.src.position(int(m.offsets[m.calls[site].callee]))
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			if _, err := Analyze(path, data, line, column); err != nil {
				b.Fatal(err)
			}
		}
	})

	b.Run("cached-site", func(b *testing.B) {
		path := filepath.Join(b.TempDir(), "synthetic.js")
		if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
			b.Fatal(err)
		}
		cache := NewCache()
		if _, err := cache.Analyze(path, line, column); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := cache.Analyze(path, line, column); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func TestSyntheticModule(t *testing.T) {
	src, line, column := syntheticModule(64 << 10)
	plan, err := Analyze("synthetic.js", []byte(src), line, column)
	if err != nil {
		t.Fatal(err)
	}
	var helpers []string
	for _, h := range plan.Helpers {
		helpers = append(helpers, h.Name)
	}
	last := itoaForTest(strings.Count(src, "class Widget") - 1)
	if want := []string{"helper0", "helper1", "run1", "helper" + last, "Widget" + last}; !slices.Equal(helpers, want) {
		t.Errorf("helpers = %q, want %q", helpers, want)
	}
	if len(plan.Diagnostics) != 0 {
		t.Errorf("diagnostics = %+v", plan.Diagnostics)
	}
}
