// Package store keeps the emulator's objects in buntdb.
//
// Layout (every key carries the account, so accounts never share data):
//
//	o:<acct>:<type>:<id>                   → the object as rendered JSON
//	i:<acct>:<type>:<index>:<value>\x1f<id> → "" (secondary index entry)
//	m:<name>                               → emulator metadata (idempotency…)
//
// Ids sort in creation order (see package ids), so "newest first" is a
// reverse key walk and pagination cursors are key pivots.
package store

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"github.com/tidwall/buntdb"

	"github.com/stripe-emu/stripe-emu/emulator/internal/jsonenc"
	"github.com/tidwall/gjson"
)

// Obj is a Stripe object as a JSON document.
type Obj = map[string]any

// Index declares a secondary index: objects of Type are findable by the
// value(s) at the gjson Path (an array yields one entry per element).
type Index struct {
	Type, Name, Path string
}

// Store is the emulator's database.
type Store struct {
	db      *buntdb.DB
	indexes map[string][]Index // by object type
	// release lets go of the data file's lock (see lockFile).
	release   func()
	closeOnce sync.Once
}

// Open opens a store. An empty path or ":memory:" keeps everything in memory;
// otherwise buntdb's append-only file at path persists it.
func Open(path string, indexes []Index) (*Store, error) {
	if path == "" {
		path = ":memory:"
	}
	release := func() {}
	if path != ":memory:" {
		var err error
		if release, err = lockFile(path); errors.Is(err, errLocked) {
			return nil, fmt.Errorf("data file %s is in use by another emulator, in this process or another: give each its own (in a test, filepath.Join(t.TempDir(), \"stripe.db\")), or close the first", path)
		} else if err != nil {
			return nil, fmt.Errorf("open store %s: lock: %w", path, err)
		}
	}
	db, err := buntdb.Open(path)
	if err != nil {
		release()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &Store{db: db, indexes: map[string][]Index{}, release: release}
	for _, ix := range indexes {
		s.indexes[ix.Type] = append(s.indexes[ix.Type], ix)
	}
	if err := s.reindex(indexes); err != nil {
		_ = db.Close()
		release()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	return s, nil
}

// indexesKey holds the declarations a data file's index entries were made
// for.
const indexesKey = "m:store.indexes"

// reindex makes the index entries of a data file written by a version
// with other indexes match these: an index added since then would miss
// every older object (a test clock's subscriptions would never renew).
func (s *Store) reindex(indexes []Index) error {
	decl := make([]string, 0, len(indexes))
	for _, ix := range indexes {
		decl = append(decl, ix.Type+" "+ix.Name+" "+ix.Path)
	}
	slices.Sort(decl)
	signature := strings.Join(decl, "\n")
	return s.db.Update(func(tx *buntdb.Tx) error {
		if v, err := tx.Get(indexesKey); err == nil && v == signature {
			return nil
		}
		// buntdb's walks cannot write: list first, then change.
		var stale, fresh []string
		_ = tx.AscendRange("", "i:", "i;", func(k, _ string) bool { stale = append(stale, k); return true })
		_ = tx.AscendRange("", "o:", "o;", func(k, raw string) bool {
			acct, typ, id, ok := splitObjKey(k)
			if !ok {
				return true
			}
			for _, ix := range s.indexes[typ] {
				for _, v := range indexValues(raw, ix.Path) {
					fresh = append(fresh, indexPrefix(acct, typ, ix.Name, v)+id)
				}
			}
			return true
		})
		for _, k := range stale {
			if _, err := tx.Delete(k); err != nil {
				return err
			}
		}
		for _, k := range fresh {
			if _, _, err := tx.Set(k, "", nil); err != nil {
				return err
			}
		}
		_, _, err := tx.Set(indexesKey, signature, nil)
		return err
	})
}

// Close flushes and closes the store. Safe to call twice.
func (s *Store) Close() error {
	err := s.db.Close()
	if s.release != nil {
		s.closeOnce.Do(s.release)
	}
	if errors.Is(err, buntdb.ErrDatabaseClosed) {
		return nil
	}
	return err
}

// Update runs fn in a write transaction: everything fn does is committed
// together, or nothing is if it returns an error or panics. A panic goes
// on once the transaction is rolled back: buntdb, seeing no error, would
// commit what fn wrote before it.
func (s *Store) Update(fn func(tx *Tx) error) error {
	var panicked any
	err := s.db.Update(func(btx *buntdb.Tx) (err error) {
		defer func() {
			if r := recover(); r != nil {
				panicked, err = r, errPanicked
			}
		}()
		return run(&Tx{tx: btx, s: s}, fn)
	})
	if panicked != nil {
		panic(panicked)
	}
	return err
}

var errPanicked = errors.New("store: the transaction's function panicked")

// View runs fn in a read-only transaction.
func (s *Store) View(fn func(tx *Tx) error) error {
	return s.db.View(func(btx *buntdb.Tx) error { return run(&Tx{tx: btx, s: s}, fn) })
}

func run(t *Tx, fn func(tx *Tx) error) error {
	if err := fn(t); err != nil {
		return err
	}
	if CheckShared && !t.noCache {
		t.checkHeld()
	}
	return nil
}

// Reset deletes everything.
func (s *Store) Reset() error {
	return s.db.Update(func(tx *buntdb.Tx) error { return tx.DeleteAll() })
}

// Tx is one transaction.
type Tx struct {
	tx *buntdb.Tx
	s  *Store
	// objs are the objects this transaction decoded or stored, by key, so
	// work that reads the same invoice five times (a renewal) decodes it
	// once. They are shared: whoever changes one must store it again.
	objs    map[string]Obj
	noCache bool
	// scratch gathers index values before they are copied out (more
	// than fit grow past it, for that call).
	scratch [16]string
	// keyBuf builds an object's key to look it up among objs without
	// allocating the key when it is there (keys fit; a longer one grows
	// past it).
	keyBuf [128]byte
	// settled: every held object is as stored (see Settle).
	settled bool
	// indexed are the index values (one list per index of the type) of
	// objects this transaction decoded or wrote, by key: replacing one
	// then needs no parse of its previous JSON to find the old entries.
	indexed map[string][][]string
	// tracked, once Track is called, lists what was written of its types.
	// A few types and a few writes a piece of work: slices, searched in
	// order, cost less than maps made for every piece.
	tracked []string
	written []Ref
	// writtenAt indexes written once it is long (a batch piece of work
	// writing many objects), where searching it would not be cheaper.
	writtenAt map[Ref]bool
}

// Ref names a stored object.
type Ref struct{ Type, ID string }

// Track makes the transaction note which objects of these types it
// writes or deletes (see Written): background work re-examines only
// what it changed.
func (t *Tx) Track(types ...string) {
	if t.tracked == nil {
		t.tracked = types // the caller's list, kept as it is
		return
	}
	t.tracked = append(slices.Clip(t.tracked), types...)
}

// TakeWritten lists the tracked objects written since the last call, each
// once, in first-write order.
func (t *Tx) TakeWritten() []Ref {
	out := t.written
	t.written, t.writtenAt = nil, nil
	return out
}

func (t *Tx) noteWrite(typ, id string) {
	if !slices.Contains(t.tracked, typ) {
		return
	}
	r := Ref{typ, id}
	switch {
	case t.writtenAt != nil:
		if t.writtenAt[r] {
			return
		}
		t.writtenAt[r] = true
	case len(t.written) >= 32:
		t.writtenAt = make(map[Ref]bool, 2*len(t.written))
		for _, w := range t.written {
			t.writtenAt[w] = true
		}
		if t.writtenAt[r] {
			return
		}
		t.writtenAt[r] = true
	case slices.Contains(t.written, r):
		return
	}
	t.written = append(t.written, r)
}

// EndWrites drops the objects held for reuse and stops holding more:
// after it, rendering (which expands objects in place) may change what
// Get returns. Builds with the race detector (the test suite) first check
// that every held object is what is stored, so a handler that changed a
// shared object without storing it fails loudly.
func (t *Tx) EndWrites() {
	if CheckShared {
		t.checkHeld()
	}
	t.objs = nil
	t.noCache = true
}

func (t *Tx) checkHeld() {
	for k, o := range t.objs {
		raw, err := t.tx.Get(k)
		if err != nil {
			panic(fmt.Sprintf("store: %s is held but not stored", k))
		}
		held, _ := jsonenc.Marshal(o)
		stored, _ := jsonenc.Marshal(decode(raw))
		if string(held) != string(stored) {
			panic(fmt.Sprintf("store: %s was changed in place but not stored again: objects from Get are shared within a transaction; Clone before changing one you will not Put\nheld:   %s\nstored: %s", k, held, stored))
		}
	}
}

// hold keeps o for reuse under key.
func (t *Tx) hold(key string, o Obj) {
	if t.noCache {
		return
	}
	if t.objs == nil {
		t.objs = make(map[string]Obj, 8)
	}
	t.objs[key] = o
}

// ErrNotFound is returned when an object is absent.
var ErrNotFound = errors.New("not found")

func objKey(acct, typ, id string) string { return "o:" + acct + ":" + typ + ":" + id }

// splitObjKey is objKey undone (accounts, types and ids have no colons).
func splitObjKey(key string) (acct, typ, id string, ok bool) {
	parts := strings.SplitN(strings.TrimPrefix(key, "o:"), ":", 3)
	if len(parts) != 3 || !strings.HasPrefix(key, "o:") {
		return "", "", "", false
	}
	return parts[0], parts[1], parts[2], true
}

func objPrefix(acct, typ string) string { return "o:" + acct + ":" + typ + ":" }

func indexPrefix(acct, typ, name, value string) string {
	return "i:" + acct + ":" + typ + ":" + name + ":" + url.QueryEscape(value) + "\x1f"
}

// GetRaw returns an object's stored JSON.
func (t *Tx) GetRaw(acct, typ, id string) (string, bool) {
	v, err := t.tx.Get(t.probeKey(acct, typ, id))
	return v, err == nil
}

// probeKey is an object's key built in the transaction's buffer, for a
// lookup that keeps nothing of it (buntdb's Get only compares it): valid
// until the buffer's next use.
func (t *Tx) probeKey(acct, typ, id string) string {
	b := append(t.keyBuf[:0], "o:"...)
	b = append(append(append(append(append(b, acct...), ':'), typ...), ':'), id...)
	return unsafe.String(unsafe.SliceData(b), len(b))
}

// Get returns a decoded object. It is shared with every other Get of
// the same object in this transaction: Clone it before changing it,
// unless the change is stored with Put.
func (t *Tx) Get(acct, typ, id string) (Obj, bool) {
	if o, ok := t.held(acct, typ, id); ok {
		return o, true
	}
	key := objKey(acct, typ, id)
	raw, err := t.tx.Get(key)
	if err != nil {
		return nil, false
	}
	o := decode(raw)
	t.hold(key, o)
	if ixs := t.s.indexes[typ]; len(ixs) > 0 && !t.noCache {
		t.remember(key, t.indexValuesOf(ixs, indexSource{obj: o}))
	}
	return o, true
}

func (t *Tx) remember(key string, vals [][]string) {
	if t.indexed == nil {
		t.indexed = make(map[string][][]string, 8)
	}
	t.indexed[key] = vals
}

// Fields reads a few fields of a stored object (gjson paths) without
// decoding it: for code that only looks (which card pays, what status).
// A held object's changes not yet stored are not seen.
func (t *Tx) Fields(acct, typ, id string, paths ...string) ([]gjson.Result, bool) {
	if o, ok := t.held(acct, typ, id); ok && t.settled {
		f := PickObj(o, paths...)
		if CheckShared {
			key := objKey(acct, typ, id)
			raw, _ := t.tx.Get(key)
			for i, r := range Pick(raw, paths...) {
				if !SameResult(r, f[i]) {
					panic(fmt.Sprintf("store: %s: held %s is %s, stored %s", key, paths[i], f[i].Raw, r.Raw))
				}
			}
		}
		return f, true
	}
	raw, err := t.tx.Get(t.probeKey(acct, typ, id))
	if err != nil {
		return nil, false
	}
	return Pick(raw, paths...), true
}

// held is the object this transaction holds decoded, if it does. Its key
// is built in keyBuf: a map index by string(bytes) allocates nothing.
func (t *Tx) held(acct, typ, id string) (Obj, bool) {
	if len(t.objs) == 0 {
		return nil, false
	}
	o, ok := t.objs[t.probeKey(acct, typ, id)]
	return o, ok
}

// Settle tells the transaction every change is stored (a piece of work
// done, its later work flushed): until Unsettle, Fields reads objects it
// holds decoded from their maps instead of parsing their JSON again,
// which then says the same.
func (t *Tx) Settle() { t.settled = true }

// Unsettle ends Settle, before more changes.
func (t *Tx) Unsettle() { t.settled = false }

// Exists reports whether an object is stored.
func (t *Tx) Exists(acct, typ, id string) bool {
	_, ok := t.GetRaw(acct, typ, id)
	return ok
}

func decode(raw string) Obj {
	v, err := jsonenc.UnmarshalString(raw)
	o, isObj := v.(map[string]any)
	if err != nil || !isObj {
		// Only this package writes objects, always as JSON objects.
		panic(fmt.Sprintf("store: corrupt object: %v", err))
	}
	return o
}

// Put stores an object under its "object" type and "id", keeping its
// indexes current.
func (t *Tx) Put(acct string, o Obj) error {
	_, err := t.PutEncoded(acct, o)
	return err
}

// PutEncoded is Put that also hands back the stored JSON, for callers
// that would otherwise encode the same object again (event snapshots).
// The bytes are the store's own: read them, never change them.
func (t *Tx) PutEncoded(acct string, o Obj) ([]byte, error) { return t.PutAppend(acct, o, nil) }

// PutAppend is PutEncoded encoding o at the end of dst: it returns dst
// with o's JSON appended, and the store keeps those appended bytes (an
// event built around the object shares them). Never change them;
// appending after them is fine.
func (t *Tx) PutAppend(acct string, o Obj, dst []byte) ([]byte, error) {
	typ, _ := o["object"].(string)
	id, _ := o["id"].(string)
	if typ == "" || id == "" {
		return nil, fmt.Errorf("store: object without type or id: %v", o)
	}
	var b []byte
	var err error
	if dst == nil {
		// Exactly the document's size, rather than grown step by step.
		b, err = jsonenc.Marshal(o)
	} else {
		b, err = jsonenc.Append(dst, o)
	}
	if err != nil {
		return nil, fmt.Errorf("store: encode %s %s: %w", typ, id, err)
	}
	// The encoding is ours alone and never written again (callers only
	// read it), so the stored string can share its bytes.
	key := objKey(acct, typ, id)
	if err := t.set(acct, typ, id, key, b[len(dst):], indexSource{obj: o}); err != nil {
		return nil, err
	}
	t.hold(key, o)
	return b, nil
}

// PutRaw stores an object already encoded as Marshal would encode it
// (raw is kept as is: never change it afterwards). known, if not nil,
// gives an index's value without parsing raw; paths it does not know are
// read from raw.
func (t *Tx) PutRaw(acct, typ, id string, raw []byte, known func(path string) (string, bool)) error {
	key := objKey(acct, typ, id)
	delete(t.objs, key)
	return t.set(acct, typ, id, key, raw, indexSource{raw: raw, known: known})
}

// indexSource is where an object's index values are read: the object
// decoded, or its encoding with the values its writer already knows.
type indexSource struct {
	obj   Obj
	raw   []byte
	known func(path string) (string, bool)
}

func (src indexSource) appendValues(out []string, path string) []string {
	if src.obj != nil {
		return appendIndexValues(out, src.obj, path)
	}
	if src.known != nil {
		if v, ok := src.known(path); ok {
			return append(out, v)
		}
	}
	return append(out, indexValues(unsafe.String(unsafe.SliceData(src.raw), len(src.raw)), path)...)
}

// indexValuesOf lists each index's values, gathered in the transaction's
// scratch list and copied into one list they share: one allocation for
// all of an object's indexes, none when it has no value for any.
func (t *Tx) indexValuesOf(ixs []Index, src indexSource) [][]string {
	var offs [17]int
	if len(ixs) >= len(offs) {
		out := make([][]string, len(ixs))
		for i, ix := range ixs {
			out[i] = src.appendValues(nil, ix.Path)
		}
		return out
	}
	scratch := t.scratch[:0]
	for i, ix := range ixs {
		offs[i] = len(scratch)
		scratch = src.appendValues(scratch, ix.Path)
	}
	offs[len(ixs)] = len(scratch)
	out := make([][]string, len(ixs))
	if len(scratch) == 0 {
		return out
	}
	flat := append([]string(nil), scratch...)
	clear(scratch) // the strings live on in flat, not here
	for i := range ixs {
		out[i] = flat[offs[i]:offs[i+1]:offs[i+1]]
	}
	return out
}

// set stores b under key, the object key of acct, typ and id.
func (t *Tx) set(acct, typ, id, key string, b []byte, values indexSource) error {
	raw := unsafe.String(unsafe.SliceData(b), len(b))
	prev, replaced, err := t.tx.Set(key, raw, nil)
	if err != nil {
		return err
	}
	t.noteWrite(typ, id)
	ixs := t.s.indexes[typ]
	if len(ixs) == 0 {
		return nil
	}
	known, haveKnown := t.indexed[key]
	now := t.indexValuesOf(ixs, values)
	for i, ix := range ixs {
		newVals := now[i]
		var oldVals []string
		switch {
		case !replaced:
		case haveKnown:
			oldVals = known[i]
			if CheckShared && !sameStrings(oldVals, indexValues(prev, ix.Path)) {
				panic(fmt.Sprintf("store: %s: remembered %s index values %q, stored JSON has %q", key, ix.Name, oldVals, indexValues(prev, ix.Path)))
			}
		default:
			oldVals = indexValues(prev, ix.Path)
		}
		if sameStrings(oldVals, newVals) {
			continue
		}
		for _, v := range oldVals {
			if _, err := t.tx.Delete(indexPrefix(acct, typ, ix.Name, v) + id); err != nil && err != buntdb.ErrNotFound {
				return err
			}
		}
		for _, v := range newVals {
			if _, _, err := t.tx.Set(indexPrefix(acct, typ, ix.Name, v)+id, "", nil); err != nil {
				return err
			}
		}
	}
	t.remember(key, now)
	return nil
}

// Delete removes an object and its index entries.
func (t *Tx) Delete(acct, typ, id string) error {
	key := objKey(acct, typ, id)
	delete(t.objs, key)
	known, haveKnown := t.indexed[key]
	delete(t.indexed, key)
	prev, err := t.tx.Delete(key)
	if err == buntdb.ErrNotFound {
		return ErrNotFound
	}
	if err != nil {
		return err
	}
	t.noteWrite(typ, id)
	for i, ix := range t.s.indexes[typ] {
		old := indexValues
		if haveKnown {
			old = func(string, string) []string { return known[i] }
		}
		for _, v := range old(prev, ix.Path) {
			if _, err := t.tx.Delete(indexPrefix(acct, typ, ix.Name, v) + id); err != nil && err != buntdb.ErrNotFound {
				return err
			}
		}
	}
	return nil
}

func indexValues(raw, path string) []string {
	r := gjson.Get(raw, path)
	switch {
	case !r.Exists() || r.Type == gjson.Null:
		return nil
	case r.IsArray():
		var out []string
		for _, e := range r.Array() {
			if e.Type != gjson.Null {
				out = append(out, e.String())
			}
		}
		return out
	case r.IsObject():
		// An expanded reference indexes by its id.
		if id := r.Get("id"); id.Exists() {
			return []string{id.String()}
		}
		return nil
	default:
		return []string{r.String()}
	}
}

// objIndexValues is indexValues read from the object being stored rather
// than by parsing its JSON again: the same values for the same document.
func objIndexValues(o Obj, path string) []string { return appendIndexValues(nil, o, path) }

func appendIndexValues(out []string, v any, path string) []string {
	if path == "" {
		switch x := v.(type) {
		case nil:
		case []any:
			for _, e := range x {
				if e != nil {
					out = append(out, scalarString(e))
				}
			}
		case map[string]any:
			if id, ok := x["id"]; ok {
				out = append(out, scalarString(id))
			}
		default:
			out = append(out, scalarString(x))
		}
		return out
	}
	name, rest, _ := strings.Cut(path, ".")
	if name == "#" {
		arr, _ := v.([]any)
		if rest == "" {
			return appendIndexValues(out, arr, "")
		}
		for _, e := range arr {
			out = appendIndexValues(out, e, rest)
		}
		return out
	}
	m, ok := v.(map[string]any)
	if !ok {
		return out
	}
	next, ok := m[name]
	if !ok {
		return out
	}
	return appendIndexValues(out, next, rest)
}

// scalarString renders a value as gjson's String() does.
func scalarString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case bool:
		return strconv.FormatBool(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case int64:
		return strconv.FormatInt(x, 10)
	case int:
		return strconv.Itoa(x)
	}
	b, _ := jsonenc.Marshal(v)
	return string(b)
}

func sameStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// HasIndex reports whether typ has an index by that name.
func (s *Store) HasIndex(typ, name string) bool {
	for _, ix := range s.indexes[typ] {
		if ix.Name == name {
			return true
		}
	}
	return false
}

// SetMeta stores an emulator-internal value.
func (t *Tx) SetMeta(name, value string) error {
	_, _, err := t.tx.Set("m:"+name, value, nil)
	return err
}

// GetMeta reads an emulator-internal value.
func (t *Tx) GetMeta(name string) (string, bool) {
	// The key is built in the transaction's buffer and read in place:
	// buntdb's Get compares it and keeps nothing of it, so a lookup (most
	// of them misses, on every renewal) allocates no key.
	b := append(append(t.keyBuf[:0], "m:"...), name...)
	v, err := t.tx.Get(unsafe.String(unsafe.SliceData(b), len(b)))
	return v, err == nil
}

// SetMetaJSON stores an emulator-internal value as JSON.
func (t *Tx) SetMetaJSON(name string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return t.SetMeta(name, string(b))
}

// GetMetaJSON reads an emulator-internal JSON value into v, reporting
// whether one was there and decoded.
func (t *Tx) GetMetaJSON(name string, v any) bool {
	raw, ok := t.GetMeta(name)
	return ok && json.Unmarshal([]byte(raw), v) == nil
}

// DeleteMeta removes an emulator-internal value.
func (t *Tx) DeleteMeta(name string) {
	_, _ = t.tx.Delete("m:" + name)
}

// ScanMeta calls fn for each metadata entry whose name starts with prefix,
// until fn returns false.
func (t *Tx) ScanMeta(prefix string, fn func(name, value string) bool) {
	_ = t.tx.AscendRange("", "m:"+prefix, "m:"+prefix+"\xff", func(k, v string) bool {
		return fn(strings.TrimPrefix(k, "m:"), v)
	})
}
