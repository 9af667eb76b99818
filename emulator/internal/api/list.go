package api

import (
	"github.com/stripe-emu/stripe-emu/emulator/internal/apierr"
	"github.com/stripe-emu/stripe-emu/emulator/internal/store"
)

// List is a page of a list endpoint.
type List struct {
	URL     string
	Data    []store.Obj
	HasMore bool
}

func (l *List) render() store.Obj {
	data := make([]any, len(l.Data))
	for i, o := range l.Data {
		data[i] = o
	}
	return store.Obj{"object": "list", "data": data, "has_more": l.HasMore, "url": l.URL}
}

// ListQuery reads the pagination and created filters every list endpoint
// shares, checking them the way Stripe does.
func (c *Call) ListQuery(object string) (store.Query, error) {
	q := store.Query{Limit: 10}
	if n, ok := c.Params.Int("limit"); ok {
		if n < 1 || n > 100 {
			return q, apierr.InvalidRequest("Invalid limit: must be between 1 and 100").WithParam("limit")
		}
		q.Limit = int(n)
	}
	after, hasAfter := c.Params.Str("starting_after")
	before, hasBefore := c.Params.Str("ending_before")
	if hasAfter && after != "" && hasBefore && before != "" {
		return q, apierr.Exclusive("starting_after", "ending_before")
	}
	for _, cur := range []struct{ param, id string }{{"starting_after", after}, {"ending_before", before}} {
		if cur.id != "" && !c.Tx.Exists(c.Account, object, cur.id) {
			return q, apierr.NoSuchObject(c.Registry.Kind(object).Name, cur.id, cur.param)
		}
	}
	q.StartingAfter, q.EndingBefore = after, before
	created, err := c.RangeFilter("created")
	if err != nil {
		return q, err
	}
	if created != nil {
		q.Filter = func(o store.Obj) bool { return created(Int(o["created"])) }
	}
	return q, nil
}

// OmitClockObjects leaves out of a "list all" the objects a test clock
// made, as Stripe does: they are listed only under one of parents (the
// filters naming a customer, subscription, test clock… the request sent).
func OmitClockObjects(c *Call, q store.Query, parents ...string) store.Query {
	for _, p := range parents {
		if v, _ := c.Params.Str(p); v != "" {
			return q
		}
	}
	q.Filter = And(q.Filter, func(o store.Obj) bool { return o["test_clock"] == nil })
	return q
}

// IndexedFilters applies equality filters on indexed string fields: the
// first one sent walks its index, and every one sent checks each object,
// so filters combine instead of the first silently winning.
func IndexedFilters(c *Call, q store.Query, fields ...string) store.Query {
	for _, f := range fields {
		v, _ := c.Params.Str(f)
		if v == "" {
			continue
		}
		if q.Index == "" {
			q.Index, q.Value = f, v
		}
		q.Filter = And(q.Filter, func(o store.Obj) bool { return Str(o[f]) == v })
	}
	return q
}

// RangeFilter reads a timestamp filter given as an integer or as
// {gt,gte,lt,lte}; nil means no filter.
func (c *Call) RangeFilter(param string) (func(int64) bool, error) {
	if !c.Params.Has(param) || c.Params.Unset(param) {
		return nil, nil
	}
	if exact, ok := c.Params.Int(param); ok {
		return func(v int64) bool { return v == exact }, nil
	}
	r, ok := c.Params.Obj(param)
	if !ok {
		return nil, apierr.InvalidRequest("Invalid %s: must be an integer or a hash of gt, gte, lt, lte", param).WithParam(param)
	}
	type bound struct {
		key string
		ok  func(v, b int64) bool
	}
	var checks []func(int64) bool
	for _, b := range []bound{
		{"gt", func(v, b int64) bool { return v > b }},
		{"gte", func(v, b int64) bool { return v >= b }},
		{"lt", func(v, b int64) bool { return v < b }},
		{"lte", func(v, b int64) bool { return v <= b }},
	} {
		if n, ok := r.Int(b.key); ok {
			cmp, limit := b.ok, n
			checks = append(checks, func(v int64) bool { return cmp(v, limit) })
		}
	}
	return func(v int64) bool {
		for _, ok := range checks {
			if !ok(v) {
				return false
			}
		}
		return true
	}, nil
}

