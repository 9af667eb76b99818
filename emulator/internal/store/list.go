package store

import "strings"

// Query selects a page of one type's objects in one account, newest first.
type Query struct {
	// Index and Value walk a secondary index instead of every object.
	Index, Value string
	// StartingAfter and EndingBefore are object ids (cursors).
	StartingAfter, EndingBefore string
	// Limit is the page size; 0 means no limit.
	Limit int
	// Filter, when set, keeps only the objects it accepts.
	Filter func(Obj) bool
	// RawFilter, when set, is asked first with the stored JSON, so the
	// objects it turns away are never decoded.
	RawFilter func(raw string) bool
}

// Page is one page of results.
type Page struct {
	Data    []Obj
	HasMore bool
}

// List returns the page q selects. With EndingBefore the page holds the
// objects just newer than the cursor, still ordered newest first.
func (t *Tx) List(acct, typ string, q Query) Page {
	prefix := objPrefix(acct, typ)
	if q.Index != "" {
		prefix = indexPrefix(acct, typ, q.Index, q.Value)
	}
	var data []Obj
	hasMore := false
	visit := func(key, val string) bool {
		if q.RawFilter != nil {
			raw := val
			if q.Index != "" {
				raw, _ = t.GetRaw(acct, typ, strings.TrimPrefix(key, prefix))
			}
			if !q.RawFilter(raw) {
				return true
			}
		}
		o := t.resolve(acct, typ, prefix, key, val, q.Index != "")
		if o == nil || (q.Filter != nil && !q.Filter(o)) {
			return true
		}
		if q.Limit > 0 && len(data) == q.Limit {
			hasMore = true
			return false
		}
		data = append(data, o)
		return true
	}
	end := prefix + "\xff"
	switch {
	case q.EndingBefore != "":
		_ = t.tx.AscendRange("", prefix+q.EndingBefore+"\x00", end, visit)
		for i, j := 0, len(data)-1; i < j; i, j = i+1, j-1 {
			data[i], data[j] = data[j], data[i]
		}
	case q.StartingAfter != "":
		_ = t.tx.DescendRange("", prefix+q.StartingAfter, prefix, func(k, v string) bool {
			if k == prefix+q.StartingAfter {
				return true
			}
			return visit(k, v)
		})
	default:
		_ = t.tx.DescendRange("", end, prefix, visit)
	}
	return Page{Data: data, HasMore: hasMore}
}

// Each calls fn for every object of typ in acct, oldest first, until fn
// returns false. For background work (renewals, expiries) and search.
func (t *Tx) Each(acct, typ string, fn func(Obj) bool) {
	prefix := objPrefix(acct, typ)
	_ = t.tx.AscendRange("", prefix, prefix+"\xff", func(k, v string) bool {
		if o, ok := t.objs[k]; ok {
			return fn(o)
		}
		return fn(decode(v))
	})
}

// EachRaw is Each handing fn each object's stored JSON, for scans that
// read a few fields of many objects.
func (t *Tx) EachRaw(acct, typ string, fn func(raw string) bool) {
	prefix := objPrefix(acct, typ)
	_ = t.tx.AscendRange("", prefix, prefix+"\xff", func(_, v string) bool { return fn(v) })
}

// EachRawFrom is EachRaw from the object with id from on (ids sort in
// creation order, so: that object and every one made after it).
func (t *Tx) EachRawFrom(acct, typ, from string, fn func(id, raw string) bool) {
	prefix := objPrefix(acct, typ)
	_ = t.tx.AscendRange("", prefix+from, prefix+"\xff", func(k, v string) bool { return fn(strings.TrimPrefix(k, prefix), v) })
}

// EachIndexed calls fn for every object of typ whose index has value, oldest
// first, until fn returns false.
func (t *Tx) EachIndexed(acct, typ, index, value string, fn func(Obj) bool) {
	prefix := indexPrefix(acct, typ, index, value)
	_ = t.tx.AscendRange("", prefix, prefix+"\xff", func(k, _ string) bool {
		key := objKey(acct, typ, strings.TrimPrefix(k, prefix))
		if o, ok := t.objs[key]; ok {
			return fn(o)
		}
		raw, err := t.tx.Get(key)
		if err != nil {
			return true
		}
		return fn(decode(raw))
	})
}

// EachIndexedRaw is EachIndexed handing fn each object's stored JSON: for
// scans that read a few fields of many objects (what falls due when the
// clock moves) and should not decode them all.
func (t *Tx) EachIndexedRaw(acct, typ, index, value string, fn func(raw string) bool) {
	prefix := indexPrefix(acct, typ, index, value)
	_ = t.tx.AscendRange("", prefix, prefix+"\xff", func(k, _ string) bool {
		raw, ok := t.GetRaw(acct, typ, strings.TrimPrefix(k, prefix))
		if !ok {
			return true
		}
		return fn(raw)
	})
}

// Accounts lists every account namespace that holds objects of typ.
func (t *Tx) Count(acct, typ string) int {
	prefix := objPrefix(acct, typ)
	n := 0
	_ = t.tx.AscendRange("", prefix, prefix+"\xff", func(_, _ string) bool { n++; return true })
	return n
}

func (t *Tx) resolve(acct, typ, prefix, key, val string, indexed bool) Obj {
	if !indexed {
		if o, ok := t.objs[key]; ok {
			return o
		}
		return decode(val)
	}
	id := strings.TrimPrefix(key, prefix)
	o, ok := t.Get(acct, typ, id)
	if !ok {
		return nil
	}
	return o
}
