package jsonenc

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"os"
	"testing"
)

// The encoding must match encoding/json's (SetEscapeHTML(false)) for the
// documents the emulator stores.
func TestMatchesEncodingJSON(t *testing.T) {
	docs := []string{
		`{"id":"cus_1","object":"customer","balance":0,"metadata":{"a b":"c<d>&e","z":"\"q\"\\\n\t\u0001"},"list":[1,2.5,-3,1e+21,1e-07,null,true,"é☃"]}`,
		`[]`, `{}`, `"\u2028x\u2029"`, `12345678901234567`, `0.1`,
	}
	for _, d := range docs {
		var v any
		if err := json.Unmarshal([]byte(d), &v); err != nil {
			t.Fatal(err)
		}
		got, err := Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want := stdlib(t, v)
		if string(got) != want {
			t.Errorf("%s:\n got %s\nwant %s", d, got, want)
		}
	}
	raw, _ := Marshal(map[string]any{"data": json.RawMessage(`{"a":1}`), "n": int64(7), "s": []string{"x"}})
	if string(raw) != `{"data":{"a":1},"n":7,"s":["x"]}` {
		t.Errorf("raw: %s", raw)
	}
}

func stdlib(t *testing.T, v any) string {
	t.Helper()
	var b []byte
	buf := &jsonBuf{}
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	b = buf.b[:len(buf.b)-1]
	return string(b)
}

type jsonBuf struct{ b []byte }

func (j *jsonBuf) Write(p []byte) (int, error) { j.b = append(j.b, p...); return len(p), nil }

func FuzzMatches(f *testing.F) {
	f.Add(`{"a":[1,"x\u0000",{"b":null}]}`)
	f.Fuzz(func(t *testing.T, s string) {
		var v any
		if json.Unmarshal([]byte(s), &v) != nil {
			return
		}
		got, err := Marshal(v)
		if err != nil {
			return
		}
		if string(got) != stdlib(t, v) {
			t.Fatalf("%q: %s vs %s", s, got, stdlib(t, v))
		}
	})
}

func BenchmarkMarshal(b *testing.B) {
	var v any
	_ = json.Unmarshal([]byte(`{"id":"cus_1","object":"customer","address":null,"balance":0,"created":1700000000,"currency":null,"default_source":null,"delinquent":false,"description":null,"email":"jenny@example.com","invoice_prefix":"ABCDEF12","invoice_settings":{"custom_fields":null,"default_payment_method":null,"footer":null,"rendering_options":null},"livemode":false,"metadata":{"order":"42"},"name":"Jenny","next_invoice_sequence":1,"phone":null,"preferred_locales":[],"shipping":null,"tax_exempt":"none","test_clock":null}`), &v)
	b.Run("jsonenc", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = Marshal(v)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = json.Marshal(v)
		}
	})
}

func FuzzUnmarshalMatches(f *testing.F) {
	f.Add(`{"a":[1,"x\u0000",{"b":null}],"c":"é\"","d":-1.5e3}`)
	f.Add(`[true,false,null,"\ud83d\ude00"]`)
	f.Fuzz(func(t *testing.T, s string) {
		var want any
		wantErr := json.Unmarshal([]byte(s), &want)
		got, err := Unmarshal([]byte(s))
		if (wantErr == nil) != (err == nil) {
			// Both must agree on validity for the documents we write;
			// only accepting what encoding/json rejects is a bug.
			if err == nil {
				t.Fatalf("%q accepted, encoding/json says %v", s, wantErr)
			}
			return
		}
		if err == nil && stdlib(t, got) != stdlib(t, want) {
			t.Fatalf("%q decoded differently", s)
		}
	})
}

func BenchmarkUnmarshal(b *testing.B) {
	doc := []byte(`{"id":"cus_1","object":"customer","address":null,"balance":0,"created":1700000000,"currency":null,"default_source":null,"delinquent":false,"description":null,"email":"jenny@example.com","invoice_prefix":"ABCDEF12","invoice_settings":{"custom_fields":null,"default_payment_method":null,"footer":null,"rendering_options":null},"livemode":false,"metadata":{"order":"42"},"name":"Jenny","next_invoice_sequence":1,"phone":null,"preferred_locales":[],"shipping":null,"tax_exempt":"none","test_clock":null}`)
	b.Run("jsonenc", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			_, _ = Unmarshal(doc)
		}
	})
	b.Run("encoding/json", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			var v any
			_ = json.Unmarshal(doc, &v)
		}
	})
}

// BenchmarkInvoice encodes and decodes a whole basil invoice as the
// emulator stores it (lines, pricing, parent, totals): billing's hot path.
func BenchmarkInvoice(b *testing.B) {
	doc, err := os.ReadFile("testdata/invoice.json")
	if err != nil {
		b.Fatal(err)
	}
	v, err := Unmarshal(doc)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Marshal", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = Marshal(v)
		}
	})
	b.Run("AppendIndent", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = AppendIndent(nil, v)
		}
	})
	b.Run("Unmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; i < b.N; i++ {
			_, _ = Unmarshal(doc)
		}
	})
}