// Page runs a list query and wraps it for rendering. Deleted objects'
// tombstones are never listed.
func (c *Call) Page(object, url string, q store.Query) *List {
	q.Filter = And(q.Filter, func(o store.Obj) bool { return o["deleted"] != true })
	p := c.Tx.List(c.Account, object, q)
	return &List{URL: url, Data: p.Data, HasMore: p.HasMore}
}

// Int reads a JSON number (int64 when built, float64 when decoded).
func Int(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case int:
		return int64(n)
	case float64:
		return int64(n)
	}
	return 0
}

// Float reads a JSON number as a decimal (percentages), 0 for anything
// else.
func Float(v any) float64 {
	f, _ := number(v)
	return f
}

// Anys is strs as a JSON array, for storing a list parameter.
func Anys(strs []string) []any {
	out := make([]any, len(strs))
	for i, s := range strs {
		out[i] = s
	}
	return out
}

// Str reads a JSON string, "" for anything else.
func Str(v any) string {
	s, _ := v.(string)
	return s
}

// Strs reads a JSON array of strings ("" for an element that is not one).
func Strs(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, Str(x))
	}
	return out
}

// Bool reads a JSON boolean.
func Bool(v any) bool {
	b, _ := v.(bool)
	return b
}

// Obj reads a JSON object; anything else reads as an empty one (writes to
// it go nowhere).
func Obj(v any) store.Obj {
	if m, ok := v.(map[string]any); ok && m != nil {
		return m
	}
	return store.Obj{}
}

// NilIfEmpty is s, or JSON null for "".
func NilIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// Deleted is the answer to a successful DELETE.
func Deleted(object, id string) store.Obj {
	return store.Obj{"id": id, "object": object, "deleted": true}
}

// And combines two filters; either may be nil.
func And(a, b func(store.Obj) bool) func(store.Obj) bool {
	switch {
	case a == nil:
		return b
	case b == nil:
		return a
	}
	return func(o store.Obj) bool { return a(o) && b(o) }
}

// SearchResult renders a page of a search endpoint.
func SearchResult(url string, data []any, hasMore bool, nextPage any) store.Obj {
	return store.Obj{"object": "search_result", "url": url, "data": data, "has_more": hasMore, "next_page": nextPage}
}

// EmbeddedPage pages through items an object carries inside itself
// (invoice and credit note lines) or computes (meter event summaries): limit
// and starting_after or ending_before (name is what an unknown cursor is
// called in the error), oldest first. A page ending before a cursor holds
// the items just before it; has_more then says there are earlier ones.
func EmbeddedPage(c *Call, lines []any, url, name string) (any, error) {
	limit := 10
	if n, ok := c.Params.Int("limit"); ok {
		if n < 1 || n > 100 {
			return nil, apierr.InvalidRequest("Invalid limit: must be between 1 and 100").WithParam("limit")
		}
		limit = int(n)
	}
	after, _ := c.Params.Str("starting_after")
	before, _ := c.Params.Str("ending_before")
	if after != "" && before != "" {
		return nil, apierr.Exclusive("starting_after", "ending_before")
	}
	at := func(id, param string) (int, error) {
		for i, l := range lines {
			if Obj(l)["id"] == id {
				return i, nil
			}
		}
		return 0, apierr.NoSuchObject(name, id, param)
	}
	start, end := 0, len(lines)
	if after != "" {
		i, err := at(after, "starting_after")
		if err != nil {
			return nil, err
		}
		start = i + 1
	}
	if before != "" {
		i, err := at(before, "ending_before")
		if err != nil {
			return nil, err
		}
		start, end = max(i-limit, 0), i
		var page []store.Obj
		for _, l := range lines[start:end] {
			page = append(page, Obj(l))
		}
		return &List{URL: url, Data: page, HasMore: start > 0}, nil
	}
	end = min(start+limit, end)
	var page []store.Obj
	for _, l := range lines[start:end] {
		page = append(page, Obj(l))
	}
	return &List{URL: url, Data: page, HasMore: end < len(lines)}, nil
}
