// Package fuzzcorpus feeds fuzz targets the seed corpora committed under
// testdata/fuzz at the repository root.
package fuzzcorpus

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// Add adds every file of the committed seed corpus
// testdata/fuzz/<pkg>/<FuzzName>/ (at the repository root) to f. The files
// are in Go's own corpus format ("go test fuzz v1"), so a crasher that
// `go test -fuzz` writes to this package's testdata/fuzz/<FuzzName>/ can be
// moved there as it is. Go loads only the testdata/fuzz next to a package
// by itself, hence this; see testdata/README.md, "Fuzz corpora". A missing
// or empty corpus fails the test, so it cannot silently stop being used.
func Add(f *testing.F, pkg string) {
	f.Helper()
	root, err := filepath.Abs(".")
	if err != nil {
		f.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			f.Fatal("no go.mod above the package directory")
		}
		root = parent
	}
	dir := filepath.Join(root, "testdata", "fuzz", pkg, f.Name())
	files, err := filepath.Glob(filepath.Join(dir, "*"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no seed corpus in %s", dir)
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		vals, err := parseCorpusFile(b)
		if err != nil {
			f.Fatalf("%s: %v", p, err)
		}
		f.Add(vals...)
	}
}

// parseCorpusFile reads the "go test fuzz v1" format: the header line, then
// one Go conversion per value: []byte("..."), string("..."), int(-3),
// int64(…), uint(…) or bool(true) — the types channelguard's targets take.
func parseCorpusFile(b []byte) ([]any, error) {
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if lines[0] != "go test fuzz v1" {
		return nil, fmt.Errorf("not a go test fuzz v1 file")
	}
	var vals []any
	for i, line := range lines[1:] {
		if strings.TrimSpace(line) == "" {
			continue
		}
		v, err := parseCorpusValue(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %v", i+2, err)
		}
		vals = append(vals, v)
	}
	return vals, nil
}

func parseCorpusValue(line string) (any, error) {
	bad := fmt.Errorf("unsupported value %q", line)
	e, err := parser.ParseExpr(line)
	if err != nil {
		return nil, err
	}
	call, ok := e.(*ast.CallExpr)
	if !ok || len(call.Args) != 1 {
		return nil, bad
	}
	var typ string
	switch fn := call.Fun.(type) {
	case *ast.Ident:
		typ = fn.Name
	case *ast.ArrayType:
		if el, ok := fn.Elt.(*ast.Ident); ok && fn.Len == nil && el.Name == "byte" {
			typ = "[]byte"
		}
	}
	arg, sign := call.Args[0], ""
	if u, ok := arg.(*ast.UnaryExpr); ok && u.Op == token.SUB {
		arg, sign = u.X, "-"
	}
	if id, ok := arg.(*ast.Ident); ok && typ == "bool" && sign == "" {
		return strconv.ParseBool(id.Name)
	}
	lit, ok := arg.(*ast.BasicLit)
	if !ok {
		return nil, bad
	}
	switch {
	case typ == "[]byte" && lit.Kind == token.STRING && sign == "":
		s, err := strconv.Unquote(lit.Value)
		return []byte(s), err
	case typ == "string" && lit.Kind == token.STRING && sign == "":
		return strconv.Unquote(lit.Value)
	case typ == "int" && lit.Kind == token.INT:
		n, err := strconv.ParseInt(sign+lit.Value, 0, strconv.IntSize)
		return int(n), err
	case typ == "int64" && lit.Kind == token.INT:
		return strconv.ParseInt(sign+lit.Value, 0, 64)
	case typ == "uint" && lit.Kind == token.INT && sign == "":
		n, err := strconv.ParseUint(lit.Value, 0, strconv.IntSize)
		return uint(n), err
	}
	return nil, bad
}