func FuzzIndentMatches(f *testing.F) {
	f.Add(`{"a":[1,"x",{"b":null,"c":{}}],"e":[],"d":-1.5e3}`)
	f.Add(`[true,[[]],{"z":{"y":{"x":[1,2]}}}]`)
	f.Fuzz(func(t *testing.T, s string) {
		v, compact, want, ok := layouts(t, s)
		if !ok {
			return
		}
		want.WriteByte('\n')
		got, err := AppendIndent(nil, v)
		if err != nil || string(got) != want.String() {
			t.Fatalf("%q: got\n%s\nwant\n%s", s, got, want.String())
		}
		// Pre-encoded parts (event snapshots) indent the same way.
		got, err = AppendIndent(nil, map[string]any{"raw": json.RawMessage(compact)})
		want.Reset()
		_ = json.Indent(want, []byte(`{"raw":`+string(compact)+`}`), "", "  ")
		want.WriteByte('\n')
		if err != nil || string(got) != want.String() {
			t.Fatalf("raw %q: got\n%s\nwant\n%s", s, got, want.String())
		}
	})
}

// Maps met at the same place with other keys than last time (same count,
// fewer, more, another object type) still encode exactly as
// encoding/json does.
func TestShapesFollowChangingKeys(t *testing.T) {
	docs := []string{
		`{"object":"thing","a":1,"m":{"x":1,"y":2},"l":[{"p":1},{"q":2}]}`,
		`{"object":"thing","a":1,"m":{"x":1,"z":2},"l":[{"q":1},{"p":2}]}`,
		`{"object":"thing","a":1,"m":{"x":1},"l":[{"p":1,"q":2}]}`,
		`{"object":"thing","b":1,"m":{"y":1,"x":{"deep":true}},"l":[]}`,
		`{"object":"other","a":1,"m":{"x":1,"y":2},"l":[{"p":1},{"q":2}]}`,
		`{"object":"thing","a":1,"m":{"x":1,"y":2},"l":[{"p":1},{"q":2}]}`,
	}
	for round := 0; round < 40; round++ { // past the point where places turn irregular
		for _, d := range docs {
			var v any
			if err := json.Unmarshal([]byte(d), &v); err != nil {
				t.Fatal(err)
			}
			for _, indent := range []bool{false, true} {
				var got []byte
				var err error
				want := stdlib(t, v)
				if indent {
					got, err = AppendIndent(nil, v)
					var buf bytes.Buffer
					_ = json.Indent(&buf, []byte(want), "", "  ")
					want = buf.String() + "\n"
				} else {
					got, err = Marshal(v)
				}
				if err != nil || string(got) != want {
					t.Fatalf("round %d %s indent=%v:\n got %s\nwant %s (%v)", round, d, indent, got, want, err)
				}
			}
		}
	}
}

// IndentCompact lays out what Marshal writes exactly as json.Indent does.
func FuzzIndentCompactMatches(f *testing.F) {
	f.Add(`{"a":[1,"x\"]{,:",{"b":null,"c":{},"d":[]}],"e":"\\"}`)
	f.Add(`[]`)
	f.Add(`"s"`)
	f.Fuzz(func(t *testing.T, s string) {
		_, compact, want, ok := layouts(t, s)
		if !ok {
			return
		}
		if got := IndentCompact(nil, string(compact), 0); string(got) != want.String() {
			t.Fatalf("%s:\n got %s\nwant %s", compact, got, want.String())
		}
	})
}

func TestIndentCompactSurvivesGarbage(t *testing.T) {
	for _, s := range []string{`}}]]`, `{"a`, `"\`, `[[[`, `:,:`, ``} {
		_ = IndentCompact(nil, s, 0)
	}
}

// layouts decodes s as encoding/json does and gives Marshal's compact
// encoding of it and json.Indent's layout of that; ok is false for input
// that is not JSON Marshal can write.
func layouts(t *testing.T, s string) (v any, compact []byte, indented *bytes.Buffer, ok bool) {
	t.Helper()
	if json.Unmarshal([]byte(s), &v) != nil {
		return nil, nil, nil, false
	}
	compact, err := Marshal(v)
	if err != nil {
		return nil, nil, nil, false
	}
	indented = &bytes.Buffer{}
	if err := json.Indent(indented, compact, "", "  "); err != nil {
		t.Fatal(err)
	}
	return v, compact, indented, true
}

// special must flag exactly the words holding a byte str cannot skip,
// wherever the byte sits and whatever surrounds it.
func TestSpecialFlagsExactlyTheBytesStrStopsAt(t *testing.T) {
	for _, filler := range []byte{'a', ' ', '~', '!', '0'} {
		for b := 0; b < 256; b++ {
			for pos := 0; pos < 8; pos++ {
				word := [8]byte{}
				for i := range word {
					word[i] = filler
				}
				word[pos] = byte(b)
				w := binary.LittleEndian.Uint64(word[:])
				want := b == '"' || b == '\\' || b < 0x20 || b >= 0x80
				if got := special(w) != 0; got != want {
					t.Fatalf("byte %#x at %d among %q: special=%v, want %v", b, pos, filler, got, want)
				}
			}
		}
	}
}
